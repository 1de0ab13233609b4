"""Administrators see which studies exist and who is on them, and can end a study.

Participants, recordings and transcripts stay out of the admin: only a study's researchers see
them. Deleting a study deletes everything in it, recording files included.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from kollega.research.actions import do_delete_study
from kollega.research.models import Study


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin[Study]):
    list_display = ["title", "language", "created"]
    fields = ["title", "language", "researchers"]
    filter_horizontal = ["researchers"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # researchers create their studies themselves

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Django runs the whole deletion in one transaction; a study's is too long for that
        # (SQLite locks out every other writer meanwhile): do_delete_study commits in batches.
        view = self._delete_view  # type: ignore[attr-defined]  # Django's, without the transaction
        response: HttpResponse = view(request, object_id, extra_context)
        return response

    def delete_model(self, request: HttpRequest, obj: Study) -> None:
        do_delete_study(request.user, obj)  # in short transactions: see there why

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Study]) -> None:
        for study in queryset:
            do_delete_study(request.user, study)
