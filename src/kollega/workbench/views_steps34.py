"""Pages of steps 3 and 4: condensation per code group, synthesis, the recontextualisation check.

Each page answers GET and POST; a POST names what it does in ``action`` and goes back to the
page (at the record it changed) when it worked. A refused save renders the page again with
the researcher's text kept and the reason shown, as the transcript editor does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kollega.core.audit import record
from kollega.core.errors import ActionRefused
from kollega.core.roles import RESEARCHER, role_required
from kollega.workbench import condensation, synthesis
from kollega.workbench.access import get_analysis_for_user
from kollega.workbench.models import (
    Analysis,
    AnalyticText,
    Category,
    CodeGroup,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Subgroup,
)

GET_POST = ["GET", "HEAD", "POST"]
researcher_only = role_required(RESEARCHER)


def _ints(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise ActionRefused(_("Unknown meaning unit.")) from None


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _nav(analysis: Analysis, step: int) -> dict[str, Any]:
    """What the steps' navigation needs (``workbench/nav.html``)."""
    return {"step": step, "versions": list(analysis.transcripts.filter(current=True)[:1])}


def _group_counts(analysis: Analysis) -> list[dict[str, Any]]:
    rows = []
    for group in analysis.code_groups.prefetch_related(
        "subgroups__condensates", "subgroups__quotes"
    ):
        units = group.codings.count()
        subgroups = list(group.subgroups.all())
        rows.append(
            {
                "group": group,
                "units": units,
                "subgroups": len(subgroups),
                "condensates": sum(len(s.condensates.all()) for s in subgroups),
                "quotes": sum(len(s.quotes.all()) for s in subgroups),
            }
        )
    return rows


@require_GET
@researcher_only
def condensation_index(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    record(request.user, "workbench.condensation.view", analysis)
    return render(
        request,
        "workbench/condensation_index.html",
        {"analysis": analysis, "rows": _group_counts(analysis), **_nav(analysis, 3)},
    )


# --- Step 3: one code group ----------------------------------------------------------------


def _unit_rows(units: list[MeaningUnit]) -> list[dict[str, Any]]:
    return [
        {
            "unit": u,
            "text": u.text,
            "who": u.transcript.interview.participant.pseudonym,
            "subgroups": [s.pk for s in u.subgroups.all()],
        }
        for u in units
    ]


@require_http_methods(GET_POST)
@never_cache
@researcher_only
def condensation_page(request: HttpRequest, pk: int, group: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    code_group = get_object_or_404(CodeGroup, pk=group, analysis=analysis)
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        try:
            done = _condensation_post(request, code_group, extra)
        except ActionRefused as exc:
            extra["error"] = str(exc)
            extra["error_for"] = request.POST.get("subgroup", "")
            status = 400
        else:
            if done is not None:
                return done
    else:
        record(request.user, "workbench.condensation.view", code_group, analysis=analysis.pk)
    units = condensation.group_units(code_group)
    subgroups = list(
        code_group.subgroups.prefetch_related(
            "units__transcript__interview__participant", "condensates__units", "quotes__transcript"
        )
    )
    placed = {u.pk for s in subgroups for u in s.units.all()}
    posted = request.POST if status == 400 else None
    sections = []
    for sg in subgroups:
        condensate = next(iter(sg.condensates.all()), None)
        own = posted is not None and posted.get("subgroup") == str(sg.pk)
        draft = extra.get("draft") if extra.get("draft_for") == sg.pk else None
        cited = {u.pk for u in condensate.units.all()} if condensate else set()
        text = condensate.text if condensate else ""
        if own and posted is not None and "text" in posted:
            text = posted["text"]
            cited = set(_ints_or_empty(posted.getlist("units")))
        if draft is not None:
            text = draft["text"]
            cited = {u.pk for u in sg.units.all()}
        sections.append(
            {
                "subgroup": sg,
                "units": _unit_rows(list(sg.units.all())),
                "condensate": condensate,
                "text": text,
                "cited": cited,
                "draft": draft,
                "quotes": list(sg.quotes.all()),
                "candidates": extra.get("candidates") if extra.get("ranked_for") == sg.pk else None,
                "error": extra.get("error") if own else "",
            }
        )
    return render(
        request,
        "workbench/condensation.html",
        {
            "analysis": analysis,
            **_nav(analysis, 3),
            "group": code_group,
            "units": _unit_rows(units),
            "unplaced": [u for u in units if u.pk not in placed],
            "sections": sections,
            "proposal": extra.get("proposal"),
            "error": extra.get("error") if not extra.get("error_for") else "",
            "language_model": condensation.language_model() is not None,
            "posted": posted,
        },
        status=status,
    )


def _ints_or_empty(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _condensation_post(
    request: HttpRequest, group: CodeGroup, extra: dict[str, Any]
) -> HttpResponse | None:
    """Do what the form asked; a response to send, or None to render the page with ``extra``."""
    user, post = request.user, request.POST
    action = post.get("action", "")
    back = reverse("workbench:condensation", args=[group.analysis_id, group.pk])
    if action == "suggest":
        extra["proposal"] = condensation.suggest_subgroups(group)
        return None
    if action == "accept":
        made = condensation.do_accept_subgroups(user, group, post.get("token", ""))
        messages.success(
            request,
            ngettext("%(n)d subgroup added.", "%(n)d subgroups added.", len(made))
            % {"n": len(made)},
        )
        return redirect(back)
    if action == "add":
        sg = condensation.do_add_subgroup(
            user, group, name=post.get("name", ""), unit_pks=_ints(post.getlist("units"))
        )
        messages.success(request, _("The subgroup is added."))
        return redirect(f"{back}#subgroup-{sg.pk}")
    subgroup = get_object_or_404(Subgroup, pk=_int(post.get("subgroup")), code_group=group)
    anchor = f"{back}#subgroup-{subgroup.pk}"
    if action == "edit":
        condensation.do_edit_subgroup(
            user,
            subgroup,
            name=post.get("name", ""),
            unit_pks=_ints(post.getlist("units")),
            version=_int(post.get("version")),
        )
        messages.success(request, _("The subgroup is saved."))
        return redirect(anchor)
    if action == "delete":
        condensation.do_delete_subgroup(user, subgroup)
        messages.success(request, _("The subgroup is deleted."))
        return redirect(back)
    if action in ("draft", "draft_first_person"):
        extra["draft"] = condensation.draft_condensate(
            subgroup, first_person=action == "draft_first_person"
        )
        extra["draft_for"] = subgroup.pk
        return None
    if action == "save_condensate":
        existing = None
        if post.get("condensate"):
            existing = get_object_or_404(
                Condensate, pk=_int(post.get("condensate")), subgroup=subgroup
            )
        condensation.do_save_condensate(
            user,
            subgroup,
            text=post.get("text", ""),
            unit_pks=_ints(post.getlist("units")),
            condensate=existing,
            version=_int(post.get("version")),
            draft_token=post.get("draft_token", ""),
        )
        messages.success(request, _("The condensate is saved."))
        return redirect(anchor)
    if action == "delete_condensate":
        condensate = get_object_or_404(
            Condensate, pk=_int(post.get("condensate")), subgroup=subgroup
        )
        condensation.do_delete_condensate(user, condensate)
        messages.success(request, _("The condensate is deleted."))
        return redirect(anchor)
    if action == "rank":
        extra["candidates"] = condensation.rank_quotes(subgroup)["candidates"]
        extra["ranked_for"] = subgroup.pk
        return None
    if action == "choose":
        if post.get("token"):
            condensation.do_choose_quote(user, subgroup, token=post["token"])
        else:
            unit = get_object_or_404(MeaningUnit, pk=_int(post.get("unit")), subgroups=subgroup)
            start, end = _words_in(unit, post.get("words", ""))
            condensation.do_choose_quote(user, subgroup, unit_pk=unit.pk, start=start, end=end)
        messages.success(request, _("The golden quote is chosen."))
        return redirect(anchor)
    if action == "remove_quote":
        quote = get_object_or_404(GoldenQuote, pk=_int(post.get("quote")), subgroup=subgroup)
        condensation.do_remove_quote(user, quote)
        messages.success(request, _("The golden quote is removed."))
        return redirect(anchor)
    raise ActionRefused(_("Unknown request."))


def _words_in(unit: MeaningUnit, words: str) -> tuple[int, int]:
    """The span of ``words`` inside the unit (the whole unit when empty)."""
    words = " ".join(words.split())
    text = unit.text
    if not words:
        return unit.start, unit.end
    at = text.find(words)
    if at < 0:
        raise ActionRefused(_("Those words are not in the meaning unit exactly as written."))
    return unit.start + at, unit.start + at + len(words)


# --- Step 4 --------------------------------------------------------------------------------


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
        analysis.code_groups.filter(codings__isnull=False).values_list("pk", flat=True).distinct()
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
            version = _int(posted.get("version"))
            text = posted.get("text", "")
            cited_c = set(_ints_or_empty(posted.getlist("condensates")))
            cited_q = set(_ints_or_empty(posted.getlist("quotes")))
            error = posted.get("_error", "")
        rows.append(
            {
                "key": key,
                "kind": kind,
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


@require_http_methods(GET_POST)
@never_cache
@researcher_only
def synthesis_page(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    status, error, posted = 200, "", None
    if request.method == "POST":
        try:
            return _synthesis_post(request, analysis)
        except ActionRefused as exc:
            status, error = 400, str(exc)
            posted = request.POST.copy()
            posted["_error"] = error
    else:
        record(request.user, "workbench.synthesis.view", analysis)
    categories = list(analysis.categories.prefetch_related("code_groups", "participants"))
    people = synthesis.typology_participants(analysis)
    cells = {(p.pk, c.pk) for c in categories for p in c.participants.all()}
    typology = [
        {"person": p, "cells": [(c, (p.pk, c.pk) in cells) for c in categories]} for p in people
    ]
    posted_target = posted.get("target", "") if posted is not None else ""
    kept_category = None
    if posted is not None and posted.get("action") == "edit_category":
        kept_category = _int(posted.get("category"))
    return render(
        request,
        "workbench/synthesis.html",
        {
            "analysis": analysis,
            **_nav(analysis, 4),
            "categories": categories,
            "groups": list(analysis.code_groups.all()),
            "targets": _target_rows(analysis, posted),
            "typology": typology,
            "error": error if not posted_target else "",
            "posted": posted if not posted_target else None,
            "kept_category": kept_category,
        },
        status=status,
    )


def _synthesis_post(request: HttpRequest, analysis: Analysis) -> HttpResponse:
    user, post = request.user, request.POST
    action = post.get("action", "")
    back = reverse("workbench:synthesis", args=[analysis.pk])
    if action == "add_category":
        synthesis.do_add_category(
            user,
            analysis,
            name=post.get("name", ""),
            description=post.get("description", ""),
            group_pks=_ints(post.getlist("groups")),
        )
        messages.success(request, _("The category is added."))
        return redirect(f"{back}#categories")
    if action in ("edit_category", "delete_category"):
        category = get_object_or_404(Category, pk=_int(post.get("category")), analysis=analysis)
        if action == "delete_category":
            synthesis.do_delete_category(user, category)
            messages.success(request, _("The category is deleted."))
        else:
            synthesis.do_edit_category(
                user,
                category,
                name=post.get("name", ""),
                description=post.get("description", ""),
                group_pks=_ints(post.getlist("groups")),
                version=_int(post.get("version")),
            )
            messages.success(request, _("The category is saved."))
        return redirect(f"{back}#categories")
    if action == "typology":
        cells = set()
        for value in post.getlist("cell"):
            person, _sep, column = value.partition("-")
            if not (person.isdigit() and column.isdigit()):
                raise ActionRefused(_("Unknown participant or category."))
            cells.add((int(person), int(column)))
        synthesis.do_save_typology(user, analysis, cells)
        messages.success(request, _("The typology is saved."))
        return redirect(f"{back}#typology")
    if action == "analytic_text":
        kind, _sep, target_pk = post.get("target", "").partition("-")
        target: CodeGroup | Category
        if kind == "code_group":
            target = get_object_or_404(CodeGroup, pk=_int(target_pk), analysis=analysis)
        elif kind == "category":
            target = get_object_or_404(Category, pk=_int(target_pk), analysis=analysis)
        else:
            raise Http404
        existing = None
        if post.get("analytic"):
            existing = get_object_or_404(
                AnalyticText, pk=_int(post.get("analytic")), analysis=analysis
            )
        saved = synthesis.do_save_analytic_text(
            user,
            analysis,
            target=target,
            text=post.get("text", ""),
            condensate_pks=_ints(post.getlist("condensates")),
            quote_pks=_ints(post.getlist("quotes")),
            analytic_text=existing,
            version=_int(post.get("version")),
        )
        messages.success(request, _("The analytic text is saved."))
        return redirect(f"{back}#text-{saved.pk}")
    raise ActionRefused(_("Unknown request."))


@require_GET
@never_cache
@researcher_only
def check_page(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    result = synthesis.check(analysis)
    record(request.user, "workbench.check.run", analysis, findings=len(result["findings"]))
    return render(
        request,
        "workbench/check.html",
        {"analysis": analysis, "check": result, **_nav(analysis, 5)},
    )
