"""Administrators see which studies exist and who is on them, and can end a study.

Participants, recordings and transcripts stay out of the admin: only a study's researchers see
them. Deleting a study deletes everything in it, recording files included.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kollega.core.audit import record
from kollega.research.models import Study


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin[Study]):
    list_display = ["title", "language", "created"]
    fields = ["title", "language", "researchers"]
    filter_horizontal = ["researchers"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # researchers create their studies themselves

    def delete_model(self, request: HttpRequest, obj: Study) -> None:
        record(request.user, "research.study.delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Study]) -> None:
        for study in queryset:
            record(request.user, "research.study.delete", study)
        super().delete_queryset(request, queryset)
