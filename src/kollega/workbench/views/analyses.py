"""The analyses: the list, one analysis's overview, adding transcripts, placing left units."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research.access import studies_for_user
from kollega.research.models import Interview, Transcript
from kollega.workbench import actions, forms
from kollega.workbench.access import (
    analyses_for_user,
    get_analysis_for_user,
)
from kollega.workbench.actions.memos import Target
from kollega.workbench.models import (
    Analysis,
    GoldenQuote,
)
from kollega.workbench.views.common import (
    GET_POST,
    int_or_none,
    researcher_only,
    unit_in,
    version_list,
)
from kollega.workbench.views.memos import memo_panel


@require_http_methods(GET_POST)
@researcher_only
def analyses(request: StaffRequest) -> HttpResponse:
    studies = studies_for_user(request.user)
    errors: list[str] = []
    posted = request.method == "POST"
    form = forms.AnalysisForm(request.POST if posted else None, studies=studies)
    if posted:
        if not form.is_valid():
            errors = form.messages()
        else:
            analysis = actions.do_create_analysis(
                request.user, form.cleaned_data["study"], name=form.cleaned_data["name"]
            )
            messages.success(request, _("The analysis is created. Add its transcripts."))
            return redirect("workbench:analysis", analysis.pk)
    found = analyses_for_user(request.user).select_related("study")
    return render(
        request,
        "workbench/analyses.html",
        {
            "analyses": found,
            "studies": studies,
            "errors": errors,
            "posted": request.POST,
            # The study chosen in a refused post stays chosen.
            "chosen_study": int_or_none(form["study"].value()),
        },
        status=400 if errors else 200,
    )


def _addable(analysis: Analysis) -> list[Interview]:
    """The study's interviews whose transcript is de-identified and not yet in the analysis."""
    taken = analysis.transcripts.values("interview")
    return list(
        Interview.objects.filter(
            participant__study=analysis.study_id, transcript__deidentified__isnull=False
        )
        .exclude(pk__in=taken)
        .select_related("participant")
    )


@require_GET
@researcher_only
def analysis(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    record(request.user, AuditAction.WORKBENCH_ANALYSIS_VIEW, found)
    versions = version_list(found)
    broken, broken_quotes = actions.to_fix(found)
    pending = Transcript.objects.filter(
        interview__participant__study=found.study_id, deidentified__isnull=True
    ).count()
    return render(
        request,
        "workbench/analysis.html",
        {
            "analysis": found,
            "versions": versions,
            "addable": _addable(found),
            "not_deidentified": pending,
            "broken": broken,
            "broken_quotes": broken_quotes,
            "cases": actions.imported_cases(found),
            "recruited": found.study.participants.filter(imported=False),
            "memos": memo_panel(request, found, Target("analysis")),
        },
    )


@require_POST
@researcher_only
def case_link(request: StaffRequest, pk: int) -> HttpResponse:
    """Link an imported case to the recruited participant it is, once confirmed."""
    found = get_analysis_for_user(request.user, pk)
    form = forms.CaseLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, forms.first_error(form))
        return redirect(reverse("workbench:analysis", args=[found.pk]) + "#cases-heading")
    try:
        person = actions.do_link_case(
            request.user,
            found,
            case_pk=form.cleaned_data["case"],
            participant_pk=form.cleaned_data["participant"],
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The case is linked: its transcripts are now %(pseudonym)s's.")
            % {"pseudonym": person.pseudonym},
        )
    return redirect(reverse("workbench:analysis", args=[found.pk]) + "#cases-heading")


@require_POST
@researcher_only
def transcript_add(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    form = forms.TranscriptAddForm(
        request.POST, interviews=Interview.objects.filter(participant__study=found.study_id)
    )
    if not form.is_valid():
        messages.error(request, forms.first_error(form))
    else:
        try:
            actions.do_add_transcript(request.user, found, form.cleaned_data["interview"])
        except ActionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The transcript is added."))
    return redirect("workbench:analysis", found.pk)


@require_POST
@researcher_only
def unit_place(request: StaffRequest, pk: int, unit: int) -> HttpResponse:
    """Fix a unit an edit left behind: place it at the proposed offsets, or delete it."""
    found = get_analysis_for_user(request.user, pk)
    target = unit_in(request, found, unit)
    form = forms.UnitPlaceForm(request.POST)
    try:
        if form.is_valid() and form.cleaned_data["delete"]:
            actions.do_delete_unit(request.user, target)
            messages.success(request, _("The unit is deleted."))
        else:
            place = actions.proposed_place(target)
            if place is None:
                raise ActionRefused(_("Nothing of its words is left; delete it and mark it again."))
            actions.do_place_unit(request.user, target, start=place[0], end=place[1])
            messages.success(request, _("The unit is placed on the new version."))
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("workbench:analysis", found.pk)


@require_POST
@researcher_only
def quote_place(request: StaffRequest, pk: int, quote: int) -> HttpResponse:
    """Fix a golden quote an edit left behind: place it at the proposed words."""
    found = get_analysis_for_user(request.user, pk)
    target = get_object_or_404(
        GoldenQuote.objects.select_related("transcript"), pk=quote, transcript__analysis=found
    )
    place = actions.proposed_place(target)
    if place is None:
        messages.error(request, _("Nothing of its words is left; choose the quote again."))
    else:
        try:
            actions.do_place_quote(request.user, target, start=place[0], end=place[1])
        except ActionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The quote is placed on the new version."))
    return redirect("workbench:analysis", found.pk)
