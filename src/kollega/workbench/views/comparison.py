"""Blind double coding: comparing the coders of one transcript and settling differences."""

from __future__ import annotations

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
from kollega.workbench.views.common import (
    GET_POST,
    int_or_none,
    researcher_only,
    valid,
)


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
    if not actions.comparing(version):
        return render(request, "workbench/compare.html", {"analysis": found, "version": version})
    record(request.user, AuditAction.WORKBENCH_CODING_VIEW_COMPARISON, version, analysis=found.pk)
    report = actions.agreement_for(version)

    coders = {
        str(u.pk): u
        for u in get_user_model().objects.filter(pk__in=[int_or_none(c) for c in report["coders"]])
    }
    groups = {str(g.pk): g for g in found.code_groups.all()}
    per_group = [
        {"group": groups.get(g), **stats} for g, stats in report["per_group"].items() if g in groups
    ]
    disagreements = [
        {
            "text": d["text"],
            "cells": [
                {
                    "coder": coders.get(c),
                    "group": groups.get(d["codes"].get(c) or ""),
                    "unit": d["units"].get(c),
                }
                for c in report["coders"]
            ],
            "unit_ids": ",".join(str(u.pk) for u in d["units"].values() if u is not None),
        }
        for d in report["disagreements"]
    ]
    return render(
        request,
        "workbench/compare.html",
        {
            "analysis": found,
            "version": version,
            "report": report,
            "coders": [coders.get(c) for c in report["coders"]],
            "per_group": per_group,
            "disagreements": disagreements,
            "groups": [g for g in groups.values() if g.codable],
        },
    )


@require_POST
@researcher_only
def settle(request: StaffRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    form = forms.SettleForm(request.POST, analysis=found)
    group = None
    try:
        data = valid(form)
        group = data["group"]
        units = list(version.units.filter(pk__in=data["units"]))
        actions.do_settle_disagreement(request.user, units, group)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Settled: every coder's unit is in %(group)s.") % {"group": group.name}
        )
    return redirect(reverse("workbench:compare", args=[found.pk, version.pk]) + "#disagreements")
