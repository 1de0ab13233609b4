"""Pages for studies and their participants."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.errors import ActionRefused
from kollega.core.navigation import study_links_for
from kollega.research import actions, forms
from kollega.research.access import get_participant_for_user, get_study_for_user, studies_for_user
from kollega.research.models import Participant
from kollega.research.recruitment import windows
from kollega.research.views.base import GET_POST, form_page, posted, researcher_only


@require_GET
@researcher_only
def studies(request: StaffRequest) -> HttpResponse:
    # Cases of imported projects were never recruited: the count is of recruited people.
    mine = studies_for_user(request.user).prefetch_related(
        Prefetch("participants", queryset=Participant.objects.filter(imported=False))
    )
    return render(request, "research/studies.html", {"studies": mine})


@require_http_methods(GET_POST)
@researcher_only
def study_new(request: StaffRequest) -> HttpResponse:
    form = forms.StudyNewForm(posted(request), initial={"language": "nb"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        waves = forms.STANDARD_WAVES if data.pop("standard_waves") else []
        study = actions.do_create_study(
            request.user, **data, waves=[(str(name), a, b) for name, a, b in waves]
        )
        messages.success(request, _("The study is created."))
        return redirect("research:study", study.pk)
    return form_page(
        request,
        form,
        heading=_("New study"),
        button=_("Create the study"),
        back=reverse("research:studies"),
    )


@require_GET
@researcher_only
def study(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_study_for_user(request.user, pk)
    form = forms.ParticipantForm(initial={"pseudonym": actions.next_pseudonym(found)})
    return _study_page(request, found, form)


def _study_page(
    request: StaffRequest, found: Any, form: forms.ParticipantForm, *, status: int = 200
) -> HttpResponse:
    participants = found.participants.prefetch_related(
        "interviews__recording", "interviews__transcript"
    )
    return render(
        request,
        "research/study.html",
        {
            "study": found,
            "participants": participants,
            "participant_form": form,
            "analyses": study_links_for(request.user, found),
        },
        status=status,
    )


@require_http_methods(GET_POST)
@researcher_only
def study_edit(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_study_for_user(request.user, pk)
    initial = {
        "title": found.title,
        "aims": found.aims,
        "language": found.language,
        "researchers": list(found.researchers.all()),
    }
    form = forms.StudyEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_study(request.user, found, **form.cleaned_data)
        except ActionRefused as exc:
            form.add_error("researchers", str(exc))
        else:
            messages.success(request, _("The study is saved."))
            return redirect("research:study", found.pk)
    return form_page(
        request,
        form,
        heading=_("Edit the study"),
        button=_("Save"),
        back=reverse("research:study", args=[found.pk]),
    )


@require_POST
@researcher_only
def participant_new(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_study_for_user(request.user, pk)
    form = forms.ParticipantForm(request.POST)
    if form.is_valid():
        try:
            participant = actions.do_add_participant(
                request.user, found, pseudonym=form.cleaned_data["pseudonym"]
            )
        except ActionRefused as exc:
            form.add_error("pseudonym", str(exc))
        else:
            messages.success(request, _("%s is added.") % participant.pseudonym)
            return redirect("research:participant", participant.pk)
    return _study_page(request, found, form, status=400)


@require_GET
@researcher_only
def participant(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_participant_for_user(request.user, pk)
    interviews = found.interviews.select_related("recording", "transcript", "wave")
    return render(
        request,
        "research/participant.html",
        {
            "participant": found,
            "interviews": interviews,
            "windows": windows(found, timezone.localdate()),
        },
    )


@require_http_methods(GET_POST)
@researcher_only
def participant_withdraw(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_participant_for_user(request.user, pk)
    form = forms.WithdrawForm(posted(request))
    if request.method == "POST" and form.is_valid():
        study_pk = found.study_id
        counts = actions.do_withdraw_participant(request.user, found)
        messages.success(
            request,
            _(
                "%(pseudonym)s is withdrawn. Deleted: interviews (%(interviews)d), "
                "recordings (%(recordings)d) and transcripts (%(transcripts)d)."
            )
            % {"pseudonym": found.pseudonym, **counts},
        )
        return redirect("research:study", study_pk)
    return render(
        request,
        "core/confirm.html",
        {
            "form": form,
            "heading": _("Withdraw %s") % found.pseudonym,
            "explanation": _(
                "Withdrawal deletes this participant's interviews, recordings, transcripts and "
                "everything made from them, at once and for good. The audit log keeps only "
                "that it happened."
            ),
            "button": _("Withdraw and delete"),
            "danger": True,
            "back": reverse("research:participant", args=[found.pk]),
        },
        status=400 if form.errors else 200,
    )
