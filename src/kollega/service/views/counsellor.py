"""The counsellor's pages: their cases and availability, and the one-form pages on a case
they hold (accept, decline, hand back, log, plan, refer, close)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.service import actions, forms
from kollega.service.access import holds_case
from kollega.service.models import (
    ACTIVE_WORK_STATUSES,
    CONCERN_OPEN_FOR_COUNSELLOR,
    Appointment,
    Case,
    Concern,
    CounsellorProfile,
    IllegalTransition,
    Message,
    Status,
    StatusChange,
    with_positions,
)
from kollega.service.views.case import back_to_case, left_behind, own_case, page_with, private_case
from kollega.service.views.common import (
    GET_POST,
    STALE,
    WORKING,
    act_on_form,
    calendar_response,
    cancelled_text,
    counsellor_only,
    ended_text,
    perform_fresh,
    posted,
    refused,
    sent_state,
)


@require_POST
@counsellor_only
def case_accept(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = own_case(request, pk)
    except Http404:
        if left_behind(request, pk):
            refused(request, ActionRefused(STALE))
            return redirect("service:my_cases")
        raise
    try:
        perform_fresh(
            case,
            str(request.POST.get("state", "")),
            lambda fresh: actions.do_accept_case(request.user, fresh),
        )
    except (ActionRefused, IllegalTransition) as exc:
        refused(request, exc)
    else:
        messages.success(request, _("You have accepted the case."))
    return redirect("service:case", pk)


def _case_form_page(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.StyledForm],
    *,
    heading: str,
    button: str,
    perform: Callable[[Case, Any], Any],
    done: str | Callable[[Any], str],
    allowed: tuple[str, ...],
    form_kwargs: Callable[[Case], dict[str, Any]] | None = None,
    context: Callable[[Case], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A counsellor's one-form page on their own case: decline, log, plan, refer, close.

    `perform` gets the case and the valid form; `done` is the confirmation, or makes it from
    what `perform` returned; `form_kwargs` and `context` add to the form and the page.
    """
    try:
        case = own_case(request, pk)
    except Http404:
        if left_behind(request, pk):
            # Sent from a page of a case since handed back, declined or moved away.
            refused(request, ActionRefused(STALE))
            return redirect("service:my_cases")
        raise
    if case.status not in allowed:
        sent = str(request.POST.get("state", "")) if request.method == "POST" else ""
        stale = bool(sent) and sent != case.state_token()
        if stale:
            refused(request, ActionRefused(STALE))
        else:
            messages.error(request, _("That is not possible in the request's current state."))
        return redirect("service:case", pk)
    extra = form_kwargs(case) if form_kwargs else {}
    form = form_class(posted(request), initial={"state": case.state_token()}, **extra)
    status = 400 if form.errors else 200
    if request.method == "POST" and form.is_valid():
        try:
            result = perform_fresh(
                case, sent_state(request, form), lambda fresh: perform(fresh, form)
            )
        except (ActionRefused, IllegalTransition) as exc:
            refused(request, exc)
            # What the page shows now is the case as it is; what was typed stays in the form.
            case = own_case(request, pk)
            if case.status not in allowed:
                return redirect("service:case", pk)
            data = request.POST.copy()
            data[form.add_prefix("state")] = case.state_token()
            extra = form_kwargs(case) if form_kwargs else {}
            form = form_class(data, **extra)
            form.is_valid()
            status = 409
        else:
            messages.success(request, done(result) if callable(done) else done)
            now = Case.objects.filter(pk=pk).first()
            if now is None or now.counsellor_id is None or not holds_case(request.user, now):
                return redirect("service:my_cases")
            return redirect("service:case", pk)
    return render(
        request,
        "service/case_form.html",
        {
            "case": case,
            "form": form,
            "heading": heading,
            "button": button,
            "left": case.conversations_left(),
            "limit": case.conversation_limit,
            **(context(case) if context else {}),
        },
        status=status,
    )


@require_http_methods(GET_POST)
@counsellor_only
def case_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_form_page(
        request,
        pk,
        forms.DeclineForm,
        heading=_("Decline this case"),
        button=_("Decline"),
        perform=lambda case, form: actions.do_decline_case(
            request.user, case, reason=form.cleaned_data["reason"]
        ),
        done=_("You declined the case; it is back in the queue."),
        allowed=(Status.PROPOSED,),
    )


@require_http_methods(GET_POST)
@counsellor_only
def case_hand_back(request: HttpRequest, pk: int) -> HttpResponse:
    """The counsellor gives back a case they accepted, for example on recognising the seeker."""
    return _case_form_page(
        request,
        pk,
        forms.HandBackForm,
        heading=_("Hand the case back"),
        button=_("Hand the case back"),
        perform=lambda case, form: actions.do_hand_back_case(
            request.user, case, reason=form.cleaned_data["reason"]
        ),
        done=lambda cancelled: " ".join(
            [
                _(
                    "You handed the case back; it is in the queue again and never comes back to you."
                ),
                *cancelled_text(cancelled),
            ]
        ),
        allowed=WORKING,
        context=lambda case: {"planned": actions.planned_after(case), "hand_back": True},
    )


@require_http_methods(GET_POST)
@counsellor_only
def case_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    case = own_case(request, pk)
    if case.status in WORKING and case.conversations_left() <= 0:
        # No form to fill in for nothing: say why, and what to do instead.
        return render(
            request,
            "service/case_form.html",
            {
                "case": case,
                "form": None,
                "heading": _("Log a conversation"),
                "left": 0,
                "limit": case.conversation_limit,
                "limit_reached": True,
            },
            status=409 if request.method == "POST" else 200,
        )
    return _case_form_page(
        request,
        pk,
        forms.ConversationForm,
        heading=_("Log a conversation"),
        button=_("Save the conversation"),
        perform=lambda case, form: actions.do_log_conversation(
            request.user, case, **_without_state(form)
        ),
        done=_("The conversation is logged."),
        allowed=WORKING,
        form_kwargs=lambda case: {"first_day": actions.conversation_dates(case)[0]},
    )


@require_http_methods(GET_POST)
@counsellor_only
def case_appointment(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_form_page(
        request,
        pk,
        forms.AppointmentForm,
        heading=_("Plan a conversation"),
        button=_("Save the appointment"),
        perform=lambda case, form: actions.do_plan_appointment(
            request.user, case, **_without_state(form)
        ),
        done=_("The appointment is saved; the seeker sees it on their status page."),
        allowed=WORKING,
    )


@require_POST
@counsellor_only
def case_appointment_cancel(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """The counsellor cancels one planned conversation, from the button beside it."""
    case = private_case(request, pk)
    appointment = get_object_or_404(case.appointments, pk=item)
    try:
        perform_fresh(
            case,
            str(request.POST.get("state", "")),
            lambda fresh: actions.do_cancel_appointment(request.user, fresh, appointment),
        )
    except (ActionRefused, IllegalTransition) as exc:
        refused(request, exc)
    else:
        messages.success(
            request, _("The conversation is cancelled; the seeker reads that on their status page.")
        )
    return redirect("service:case", pk)


@require_http_methods(GET_POST)
@counsellor_only
def case_referral(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_form_page(
        request,
        pk,
        forms.ReferralForm,
        heading=_("Record a referral"),
        button=_("Save the referral"),
        perform=lambda case, form: actions.do_record_referral(
            request.user, case, **_without_state(form)
        ),
        done=_("The referral is recorded; its note is on the case page."),
        allowed=WORKING,
        form_kwargs=lambda case: {"region": case.region or case.pref_region},
    )


@require_http_methods(GET_POST)
@counsellor_only
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_form_page(
        request,
        pk,
        forms.CloseForm,
        heading=_("Close the case"),
        button=_("Close the case"),
        perform=lambda case, form: actions.do_close_case(
            request.user, case, **form.action_arguments()
        ),
        done=lambda closed: ended_text(_("The case is closed."), closed),
        allowed=WORKING,
        form_kwargs=lambda case: {"has_places": case.enrolments.exists()},
        context=lambda case: {
            "closing": {
                "planned": actions.planned_after(case),
                "enrolments": with_positions(
                    list(case.enrolments.select_related("offering").order_by("created"))
                ),
            }
        },
    )


def _without_state(form: Any) -> dict[str, Any]:
    """The form's cleaned data as action arguments: the state token is the view's business."""
    return {name: value for name, value in form.cleaned_data.items() if name != "state"}


@require_POST
@counsellor_only
def case_message(request: HttpRequest, pk: int) -> HttpResponse:
    case = private_case(request, pk)
    form = forms.MessageForm(request.POST)
    return act_on_form(
        request,
        form,
        page=page_with(request, case, "message_form"),
        perform=lambda: actions.do_send_message(request.user, case, body=form.cleaned_data["body"]),
        done=_("Your message is sent."),
        then=reverse("service:case", args=[pk]),
        refusal=back_to_case(request, pk),
        refusals=(ActionRefused,),
    )


@require_GET
@counsellor_only
def case_calendar(request: HttpRequest, pk: int, kind: str, item: int) -> HttpResponse:
    case = private_case(request, pk)
    return calendar_response(case, kind, item)


def _with_dates(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with `accepted_on` (its counsellor's acceptance), `unread` (the seeker's
    messages since the counsellor last opened the case) and `next_planned` (the next
    appointment not yet started): subqueries, so a list costs one query however long."""
    now = timezone.now()
    unread = (
        Message.objects.filter(case=OuterRef("pk"), sender=Message.Sender.SEEKER)
        .filter(
            Q(case__counsellor_read_at__isnull=True) | Q(created__gt=F("case__counsellor_read_at"))
        )
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.annotate(
        accepted_on=Subquery(
            StatusChange.objects.filter(case=OuterRef("pk"), new=Status.ACCEPTED)
            .order_by("-at", "-pk")
            .values("at")[:1]
        ),
        unread=Coalesce(Subquery(unread), 0),
        next_planned=Subquery(
            Appointment.objects.filter(case=OuterRef("pk"), starts__gte=now)
            .order_by("starts", "pk")
            .values("starts")[:1]
        ),
    )


@require_GET
@counsellor_only
def my_cases(request: HttpRequest) -> HttpResponse:
    profile = CounsellorProfile.objects.filter(user_id=request.user.pk or 0).first()
    cases = _with_dates(
        Case.objects.for_counsellor(request.user)
        .exclude(status__in=[Status.CANCELLED, Status.WITHDRAWN])
        # The list shows no encrypted field: none is loaded (or decrypted).
        .only(
            "pk", "reference", "urgent", "category", "status", "created", "assigned_at",
            "ended_at", "counsellor_read_at",
        )
    )  # fmt: skip
    record(request.user, AuditAction.SERVICE_MY_CASES_VIEW)
    return render(
        request,
        "service/my_cases.html",
        {
            "profile": profile,
            "proposed": cases.filter(status=Status.PROPOSED).order_by("-urgent", "assigned_at"),
            "working": cases.filter(status__in=ACTIVE_WORK_STATUSES).order_by("created"),
            "closed": cases.filter(status=Status.CLOSED).order_by("-ended_at")[:20],
            # Concerns raised by someone else: the list shows no encrypted field.
            "concerns": Concern.objects.filter(
                counsellor__user_id=request.user.pk or 0,
                status__in=CONCERN_OPEN_FOR_COUNSELLOR,
            ).only("pk", "reference", "created", "status", "region", "relation"),
        },
    )


@require_http_methods(GET_POST)
@counsellor_only
def my_profile(request: HttpRequest) -> HttpResponse:
    profile = CounsellorProfile.objects.filter(user_id=request.user.pk or 0).first()
    if profile is None:
        return render(request, "service/no_profile.html")
    form = forms.AvailabilityForm(posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        actions.do_save_counsellor_profile(request.user, form.save(commit=False))
        messages.success(request, _("Your availability is saved."))
        return redirect("service:my_profile")
    return render(
        request,
        "service/profile_form.html",
        {"form": form, "heading": _("My availability and conflicts"), "profile": profile},
        status=400 if form.errors else 200,
    )
