"""What the workbench's pages share: the role check, reading posts, the versioned edit form.

Every page is for researchers named on the analysis's study (others get 404; other roles
403). Views are thin: they check access, read the post through a form, call actions.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from kollega.accounts.http import StaffRequest
from kollega.core.errors import ActionRefused
from kollega.core.roles import RESEARCHER, role_required
from kollega.workbench import forms
from kollega.workbench.models import (
    Analysis,
    MeaningUnit,
)

GET_POST = ["GET", "HEAD", "POST"]
researcher_only = role_required(RESEARCHER)


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def is_htmx(request: StaffRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def version_list(analysis: Analysis) -> Any:
    """Current transcript versions for navigation, without decrypting their text."""
    return (
        analysis.transcripts.filter(current=True)
        .select_related("interview__participant")
        .defer("text", "turns_json")
    )


def unit_in(request: StaffRequest, analysis: Analysis, unit_pk: int) -> MeaningUnit:
    unit: MeaningUnit = get_object_or_404(
        MeaningUnit.objects.in_analysis().select_related("transcript", "coding"),
        pk=unit_pk,
        transcript__analysis=analysis,
    )
    return unit


def versioned_edit(
    request: StaffRequest,
    *,
    form_class: type[django_forms.Form],
    fields: dict[str, Any],
    save: Any,
    template: str,
    context: dict[str, Any],
    saved: str,
    back: HttpResponse,
) -> HttpResponse:
    """A form over one versioned record: ``fields`` maps each field to its current value.

    On POST, ``save(cleaned_data)`` runs the action; an invalid form or a refusal (a stale
    save among them) shows the page again with the researcher's text kept, and 400.
    """
    errors: list[str] = []
    values = dict(fields)
    if request.method == "POST":
        form = form_class(request.POST)
        for name, current in fields.items():
            raw = form[name].value()
            if isinstance(current, bool):
                values[name] = form.fields[name].to_python(raw)
            else:
                values[name] = "" if raw is None else raw
        try:
            save(valid(form))
        except ActionRefused as exc:
            errors.append(str(exc))
        else:
            messages.success(request, saved)
            return back
    return render(
        request,
        template,
        {**context, "values": values, "errors": errors},
        status=400 if errors else 200,
    )


def valid(form: django_forms.Form) -> dict[str, Any]:
    """The form's values; an invalid form is refused with its first message."""
    if not form.is_valid():
        raise ActionRefused(forms.first_error(form))
    data: dict[str, Any] = form.cleaned_data
    return data


def nav(analysis: Analysis, step: int | str) -> dict[str, Any]:
    """What the steps' navigation needs (``workbench/nav.html``): ``step`` is a step's number
    or the name of a tool page ("codebook", "matrix", "memos", "search")."""
    return {"step": step, "versions": list(analysis.transcripts.filter(current=True)[:1])}


def digits_of(values: list[str]) -> list[int]:
    """The ids among posted values, for a page that shows a refused post again."""
    return [int(v) for v in values if v.isdigit()]
