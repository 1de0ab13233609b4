"""Administrators see counsellors and offerings; cases and their contents stay out of the admin."""

from django.contrib import admin
from django.http import HttpRequest

from kollega.service.models import CaseStatistic, CounsellorProfile, Offering


@admin.register(CounsellorProfile)
class CounsellorProfileAdmin(admin.ModelAdmin[CounsellorProfile]):
    list_display = ["__str__", "region", "specialty", "capacity", "active"]
    list_filter = ["region", "active"]
    exclude = ["conflict_people"]


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin[Offering]):
    list_display = ["title", "kind", "starts", "place", "capacity"]


@admin.register(CaseStatistic)
class CaseStatisticAdmin(admin.ModelAdmin[CaseStatistic]):
    list_display = ["month", "category", "final_status", "outcome", "conversations", "waiting_days"]
    list_filter = ["category", "final_status"]

    def has_change_permission(self, request: HttpRequest, obj: CaseStatistic | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
