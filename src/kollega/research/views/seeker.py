"""The seeker's side of research, reached from their status page with its secret link: the
answer to an invitation, the withdrawal of research consent, and the invitations panel the
status page shows.

The views keep the status page's addresses and names (`service:status_research…`): the URL
conf mounts them beside the service's own. The service knows nothing of them; the panel
reaches its page through `kollega.core.navigation.register_status_panel`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kollega.core.errors import ActionRefused
from kollega.research.actions import do_answer_invitation, invitations_for
from kollega.research.consent import do_withdraw_research_consent
from kollega.research.models import Invitation, InvitationStatus
from kollega.service.forms import ConfirmForm, InvitationAnswerForm
from kollega.service.models import Case
from kollega.service.pool import pool_member
from kollega.service.views import GET_POST, seeker_view


def status_panel(request: HttpRequest, case: Case, token: str) -> str:
    """The status page's research section: the seeker's invitations to answer or answered.
    Empty for a seeker who did not consent to be invited."""
    if not case.research_consent:
        return ""
    invitations = [
        {
            "invitation": invitation,
            "pending": invitation.status == InvitationStatus.PENDING,
        }
        for invitation in invitations_for(case.research_id)
    ]
    return render_to_string(
        "research/status_panel.html",
        {"case": case, "token": token, "invitations": invitations},
        request=request,
    )


@require_POST
@seeker_view
def status_research(request: HttpRequest, case: Case, token: str, pk: int) -> HttpResponse:
    """The seeker accepts or declines an invitation to a study."""
    if case.research_id is None:
        raise Http404
    invitation = get_object_or_404(Invitation, pk=pk, link=case.research_id)
    form = InvitationAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose yes or no."))
        return redirect("service:status", token)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        do_answer_invitation(invitation, accept=accept, member=pool_member(case.research_id))
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Thank you. You take part in the study; the researchers will book an interview.")
            if accept
            else _("Thank you. You are not in this study, and nothing changes for your help."),
        )
    return redirect("service:status", token)


@require_http_methods(GET_POST)
@seeker_view
def status_research_withdraw(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    """The seeker withdraws their research consent: out of the pool, out of every study."""
    if not case.research_consent:
        raise Http404
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        do_withdraw_research_consent(case)
        messages.success(
            request,
            _(
                "You have withdrawn from research. The researchers' interviews, recordings and "
                "transcripts of you are deleted, and you will not be invited again."
            ),
        )
        return redirect("service:status", token)
    return render(
        request,
        "core/confirm.html",
        {
            "case": case,
            "form": form,
            "heading": _("Withdraw from research?"),
            "explanation": _(
                "You will not be invited to research again. If you take part in a study, "
                "everything the researchers hold about you (interviews, recordings, "
                "transcripts and their analysis of them) is deleted at once. Your request for "
                "help is not affected."
            ),
            "button": _("Withdraw from research"),
            "danger": True,
            "back": reverse("service:status", args=[token]),
        },
        status=400 if form.errors else 200,
    )
