"""Administrators see counsellors and offerings; cases and their contents stay out of the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from kollega.accounts.models import User
from kollega.core.roles import ADMINISTRATOR, COUNSELLOR
from kollega.service.models import CaseStatistic, CounsellorProfile, Offering


@admin.register(CounsellorProfile)
class CounsellorProfileAdmin(admin.ModelAdmin[CounsellorProfile]):
    list_display = ["__str__", "region", "specialty", "capacity", "active"]
    list_filter = ["region", "active"]
    exclude = ["conflict_people"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving a profile to another account would hand that account the counsellor's cases.
        return ["user"] if obj is not None else []

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "user":
            # Only counsellors get a profile, never an administrator (the one adding it included).
            kwargs["queryset"] = (
                User.objects.filter(groups__name=COUNSELLOR, is_superuser=False)
                .exclude(groups__name=ADMINISTRATOR)
                .exclude(pk=request.user.pk or 0)
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
