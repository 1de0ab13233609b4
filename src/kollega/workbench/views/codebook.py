"""The code book: the analysis's code groups as a tree to work in, and undo.

Every change is an ordinary form post answered with a redirect (keyboard and no-script
friendly); merging and deleting first show what will happen and ask to confirm.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.errors import ActionRefused
from kollega.workbench import actions, forms
from kollega.workbench.access import get_analysis_for_user
from kollega.workbench.actions.matrix import tree as _tree
from kollega.workbench.models import (
    COLOURS,
    AlsoCoded,
    Analysis,
    AnalyticText,
    CodeGroup,
    Coding,
    MeaningUnit,
)
from kollega.workbench.views.coding import _step2_answer
from kollega.workbench.views.common import researcher_only, valid


def colour_choices() -> list[tuple[int, str]]:
    return [(n, str(name)) for n, name in enumerate(COLOURS, start=1)]


def _group(found: Analysis, group: int) -> CodeGroup:
    target: CodeGroup = get_object_or_404(CodeGroup, pk=group, analysis=found)
    return target


def _back(found: Analysis, group: CodeGroup | None = None) -> HttpResponse:
    if group is not None and CodeGroup.objects.filter(pk=group.pk).exists():
        return redirect("workbench:group_edit", found.pk, group.pk)
    return redirect("workbench:codebook", found.pk)


@require_GET
@researcher_only
def codebook(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    groups = list(found.code_groups.all())
    counts = Counter(
        # The units of the researcher's step-2 pages: their own (blind coders do not see each
        # other's sorting) and agreed ones, never an original a closed round replaced.
        Coding.objects.filter(
            code_group__analysis=found,
            unit__in=MeaningUnit.objects.on_page_of(request.user),
        ).values_list("code_group_id", flat=True)
    )
    counts.update(
        AlsoCoded.objects.filter(
            code_group__analysis=found,
            unit__in=MeaningUnit.objects.on_page_of(request.user),
        ).values_list("code_group_id", flat=True)
    )
    tree = _tree(groups)
    siblings: dict[int | None, list[int]] = {}
    for g, _depth in tree:
        siblings.setdefault(g.parent_id, []).append(g.pk)
    names = dict(colour_choices())
    rows = [
        {
            "group": g,
            "depth": depth,
            "count": counts.get(g.pk, 0),
            "colour_name": names.get(g.colour, ""),
            "first": siblings[g.parent_id][0] == g.pk,
            "last": siblings[g.parent_id][-1] == g.pk,
        }
        for g, depth in tree
    ]
    step = actions.last_undo(request.user, found)
    versions = list(found.transcripts.filter(current=True).defer("text", "turns_json")[:1])
    return render(
        request,
        "workbench/codebook.html",
        {
            "analysis": found,
            "rows": rows,
            "undo": actions.describe(step) if step else "",
            "versions": versions,
        },
    )


@require_POST
@researcher_only
def group_move(request: StaffRequest, pk: int, group: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = _group(found, group)
    form = forms.GroupMoveForm(request.POST, analysis=found)
    try:
        data = valid(form)
        actions.do_move_group(request.user, target, parent=data["parent"], version=data["version"])
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return _back(found, target)
    messages.success(request, _("%(group)s is moved.") % {"group": target.name})
    return _back(found)


@require_POST
@researcher_only
def group_reorder(request: StaffRequest, pk: int, group: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = _group(found, group)
    form = forms.GroupReorderForm(request.POST)
    try:
        data = valid(form)
        actions.do_reorder_group(
            request.user, target, up=data["direction"] == "up", version=data["version"]
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return _back(found)
    messages.success(request, _("%(group)s is moved.") % {"group": target.name})
    return _back(found)


@require_POST
@researcher_only
def group_colour(request: StaffRequest, pk: int, group: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = _group(found, group)
    form = forms.GroupColourForm(request.POST)
    try:
        data = valid(form)
        actions.do_set_colour(request.user, target, colour=data["colour"], version=data["version"])
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return _back(found, target)
    messages.success(request, _("The colour of %(group)s is saved.") % {"group": target.name})
    return _back(found)


def _confirm(
    request: StaffRequest, found: Analysis, target: CodeGroup, context: dict[str, Any]
) -> HttpResponse:
    units = target.codings.count()
    if context.get("merge"):
        # A merge moves the units that are also in the group too; a delete sends back to
        # "to sort" only those whose first group it is (the others stay in their groups).
        units += target.also_coded.count()
    return render(
        request,
        "workbench/codebook_confirm.html",
        {
            "analysis": found,
            "group": target,
            "units": units,
            "children": target.children.count(),
            "subgroups": target.subgroups.count(),
            "analytic_text": AnalyticText.objects.filter(code_group=target).exists(),
            **context,
        },
    )


@require_POST
@researcher_only
def group_merge(request: StaffRequest, pk: int, group: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = _group(found, group)
    form = forms.GroupMergeForm(request.POST, analysis=found)
    try:
        data = valid(form)
        if not data["confirm"]:
            return _confirm(
                request,
                found,
                target,
                {"merge": True, "into": data["into"], "version": data["version"]},
            )
        kept = actions.do_merge_groups(request.user, target, data["into"], version=data["version"])
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return _back(found, target)
    messages.success(
        request,
        _("%(gone)s is merged into %(kept)s.") % {"gone": target.name, "kept": kept.name},
    )
    return _back(found)


@require_POST
@researcher_only
def group_delete(request: StaffRequest, pk: int, group: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = _group(found, group)
    form = forms.GroupDeleteForm(request.POST)
    try:
        data = valid(form)
        if not data["confirm"]:
            return _confirm(request, found, target, {"merge": False, "version": data["version"]})
        actions.do_delete_group(request.user, target, version=data["version"])
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return _back(found, target)
    messages.success(
        request,
        _("%(group)s is deleted; its units are back in “to sort”.") % {"group": target.name},
    )
    return _back(found)


@require_POST
@researcher_only
def undo(request: StaffRequest, pk: int) -> HttpResponse:
    """Undo the researcher's last step; answer on the coding page when it came from there."""
    found = get_analysis_for_user(request.user, pk)
    form = forms.UndoForm(request.POST)
    form.is_valid()
    t = form.cleaned_data.get("t")
    version = found.transcripts.filter(pk=t, current=True).first() if t else None
    refused: ActionRefused | None = None
    done = ""
    try:
        done = _("Undone: %(what)s.") % {"what": actions.do_undo(request.user, found)}
    except ActionRefused as exc:
        refused = exc
    if version is not None:
        return _step2_answer(request, found, version, done=done, refused=refused)
    if refused is not None:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect("workbench:codebook", found.pk)
