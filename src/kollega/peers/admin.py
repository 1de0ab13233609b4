"""Registrations and settlements are changed only through the county pages' actions; the
admin shows them read-only, and listings likewise."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kollega.peers.models import Listing, Registration, Settlement


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Listing)
class ListingAdmin(ReadOnly):
    list_display = ("profile", "listed", "hidden", "county", "approved_at")


@admin.register(Registration)
class RegistrationAdmin(ReadOnly):
    list_display = ("pk", "scheme_county", "channel", "category", "first_on", "settlement")
    list_filter = ("scheme_county", "channel")


@admin.register(Settlement)
class SettlementAdmin(ReadOnly):
    list_display = ("counsellor", "county", "kind", "start", "conversations", "amount")
    list_filter = ("county", "kind")
