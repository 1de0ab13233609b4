"""The case page, shown to the counsellor it is with and to coordinators: what each reader
may see is decided here, before the template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kollega.core.roles import COORDINATOR, has_role
from kollega.service import actions, forms
from kollega.service.access import get_case_for_user, holds_case, may_read_private
from kollega.service.adapters import match_case
from kollega.service.models import Case, Status
from kollega.service.views.common import REASSIGNABLE, WORKING, refused, staff_only


def case_page(request: HttpRequest, case: Case, *, status: int = 200, **bound: Any) -> HttpResponse:
    """The case page. What it shows depends on who asks: the counsellor who accepted the case
    sees everything, a counsellor it is only proposed to sees what they need to decide, a
    coordinator sees the matching and coordination, never the seeker's words or messages.

    What a reader may not see is left out here, before the template: the seeker's words,
    the notes of conversations and referrals, where and how to meet, and the messages reach
    it only when `may_read_private`; the reasons in the history only for coordinators.
    """
    user = request.user
    private = may_read_private(user, case)
    holder = holds_case(user, case)
    coordinator = has_role(user, COORDINATOR)
    working = private and holder and case.status in WORKING
    context: dict[str, Any] = {
        "case": case,
        "holder": holder,
        # A counsellor the case is proposed to decides whether to accept it.
        "deciding": holder and case.status == Status.PROPOSED,
        "proposed_only": holder and not private and case.status == Status.PROPOSED,
        "coordinator": coordinator,
        "history": _history(case, reasons=coordinator),
        "conversations": _conversations(case, private=private),
        "appointments": _appointments(case, private=private, working=working),
        "referrals": _referrals(case, private=private),
        "enrolments": case.enrolments.select_related("offering"),
        # The counsellor working on the case logs, plans, refers, closes or hands it back.
        "working": working,
        "limit": case.conversation_limit,
        "left": case.conversations_left(),
        # What the page may show of the request itself.
        "request_view": _request_view(case, private=private, coordinator=coordinator),
    }
    if private:
        context["messages_list"] = case.messages.all()
        context["message_form"] = bound.get("message_form") or forms.MessageForm()
    if coordinator:
        movable = case.counsellor_id is not None and case.status in REASSIGNABLE
        match = match_case(case) if case.in_queue or movable else None
        context["match"] = match
        context["assign_form"] = bound.get("assign_form") or forms.AssignForm(
            candidates=match.proposals if match and case.in_queue else []
        )
        if movable and match is not None:
            context["reassign_form"] = bound.get("reassign_form") or forms.ReassignForm(
                candidates=match.others_than(case.counsellor_id),
                prefix="reassign",
                initial={"state": case.state_token()},
            )
        context["write_form"] = bound.get("write_form") or forms.CoordinatorMessageForm(
            prefix="write"
        )
        context["grant_form"] = bound.get("grant_form") or forms.GrantForm()
        context["withdraw_form"] = bound.get("withdraw_form") or forms.WithdrawForm(
            initial={"state": case.state_token()}
        )
        # Only the withdraw form warns about them: no query for other readers.
        context["planned"] = actions.planned_after(case) if case.is_open else []
        context["enrol_form"] = bound.get("enrol_form") or forms.EnrolForm()
    return render(request, "service/case.html", context, status=status)


def _history(case: Case, *, reasons: bool) -> list[dict[str, Any]]:
    """The case's moves; why each was made only for a reader who may see `reasons`."""
    return [
        {
            "at": change.at,
            "old": change.get_old_display(),
            "new": change.get_new_display(),
            "actor_label": change.actor_label,
            "reason": change.reason_display() if reasons and change.reason else "",
        }
        for change in case.status_changes.select_related("actor")
    ]


def _conversations(case: Case, *, private: bool) -> list[dict[str, Any]]:
    """The conversations held; their notes only for a reader who may see `private` things."""
    return [
        {
            "held_on": conversation.held_on,
            "mode": conversation.get_mode_display(),
            "minutes": conversation.minutes,
            "note": conversation.note if private else "",
        }
        for conversation in case.conversations.all()
    ]


def _appointments(case: Case, *, private: bool, working: bool) -> list[dict[str, Any]]:
    """The planned conversations. Where and how to meet, and the calendar file, only for a
    reader who may see `private` things; the counsellor `working` on the case may cancel
    those still to come."""
    now = timezone.now()
    shown = []
    for appointment in case.appointments.all():
        item: dict[str, Any] = {
            "pk": appointment.pk,
            "starts": appointment.starts,
            "mode": appointment.get_mode_display(),
        }
        if private:
            item["link"] = appointment.link
            item["where"] = appointment.where
            item["calendar"] = reverse(
                "service:case_calendar", args=[case.pk, "appointment", appointment.pk]
            )
            item["cancellable"] = working and appointment.starts > now
        shown.append(item)
    return shown


def _referrals(case: Case, *, private: bool) -> list[dict[str, Any]]:
    """The referrals; the words for the seeker and the note only for a reader who may see
    `private` things."""
    return [
        {
            "kind": referral.get_kind_display(),
            "place": referral.place.name if referral.place else "",
            "offering": referral.offering or "",
            "created": referral.created,
            "for_seeker": referral.for_seeker if private else "",
            "note": referral.note if private else "",
        }
        for referral in case.referrals.select_related("offering", "place")
    ]


def _request_view(case: Case, *, private: bool, coordinator: bool) -> dict[str, Any]:
    """The request's details this reader may see, beyond situation, hopes and wishes (which
    everyone with the case sees).

    The names to avoid and the contact details go to coordinators and to the counsellor who
    has accepted; the seeker's own words and optional profile only to that counsellor. A
    counsellor the case is only proposed to gets where the seeker works and their specialty
    (a colleague in a small field may be a conflict), nothing else.
    """
    view: dict[str, Any] = {}
    if private or coordinator:
        view["avoid"] = [v for v in (case.avoid_employers, case.avoid_people) if v]
        view["contact"] = [
            {"text": str(case.get_contact_method_display())},
            *[{"text": v} for v in (case.contact_name, case.contact_email) if v],
            *([{"text": case.contact_phone, "phone": True}] if case.contact_phone else []),
        ]
    if private:
        view["description"] = case.description
        profile = (
            case.get_gender_display(),
            case.get_age_band_display(),
            case.get_specialty_display(),
            case.get_position_display(),
            case.get_region_display(),
        )
        view["profile"] = [str(label) for label in profile if label]
    elif not coordinator:
        work = (case.get_region_display(), case.get_specialty_display())
        view["work"] = [str(label) for label in work if label]
    return view


@require_GET
@staff_only
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, audit_view=True)
    response = case_page(request, case)
    if may_read_private(request.user, case):
        actions.do_mark_case_read(request.user, case)
    return response


def coordinator_case(request: HttpRequest, pk: int) -> Case:
    return get_case_for_user(request.user, pk)


def own_case(request: HttpRequest, pk: int) -> Case:
    """A case proposed to or held by the signed-in counsellor (to accept, decline or work on);
    coordinators without the case get 404 too."""
    case = get_case_for_user(request.user, pk)
    if not holds_case(request.user, case):
        raise Http404
    return case


def private_case(request: HttpRequest, pk: int) -> Case:
    """A case whose messages and appointments the signed-in counsellor may read: one they
    have accepted. A counsellor it is only proposed to gets 404, as a stranger would."""
    case = get_case_for_user(request.user, pk)
    if not may_read_private(request.user, case):
        raise Http404
    return case


def case_page_again(request: HttpRequest, pk: int, name: str, form: Any) -> HttpResponse:
    """The case page as the case is now, after a refused form; the form keeps what was typed
    and now carries the case's current state, so sending it again is a deliberate choice."""
    case = coordinator_case(request, pk)
    data = request.POST.copy()
    data[form.add_prefix("state")] = case.state_token()
    form.data = data
    return case_page(request, case, status=409, **{name: form})


def left_behind(request: HttpRequest, pk: int) -> bool:
    """A form from a page of a case the signed-in counsellor had until it was declined, handed
    back or moved (they are excluded from it now): they may be told it has changed."""
    return (
        request.method == "POST"
        and Case.objects.filter(pk=pk, excluded_counsellors__user_id=request.user.pk or 0).exists()
    )


def page_with(request: HttpRequest, case: Case, name: str) -> Callable[[Any], HttpResponse]:
    """For `act_on_form`: the case page again with the invalid form as its `name` (400)."""
    return lambda form: case_page(request, case, status=400, **{name: form})


def page_again_with(
    request: HttpRequest, pk: int, name: str, form: Any
) -> Callable[[Exception], HttpResponse]:
    """For `act_on_form`: say why the action was refused, then show the case as it is now
    with the form as typed (see `case_page_again`)."""

    def answer(exc: Exception) -> HttpResponse:
        refused(request, exc)
        return case_page_again(request, pk, name, form)

    return answer


def back_to_case(request: HttpRequest, pk: int) -> Callable[[Exception], HttpResponse]:
    """For `act_on_form`: say why the action was refused, then show the case page."""

    def answer(exc: Exception) -> HttpResponse:
        refused(request, exc)
        return redirect("service:case", pk)

    return answer
