"""Step 3, condensation: the code groups' overview and one code group's page, with one URL
per operation on it.

A post that worked goes back to the page (at the record it changed); one that asks the
assistant (subgroups, a draft, quote candidates) shows the page with its proposal. A refused
post renders the page again with the researcher's text kept and the reason shown, and 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import forms
from kollega.workbench.access import get_analysis_for_user
from kollega.workbench.actions import condensation
from kollega.workbench.actions.memos import Target
from kollega.workbench.models import (
    Analysis,
    CodeGroup,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Subgroup,
)
from kollega.workbench.views.common import digits_of, nav, researcher_only, valid
from kollega.workbench.views.memos import memo_panel

# What an operation gives back: a response to send, or what to add to the page it renders.
Outcome = HttpResponse | dict[str, Any]


def _group_counts(analysis: Analysis) -> list[dict[str, Any]]:
    rows = []
    for group in analysis.code_groups.prefetch_related(
        "subgroups__condensates", "subgroups__quotes"
    ):
        units = MeaningUnit.objects.in_analysis().in_groups([group]).count()
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
def condensation_index(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    record(request.user, AuditAction.WORKBENCH_CONDENSATION_VIEW, analysis)
    return render(
        request,
        "workbench/condensation_index.html",
        {"analysis": analysis, "rows": _group_counts(analysis), **nav(analysis, 3)},
    )


# --- One code group's page -----------------------------------------------------------------


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


def _page(
    request: StaffRequest,
    code_group: CodeGroup,
    extra: dict[str, Any],
    *,
    refused: ActionRefused | None = None,
    operation: str = "",
) -> HttpResponse:
    """The code group's page; after a refused ``operation`` with the post kept, and 400."""
    analysis = code_group.analysis
    if refused is not None:
        extra = {**extra, "error": str(refused), "error_for": request.POST.get("subgroup", "")}
    units = condensation.group_units(code_group)
    subgroups = list(
        code_group.subgroups.prefetch_related(
            "units__transcript__interview__participant", "condensates__units", "quotes__transcript"
        )
    )
    placed = {u.pk for s in subgroups for u in s.units.all()}
    posted = request.POST if refused is not None else None
    sections = []
    for sg in subgroups:
        condensate = next(iter(sg.condensates.all()), None)
        own = posted is not None and posted.get("subgroup") == str(sg.pk)
        draft = extra.get("draft") if extra.get("draft_for") == sg.pk else None
        cited = {u.pk for u in condensate.units.all()} if condensate else set()
        text = condensate.text if condensate else ""
        if own and posted is not None and "text" in posted:
            text = posted["text"]
            cited = set(digits_of(posted.getlist("units")))
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
                # The rename form opens again with what was typed when its save was refused.
                "kept_edit": own and operation == "edit",
            }
        )
    return render(
        request,
        "workbench/condensation.html",
        {
            "analysis": analysis,
            **nav(analysis, 3),
            "group": code_group,
            "units": _unit_rows(units),
            "unplaced": [u for u in units if u.pk not in placed],
            "sections": sections,
            "proposal": extra.get("proposal"),
            "error": extra.get("error") if not extra.get("error_for") else "",
            "language_model": condensation.language_model() is not None,
            "posted": posted,
            "kept_add": posted is not None and operation == "add",
            "memos": memo_panel(request, analysis, Target("code_group", code_group.pk)),
        },
        status=400 if refused is not None else 200,
    )


@require_GET
@never_cache
@researcher_only
def condensation_page(request: StaffRequest, pk: int, group: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    code_group = get_object_or_404(CodeGroup, pk=group, analysis=analysis)
    record(request.user, AuditAction.WORKBENCH_CONDENSATION_VIEW, code_group, analysis=analysis.pk)
    return _page(request, code_group, {})


def _operation(
    name: str, do: Callable[[StaffRequest, CodeGroup], Outcome]
) -> Callable[[StaffRequest, int, int], HttpResponse]:
    """A view for one operation on a code group's page: ``do(request, group)`` runs it."""

    @require_POST
    @never_cache
    @researcher_only
    def view(request: StaffRequest, pk: int, group: int) -> HttpResponse:
        analysis = get_analysis_for_user(request.user, pk)
        code_group = get_object_or_404(CodeGroup, pk=group, analysis=analysis)
        try:
            outcome = do(request, code_group)
        except ActionRefused as exc:
            return _page(request, code_group, {}, refused=exc, operation=name)
        if isinstance(outcome, HttpResponse):
            return outcome
        return _page(request, code_group, outcome)

    view.__name__ = view.__qualname__ = f"condensation_{name}"
    view.__doc__ = do.__doc__
    return view


def _back(group: CodeGroup, subgroup: Subgroup | None = None) -> str:
    back = reverse("workbench:condensation", args=[group.analysis_id, group.pk])
    return f"{back}#subgroup-{subgroup.pk}" if subgroup is not None else back


def _subgroup_post(
    request: StaffRequest, group: CodeGroup, form_class: type[forms.SubgroupForm]
) -> tuple[Subgroup, dict[str, Any]]:
    """The subgroup a post names (404 when it is not the group's) and the post's values."""
    form = form_class(request.POST)
    form.is_valid()
    subgroup = get_object_or_404(Subgroup, pk=form.cleaned_data.get("subgroup"), code_group=group)
    return subgroup, valid(form)


# --- Subgroups -----------------------------------------------------------------------------


def _suggest(request: StaffRequest, group: CodeGroup) -> Outcome:
    """Subgroups the assistant proposes for the code group's units (nothing is stored)."""
    return {"proposal": condensation.suggest_subgroups(group)}


def _accept(request: StaffRequest, group: CodeGroup) -> Outcome:
    """Store the proposed subgroups, as they were signed when offered."""
    made = condensation.do_accept_subgroups(
        request.user, group, valid(forms.TokenForm(request.POST))["token"]
    )
    messages.success(
        request,
        ngettext("%(n)d subgroup added.", "%(n)d subgroups added.", len(made)) % {"n": len(made)},
    )
    return redirect(_back(group))


def _add(request: StaffRequest, group: CodeGroup) -> Outcome:
    """A subgroup made by hand."""
    data = valid(forms.SubgroupAddForm(request.POST))
    sg = condensation.do_add_subgroup(
        request.user, group, name=data["name"], unit_pks=data["units"]
    )
    messages.success(request, _("The subgroup is added."))
    return redirect(_back(group, sg))


def _edit(request: StaffRequest, group: CodeGroup) -> Outcome:
    """Rename a subgroup or change its units."""
    subgroup, data = _subgroup_post(request, group, forms.SubgroupEditForm)
    condensation.do_edit_subgroup(
        request.user,
        subgroup,
        name=data["name"],
        unit_pks=data["units"],
        version=data["version"],
    )
    messages.success(request, _("The subgroup is saved."))
    return redirect(_back(group, subgroup))


def _delete(request: StaffRequest, group: CodeGroup) -> Outcome:
    """Delete a subgroup with its condensate and golden quotes."""
    subgroup, _data = _subgroup_post(request, group, forms.SubgroupForm)
    condensation.do_delete_subgroup(request.user, subgroup)
    messages.success(request, _("The subgroup is deleted."))
    return redirect(_back(group))


# --- Condensates ---------------------------------------------------------------------------


def _drafter(*, first_person: bool) -> Callable[[StaffRequest, CodeGroup], Outcome]:
    def draft(request: StaffRequest, group: CodeGroup) -> Outcome:
        """A draft condensate of a subgroup's units, shown in its editor (nothing is stored)."""
        subgroup, _data = _subgroup_post(request, group, forms.SubgroupForm)
        made = condensation.draft_condensate(subgroup, first_person=first_person)
        return {"draft": made, "draft_for": subgroup.pk}

    return draft


def _save_condensate(request: StaffRequest, group: CodeGroup) -> Outcome:
    """Save a subgroup's condensate (a new one, or the one it has at ``version``)."""
    subgroup, data = _subgroup_post(request, group, forms.CondensateForm)
    existing = None
    if data["condensate"] is not None:
        existing = get_object_or_404(Condensate, pk=data["condensate"], subgroup=subgroup)
    condensation.do_save_condensate(
        request.user,
        subgroup,
        text=data["text"],
        unit_pks=data["units"],
        condensate=existing,
        version=data["version"],
        draft_token=data["draft_token"],
    )
    messages.success(request, _("The condensate is saved."))
    return redirect(_back(group, subgroup))


def _delete_condensate(request: StaffRequest, group: CodeGroup) -> Outcome:
    """Delete a subgroup's condensate."""
    subgroup, data = _subgroup_post(request, group, forms.CondensateDeleteForm)
    condensate = get_object_or_404(Condensate, pk=data["condensate"], subgroup=subgroup)
    condensation.do_delete_condensate(request.user, condensate)
    messages.success(request, _("The condensate is deleted."))
    return redirect(_back(group, subgroup))


# --- Golden quotes -------------------------------------------------------------------------


def _rank(request: StaffRequest, group: CodeGroup) -> Outcome:
    """Candidate golden quotes for a subgroup, best first (nothing is stored)."""
    subgroup, _data = _subgroup_post(request, group, forms.SubgroupForm)
    return {
        "candidates": condensation.rank_quotes(subgroup)["candidates"],
        "ranked_for": subgroup.pk,
    }


def _choose(request: StaffRequest, group: CodeGroup) -> Outcome:
    """Choose a subgroup's golden quote: a ranked candidate, or words of one of its units."""
    subgroup, data = _subgroup_post(request, group, forms.QuoteChoiceForm)
    if data["token"]:
        condensation.do_choose_quote(request.user, subgroup, token=data["token"])
    else:
        unit = get_object_or_404(MeaningUnit, pk=data["unit"], subgroups=subgroup)
        start, end = _words_in(unit, data["words"])
        condensation.do_choose_quote(request.user, subgroup, unit_pk=unit.pk, start=start, end=end)
    messages.success(request, _("The golden quote is chosen."))
    return redirect(_back(group, subgroup))


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


def _remove_quote(request: StaffRequest, group: CodeGroup) -> Outcome:
    """Remove a subgroup's golden quote."""
    subgroup, data = _subgroup_post(request, group, forms.QuoteRemoveForm)
    quote = get_object_or_404(GoldenQuote, pk=data["quote"], subgroup=subgroup)
    condensation.do_remove_quote(request.user, quote)
    messages.success(request, _("The golden quote is removed."))
    return redirect(_back(group, subgroup))


subgroups_suggest = _operation("suggest", _suggest)
subgroups_accept = _operation("accept", _accept)
subgroup_add = _operation("add", _add)
subgroup_edit = _operation("edit", _edit)
subgroup_delete = _operation("delete", _delete)
condensate_draft = _operation("draft", _drafter(first_person=False))
condensate_draft_first_person = _operation("draft_first_person", _drafter(first_person=True))
condensate_save = _operation("save_condensate", _save_condensate)
condensate_delete = _operation("delete_condensate", _delete_condensate)
quotes_rank = _operation("rank", _rank)
quote_choose = _operation("choose", _choose)
quote_remove = _operation("remove_quote", _remove_quote)
