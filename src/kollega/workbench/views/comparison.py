"""Blind double coding: rounds of comparing the coders of one transcript and settling."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import actions, forms
from kollega.workbench.access import (
    get_analysis_for_user,
    get_transcript_for_user,
)
from kollega.workbench.actions.comparison import UNION
from kollega.workbench.models import (
    Analysis,
    AnalysisTranscript,
    CodeGroup,
    CodingRound,
    RoundDifference,
)
from kollega.workbench.views.common import (
    GET_POST,
    researcher_only,
    valid,
)

EXCERPT = 300


def _name(user: Any) -> str:
    if user is None:
        return _("a former coder")
    return str(user.first_name or user.get_username())


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def round_rows(rounds: list[CodingRound], groups: dict[str, CodeGroup]) -> list[dict[str, Any]]:
    """Each round's figures as computed when it opened, and how far its settling went."""
    rows = []
    for r in rounds:
        differences = list(r.differences.all())
        rows.append(
            {
                "round": r,
                "figures": r.figures,
                "per_group": [
                    {"group": groups.get(g), **stats}
                    for g, stats in r.figures.get("per_group", {}).items()
                ],
                "differences": len(differences),
                "settled": sum(d.settled for d in differences),
            }
        )
    return rows


def _difference_rows(
    round_: CodingRound, users: dict[str, Any], groups: dict[str, CodeGroup]
) -> list[dict[str, Any]]:
    text = round_.transcript.text
    rows = []
    for d in round_.differences.select_related("settled_group", "settled_by"):
        cells = []
        for coder in (str(c) for c in round_.coders):
            spans = d.spans.get(coder) or []
            group = d.codes.get(coder)
            cells.append(
                {
                    "coder": coder,
                    "name": _name(users.get(coder)),
                    "group": groups.get(str(group)) if group else None,
                    "coded": bool(spans),
                    "quotes": [_excerpt(text[s:e]) for s, e in spans],
                }
            )
        rows.append(
            {
                "difference": d,
                "cells": cells,
                "boundaries": [c for c in cells if c["coded"]],
                "settled_text": _excerpt(text[d.settled_start : d.settled_end])
                if d.settled and not d.dropped and d.settled_start is not None
                else "",
                "boundary_name": _("the union of both")
                if d.boundary == UNION
                else _name(users.get(d.boundary)),
            }
        )
    return rows


def _page(request: StaffRequest, found: Analysis, version: AnalysisTranscript) -> HttpResponse:
    rounds = actions.rounds_of(version)
    context: dict[str, Any] = {"analysis": found, "version": version, "rounds": rounds}
    if not rounds:
        # The same as pressing "Compare" would say, said before the press: how many coders
        # have units here, never who or which.
        marked = version.units.in_analysis().values("coder").distinct().count()
        context["too_few"] = marked < 2
        return render(request, "workbench/compare.html", context)
    record(request.user, AuditAction.WORKBENCH_CODING_VIEW_COMPARISON, version, analysis=found.pk)
    current = rounds[-1]
    coders = {str(c) for r in rounds for c in r.coders}
    users = {str(u.pk): u for u in get_user_model().objects.filter(pk__in=coders)}
    groups = {str(g.pk): g for g in found.code_groups.all()}
    rows = round_rows(rounds, groups)
    differences = _difference_rows(current, users, groups)
    context.update(
        {
            "current": rows[-1],
            "earlier": rows[:-1],
            "coders": [_name(users.get(str(c))) for c in current.coders],
            "opened_by": _name(current.opened_by),
            "differences": differences,
            "unsettled": sum(not d["difference"].settled for d in differences),
            "groups": [g for g in groups.values() if g.codable],
            "union": UNION,
            "same_version": current.transcript_id == version.pk,
        }
    )
    return render(request, "workbench/compare.html", context)


@require_http_methods(GET_POST)
@researcher_only
def compare(request: StaffRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    if request.method == "POST":
        try:
            actions.do_request_comparison(request.user, version)
        except ActionRefused as exc:
            messages.error(request, str(exc))
            return redirect("workbench:coding", found.pk, version.pk)
        return redirect("workbench:compare", found.pk, version.pk)
    return _page(request, found, version)


def _back(found: Analysis, version: AnalysisTranscript, anchor: str) -> HttpResponse:
    return redirect(reverse("workbench:compare", args=[found.pk, version.pk]) + anchor)


@require_POST
@researcher_only
def settle(request: StaffRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    form = forms.SettleForm(request.POST, analysis=found)
    try:
        data = valid(form)
        difference = RoundDifference.objects.filter(
            pk=data["difference"],
            round__transcript__analysis=found,
            round__transcript__interview_id=version.interview_id,
        ).first()
        if difference is None:
            raise ActionRefused(_("Choose a difference of this transcript's open round."))
        actions.do_settle_difference(
            request.user, difference, group=data["group"], boundary=data["boundary"]
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return _back(found, version, "#differences")
    round_ = CodingRound.objects.get(pk=difference.round_id)
    if round_.is_open:
        messages.success(request, _("Settled."))
    else:
        messages.success(request, _("Settled. Every difference is settled: the round is closed."))
    return _back(found, version, "#differences")


@require_POST
@researcher_only
def close_round(request: StaffRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    round_ = actions.open_round(version)
    try:
        if round_ is None:
            raise ActionRefused(_("No round is open: compare to open one."))
        actions.do_close_round(request.user, round_)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The round is closed."))
    return _back(found, version, "")
