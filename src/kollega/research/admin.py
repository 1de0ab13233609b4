"""Administrators see which studies exist and who is on them, change who is on them, and can
end a study.

Participants, recordings and transcripts stay out of the admin: only a study's researchers see
them. Who works on a study changes only through `do_set_study_researchers`: audited, told to
each person added or taken off, and never putting the administrator on a study. Deleting a
study deletes everything in it, recording files included.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from kollega.accounts import actions as accounts
from kollega.accounts.models import User
from kollega.core.audit import Actor
from kollega.core.errors import ActionRefused
from kollega.core.roles import RESEARCHER
from kollega.research.actions import do_delete_study
from kollega.research.models import Study


class StudyForm(forms.ModelForm[Study]):
    actor: Actor = None

    class Meta:
        model = Study
        fields = ["researchers"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            accounts.check_study_researchers(self.actor, self.instance, data.get("researchers", []))
        except ActionRefused as refused:
            self.add_error("researchers", str(refused))
        return data


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin[Study]):
    form = StudyForm
    list_display = ["title", "language", "created"]
    fields = ["title", "language", "researchers"]
    readonly_fields = ["title", "language"]
    filter_horizontal = ["researchers"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # researchers create their studies themselves

    def get_form(
        self, request: HttpRequest, obj: Study | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        if db_field.name == "researchers":
            # Those who may be added (researchers, not the administrator), and those already on.
            match = request.resolver_match
            study_id = match.kwargs.get("object_id") if match else None
            addable = User.objects.filter(
                groups__name=RESEARCHER, is_superuser=False, is_active=True
            ).exclude(pk=request.user.pk or 0)
            chosen = Q(pk__in=addable.values("pk"))
            if study_id:
                chosen |= Q(studies__pk=study_id)
            kwargs["queryset"] = User.objects.filter(chosen).distinct().order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Study, form: Any, change: bool) -> None:
        """Nothing of the study itself changes here; `save_related` sets its researchers."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        accounts.do_set_study_researchers(
            request.user, form.instance, form.cleaned_data["researchers"]
        )

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
