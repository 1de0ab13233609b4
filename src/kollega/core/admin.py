from __future__ import annotations

from typing import Any

# Imported first so that its registration can be replaced below (autodiscover imports it later
# from the module cache, without registering twice).
import django_tasks_db.admin as tasks_db_admin
from django.contrib import admin
from django.db import connection
from django.db.models import JSONField
from django.http import HttpRequest
from django_tasks_db.models import DBTaskResult

from kollega.core.models import AuditEvent

_JSON_LOOKUPS_NOT_EVERYWHERE = {"contains", "contained_by"}


class JsonLookupsGuard:
    """Refuses list filters such as `?details__contains=` that this database cannot run.

    SQLite has no JSON containment; Django would raise NotSupportedError (a 500). The admin
    answers such a URL with its own "bad lookup" (400) instead.
    """

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        field_name, _, rest = lookup.partition("__")
        last = rest.rsplit("__", 1)[-1] if rest else ""
        if (
            last in _JSON_LOOKUPS_NOT_EVERYWHERE
            and not connection.features.supports_json_field_contains
        ):
            model = self.model  # type: ignore[attr-defined]
            field = next((f for f in model._meta.fields if f.name == field_name), None)
            if isinstance(field, JSONField):
                return False
        return bool(super().lookup_allowed(lookup, value, request))  # type: ignore[misc]


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(JsonLookupsGuard, tasks_db_admin.DBTaskResultAdmin):
    """The task results, read-only; their arguments are ids only."""


@admin.register(AuditEvent)
class AuditEventAdmin(JsonLookupsGuard, admin.ModelAdmin[AuditEvent]):
    """Read-only: audit rows can be reviewed and searched, never added, changed or deleted."""

    list_display = ("created", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "action", "object_type", "object_id")
    date_hierarchy = "created"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
