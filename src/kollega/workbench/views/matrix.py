"""The matrix page: participants by code groups in meaning units, one cell's units, and the CSV.

The researcher sees what step 2's blind rule lets them see (``actions.matrix``). The filter
by attribute is ``?where=N``, the N-th ``(name, value)`` of the participants' attributes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.research.models import Participant
from kollega.workbench.access import get_analysis_for_user
from kollega.workbench.actions import matrix as actions
from kollega.workbench.actions.synthesis import typology_participants
from kollega.workbench.models import Analysis, CodeGroup
from kollega.workbench.results import to_csv
from kollega.workbench.views.common import int_or_none, nav, researcher_only


def _where(request: StaffRequest, analysis: Analysis) -> tuple[int | None, tuple[str, str] | None]:
    """The chosen attribute filter: its index and ``(name, value)``; none for a bad index."""
    index = int_or_none(request.GET.get("where"))
    choices = actions.attribute_choices(typology_participants(analysis))
    if index is None or not 0 <= index < len(choices):
        return None, None
    return index, choices[index]


@require_GET
@never_cache
@researcher_only
def matrix_page(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    index, where = _where(request, analysis)
    built = actions.build(request.user, analysis, where)
    record(request.user, AuditAction.WORKBENCH_MATRIX_VIEW, analysis, rows=len(built.rows))
    return render(
        request,
        "workbench/matrix.html",
        {
            "analysis": analysis,
            **nav(analysis, "matrix"),
            "matrix": built,
            "rows": [
                {
                    **row,
                    "values": [row["attributes"].get(a, "") for a in built.attributes],
                    "cells": list(zip(built.columns, row["counts"], strict=True)),
                }
                for row in built.rows
            ],
            "choices": list(enumerate(built.choices)),
            "where": index,
            "query": f"?where={index}" if index is not None else "",
        },
    )


@require_GET
@never_cache
@researcher_only
def matrix_cell(request: StaffRequest, pk: int, participant: int, group: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    person = get_object_or_404(Participant, pk=participant, study_id=analysis.study_id)
    code_group = get_object_or_404(CodeGroup, pk=group, analysis=analysis)
    units = actions.cell(request.user, analysis, person.pk, code_group)
    record(
        request.user,
        AuditAction.WORKBENCH_MATRIX_VIEW,
        analysis,
        participant=person.pk,
        code_group=code_group.pk,
        units=len(units),
    )
    context: dict[str, Any] = {
        "analysis": analysis,
        **nav(analysis, "matrix"),
        "person": person,
        "group": code_group,
        "units": units,
        "back": int_or_none(request.GET.get("where")),
    }
    return render(request, "workbench/matrix_cell.html", context)


@require_GET
@researcher_only
def matrix_csv(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    _index, where = _where(request, analysis)
    built = actions.build(request.user, analysis, where)
    table = actions.as_table(built, _("Matrix"), _("Participant"))
    record(request.user, AuditAction.WORKBENCH_RESULTS_DOWNLOAD, analysis, table="matrix")
    response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
    name = f"{slugify(analysis.name) or 'analysis'}-matrix.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
