"""What the service's pages share: the role checks, how a posted form becomes an action, and
the words that tell staff and seekers what an action did or why it was refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms as django_forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kollega.core.emergency import emergency_numbers, service_phone
from kollega.core.errors import ActionRefused
from kollega.core.roles import COORDINATOR, COUNSELLOR, COUNTY_LEADER, role_required
from kollega.service.actions import Closed
from kollega.service.choices import EnrolmentStatus
from kollega.service.ics import calendar_file
from kollega.service.models import (
    ACTIVE_WORK_STATUSES,
    Appointment,
    Case,
    IllegalTransition,
    Status,
)

T = TypeVar("T")

GET_POST = ["GET", "HEAD", "POST"]

staff_only = role_required(COUNSELLOR, COORDINATOR)
coordinator_only = role_required(COORDINATOR)
counsellor_only = role_required(COUNSELLOR)
directory_keepers = role_required(COORDINATOR, COUNTY_LEADER)

# The case states in which a counsellor works on a case, and those in which a coordinator
# may move it to another counsellor.
WORKING = ACTIVE_WORK_STATUSES
REASSIGNABLE = (Status.PROPOSED, *WORKING)

STALE = "stale"
# The exceptions by which an action refuses: a one-form view answers them with a message.
REFUSALS = (ActionRefused, IllegalTransition)


def posted(request: HttpRequest) -> Any:
    """The POST data on a POST (even when empty, so the form shows what is missing)."""
    return request.POST if request.method == "POST" else None


def throttled_page(request: HttpRequest) -> HttpResponse:
    """Too many wrong status links from this address: wait, or call (429)."""
    return render(
        request,
        "service/throttled.html",
        {"emergency_numbers": emergency_numbers(), "service_phone": service_phone()},
        status=429,
    )


def perform_fresh(case: Case, sent: str, perform: Callable[[Case], T]) -> T:
    """Run `perform` on the case as it is now (read again, locked), unless it has changed
    since the page that sent `sent` (its `Case.state_token`) was made: then raise
    ActionRefused("stale"). The check and the change are one transaction, so two windows
    sending at once cannot both pass it. A form sent without a token (not from a page) is
    left to the state machine alone, which then judges the case as it is now."""
    with transaction.atomic():
        current = Case.objects.select_for_update().filter(pk=case.pk).first()
        if current is None or (sent and current.state_token() != sent):
            raise ActionRefused(STALE)
        return perform(current)


def sent_state(request: HttpRequest, form: Any) -> str:
    return str(request.POST.get(form.add_prefix("state"), ""))


def refused(request: HttpRequest, exc: Exception) -> None:
    texts = {
        "limit": _("The conversation limit for this case is reached. Ask a coordinator for more."),
        "consent": _("A referral needs the seeker's consent."),
        "closed": _("This request is closed; no more messages can be sent."),
        STALE: _(
            "The request has changed since you opened this page (in another window, or by "
            "someone else). Nothing is saved. Check what it says now, and send again if it "
            "still fits."
        ),
    }
    messages.error(
        request,
        texts.get(str(exc), _("That is not possible in the request's current state.")),
    )


def act_on_form(
    request: HttpRequest,
    form: django_forms.BaseForm,
    *,
    page: Callable[[django_forms.BaseForm], HttpResponse],
    perform: Callable[[], T],
    done: str | Callable[[T], str],
    then: str | Callable[[T], HttpResponse],
    refusal: Callable[[Exception], HttpResponse],
    refusals: tuple[type[Exception], ...] = REFUSALS,
) -> HttpResponse:
    """The pattern of every one-form action on a case or a concern.

    An invalid form gets `page(form)`, the page again with what was typed (status 400). A
    valid one runs `perform` (which reads the object afresh where it must); one of
    `refusals` raised gets `refusal(exc)`, which tells the reader why and answers; otherwise
    the reader is told `done` (or `done(result)`) and sent to `then` (a URL or its name, or a
    function of the result that answers).
    """
    if not form.is_valid():
        return page(form)
    try:
        result = perform()
    except refusals as exc:
        return refusal(exc)
    messages.success(request, done(result) if callable(done) else done)
    return then(result) if callable(then) else redirect(then)


def calendar_response(case: Case, kind: str, pk: int) -> HttpResponse:
    """An appointment of the case, or the offering it has a place on, as an iCalendar file."""
    if kind == "appointment":
        appointment = get_object_or_404(case.appointments, pk=pk)
        return calendar_file(
            uid_seed=f"appointment:{appointment.pk}",
            starts=appointment.starts,
            ends=appointment.ends,
            where=appointment.where,
        )
    if kind == "offering":
        enrolment = get_object_or_404(
            case.enrolments.select_related("offering"),
            offering_id=pk,
            status=EnrolmentStatus.PLACED,
        )
        offering = enrolment.offering
        return calendar_file(
            uid_seed=f"offering:{offering.pk}:{case.pk}",
            starts=offering.starts,
            ends=offering.ends,
            where=offering.place,
        )
    raise Http404


def cancelled_text(cancelled: list[Appointment]) -> list[str]:
    if not cancelled:
        return []
    return [
        ngettext(
            "%(count)d planned conversation is cancelled.",
            "%(count)d planned conversations are cancelled.",
            len(cancelled),
        )
        % {"count": len(cancelled)}
    ]


def ended_text(first: str, closed: Closed) -> str:
    """What ending the case (closing or withdrawing it) changed, after ``first``."""
    parts = [first, *cancelled_text(closed.cancelled)]
    if closed.kept:
        parts.append(_("The seeker keeps their places on counselling days and courses."))
    if closed.released:
        parts.append(_("The seeker's places are given up; the waiting lists have moved up."))
    if closed.cancelled or closed.kept or closed.released:
        parts.append(_("The seeker is told on their status page."))
    return " ".join(parts)
