"""Step 4, synthesis, with one URL per operation on it, and the recontextualisation check.

A post that worked goes back to the page at the section it changed; a refused one renders
the page again with the researcher's text kept and the reason shown, and 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import forms
from kollega.workbench.access import get_analysis_for_user
from kollega.workbench.actions import matrix, synthesis
from kollega.workbench.models import (
    Analysis,
    AnalyticText,
    Category,
    CodeGroup,
    Condensate,
    GoldenQuote,
)
from kollega.workbench.views.common import digits_of, int_or_none, nav, researcher_only, valid


def _target_rows(analysis: Analysis, posted: Any) -> list[dict[str, Any]]:
    """One analytic-text form per code group with units and per category."""
    texts = list(analysis.analytic_texts.prefetch_related("condensates", "quotes"))
    condensates = list(
        Condensate.objects.filter(subgroup__code_group__analysis=analysis).select_related(
            "subgroup"
        )
    )
    quotes = list(
        GoldenQuote.objects.filter(subgroup__code_group__analysis=analysis).select_related(
            "subgroup", "transcript__interview__participant"
        )
    )
    rows = []
    used = set(
        analysis.code_groups.filter(codings__isnull=False, codings__unit__retired_in__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    targets: list[tuple[str, CodeGroup | Category, set[int]]] = [
        ("code_group", g, {g.pk}) for g in analysis.code_groups.all() if g.pk in used
    ]
    for c in analysis.categories.prefetch_related("code_groups"):
        targets.append(("category", c, {g.pk for g in c.code_groups.all()}))
    for kind, target, groups in targets:
        found = next(
            (
                t
                for t in texts
                if (t.code_group_id if kind == "code_group" else t.category_id) == target.pk
            ),
            None,
        )
        key = f"{kind}-{target.pk}"
        text = found.text if found else ""
        cited_c = {c.pk for c in found.condensates.all()} if found else set()
        cited_q = {q.pk for q in found.quotes.all()} if found else set()
        error = ""
        version = found.version if found else None
        if posted is not None and posted.get("target") == key:
            version = int_or_none(posted.get("version"))
            text = posted.get("text", "")
            cited_c = set(digits_of(posted.getlist("condensates")))
            cited_q = set(digits_of(posted.getlist("quotes")))
            error = posted.get("_error", "")
        rows.append(
            {
                "key": key,
                "kind": kind,
                "is_category": kind == "category",
                "target": target,
                "analytic": found,
                "text": text,
                "version": version,
                "condensates": [
                    (c, c.pk in cited_c) for c in condensates if c.subgroup.code_group_id in groups
                ],
                "quotes": [
                    (q, q.pk in cited_q) for q in quotes if q.subgroup.code_group_id in groups
                ],
                "error": error,
            }
        )
    return rows


def _page(
    request: StaffRequest,
    analysis: Analysis,
    *,
    refused: ActionRefused | None = None,
    operation: str = "",
) -> HttpResponse:
    """The synthesis page; after a refused ``operation`` with the post kept, and 400."""
    error, posted = "", None
    if refused is not None:
        error = str(refused)
        posted = request.POST.copy()
        posted["_error"] = error
    categories = list(analysis.categories.prefetch_related("code_groups", "participants"))
    people = synthesis.typology_participants(analysis)
    cells = {(p.pk, c.pk) for c in categories for p in c.participants.all()}
    # "Fill from the matrix" shows the proposal ticked; only "Save the typology" stores it.
    proposed = refused is None and request.GET.get("fill") == "matrix"
    if proposed:
        cells = matrix.typology_proposal(request.user, analysis)
    elif posted is not None and operation == "typology":
        # A refused save shows the ticks that were posted, not the stored ones.
        form = forms.TypologyForm(posted)
        cells = form.cleaned_data["cell"] if form.is_valid() else cells
    typology = [
        {"person": p, "cells": [(c, (p.pk, c.pk) in cells) for c in categories]} for p in people
    ]
    posted_target = posted.get("target", "") if posted is not None else ""
    kept_category = None
    if posted is not None and operation == "edit_category":
        kept_category = int_or_none(posted.get("category"))
    return render(
        request,
        "workbench/synthesis.html",
        {
            "analysis": analysis,
            **nav(analysis, 4),
            "categories": categories,
            "groups": list(analysis.code_groups.all()),
            "targets": _target_rows(analysis, posted),
            "typology": typology,
            "typology_stamp": synthesis.typology_stamp(analysis),
            "proposed": proposed,
            "error": error if not posted_target else "",
            "posted": posted if not posted_target else None,
            "kept_category": kept_category,
            # The new-category form opens again with what was typed when it was refused.
            "kept_add": posted is not None and not posted_target and operation == "add_category",
        },
        status=400 if refused is not None else 200,
    )


@require_GET
@never_cache
@researcher_only
def synthesis_page(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    record(request.user, AuditAction.WORKBENCH_SYNTHESIS_VIEW, analysis)
    return _page(request, analysis)


def _operation(
    name: str, do: Callable[[StaffRequest, Analysis], HttpResponse]
) -> Callable[[StaffRequest, int], HttpResponse]:
    """A view for one operation on the synthesis page: ``do(request, analysis)`` runs it."""

    @require_POST
    @never_cache
    @researcher_only
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        analysis = get_analysis_for_user(request.user, pk)
        try:
            return do(request, analysis)
        except ActionRefused as exc:
            return _page(request, analysis, refused=exc, operation=name)

    view.__name__ = view.__qualname__ = f"synthesis_{name}"
    view.__doc__ = do.__doc__
    return view


def _back(analysis: Analysis, anchor: str) -> HttpResponse:
    return redirect(f"{reverse('workbench:synthesis', args=[analysis.pk])}#{anchor}")


def _add_category(request: StaffRequest, analysis: Analysis) -> HttpResponse:
    """A category gathering some of the code groups."""
    data = valid(forms.CategoryForm(request.POST))
    synthesis.do_add_category(
        request.user,
        analysis,
        name=data["name"],
        description=data["description"],
        group_pks=data["groups"],
    )
    messages.success(request, _("The category is added."))
    return _back(analysis, "categories")


def _edit_category(request: StaffRequest, analysis: Analysis) -> HttpResponse:
    """Rename a category, or change its description or code groups."""
    form = forms.CategoryEditForm(request.POST)
    form.is_valid()
    category = get_object_or_404(Category, pk=form.cleaned_data.get("category"), analysis=analysis)
    data = valid(form)
    synthesis.do_edit_category(
        request.user,
        category,
        name=data["name"],
        description=data["description"],
        group_pks=data["groups"],
        version=data["version"],
    )
    messages.success(request, _("The category is saved."))
    return _back(analysis, "categories")


def _delete_category(request: StaffRequest, analysis: Analysis) -> HttpResponse:
    """Delete a category (its code groups stay)."""
    data = valid(forms.CategoryDeleteForm(request.POST))
    category = get_object_or_404(Category, pk=data["category"], analysis=analysis)
    synthesis.do_delete_category(request.user, category)
    messages.success(request, _("The category is deleted."))
    return _back(analysis, "categories")


def _save_typology(request: StaffRequest, analysis: Analysis) -> HttpResponse:
    """Set which participants belong to which categories."""
    data = valid(forms.TypologyForm(request.POST))
    synthesis.do_save_typology(request.user, analysis, data["cell"], drawn=data["drawn"])
    messages.success(request, _("The typology is saved."))
    return _back(analysis, "typology")


def _save_analytic_text(request: StaffRequest, analysis: Analysis) -> HttpResponse:
    """Save the analytic text about one code group or category, with what it cites."""
    form = forms.AnalyticTextForm(request.POST)
    form.is_valid()
    kind, _sep, target_pk = str(form.cleaned_data.get("target", "")).partition("-")
    target: CodeGroup | Category
    if kind == "code_group":
        target = get_object_or_404(CodeGroup, pk=int_or_none(target_pk), analysis=analysis)
    elif kind == "category":
        target = get_object_or_404(Category, pk=int_or_none(target_pk), analysis=analysis)
    else:
        raise Http404
    existing = None
    if form.cleaned_data.get("analytic") is not None:
        existing = get_object_or_404(
            AnalyticText, pk=form.cleaned_data["analytic"], analysis=analysis
        )
    data = valid(form)
    saved = synthesis.do_save_analytic_text(
        request.user,
        analysis,
        target=target,
        text=data["text"],
        condensate_pks=data["condensates"],
        quote_pks=data["quotes"],
        analytic_text=existing,
        version=data["version"],
    )
    messages.success(request, _("The analytic text is saved."))
    return _back(analysis, f"text-{saved.pk}")


category_add = _operation("add_category", _add_category)
category_edit = _operation("edit_category", _edit_category)
category_delete = _operation("delete_category", _delete_category)
typology_save = _operation("typology", _save_typology)
analytic_text_save = _operation("analytic_text", _save_analytic_text)


@require_GET
@never_cache
@researcher_only
def check_page(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    result = synthesis.check(analysis)
    record(
        request.user, AuditAction.WORKBENCH_CHECK_RUN, analysis, findings=len(result["findings"])
    )
    return render(
        request,
        "workbench/check.html",
        {"analysis": analysis, "check": result, **nav(analysis, 5)},
    )
