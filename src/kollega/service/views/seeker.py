"""The help-seeker's pages, without an account: the intake, and the status page their secret
link opens with what they can do there."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import SEEKER, AuditAction, record
from kollega.core.emergency import emergency_numbers, service_phone
from kollega.core.errors import ActionRefused
from kollega.core.navigation import status_panels_for
from kollega.service import actions, forms
from kollega.service.access import Throttled, case_for_token, count_intake, intake_allowed
from kollega.service.adapters import proposals_for_seeker
from kollega.service.models import (
    ACTIVE_WORK_STATUSES,
    Case,
    IllegalTransition,
    ServiceSettings,
    Status,
    with_positions,
)
from kollega.service.views.common import (
    GET_POST,
    REASSIGNABLE,
    STALE,
    WORKING,
    calendar_response,
    cancelled_text,
    posted,
    refused,
    throttled_page,
)
from kollega.service.waiting import expected_waits


@require_http_methods(GET_POST)
def intake(request: HttpRequest) -> HttpResponse:
    form = forms.IntakeForm(posted(request))
    status = 200
    throttled = False
    if request.method == "POST":
        # A person at acute risk is never turned away, however many colleagues on the same
        # hospital network have written this hour.
        urgent = request.POST.get("acute_risk") == "yes"
        if not urgent and not intake_allowed(request):
            # The form comes back with everything typed, to send again later.
            throttled, status = True, 429
        elif form.is_valid():
            count_intake(request)
            submitted = actions.do_submit_request(
                language=get_language() or "", **form.request_fields()
            )
            request.session["service_new_reference"] = submitted.case.reference
            return redirect(reverse("service:status", args=[submitted.token]) + "?new=1")
        else:
            status = 400
    offerings = form.fields["wanted_offering"].queryset.values_list(  # type: ignore[attr-defined]
        "pk", "title", "title_en", "title_zh", "starts"
    )
    context = {
        "form": form,
        "throttled": throttled,
        "service_phone": service_phone(),
        "emergency_numbers": emergency_numbers(),
        "waits": expected_waits(),
        "retention_days": settings.KOLLEGA_RETENTION_DAYS,
        # The empty form's fields are rendered once per language and set of open offerings.
        "offerings_key": "" if form.is_bound else repr(list(offerings)),
    }
    return render(request, "service/intake.html", context, status=status)


def seeker_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the status-link token into a case (404 when wrong, 429 when throttled)."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            case = case_for_token(request, token)
        except Throttled:
            return throttled_page(request)
        return view(request, case, token, *args, **kwargs)

    return wrapped


def _what_you_sent(case: Case) -> list[dict[str, Any]]:
    """What the seeker sent at intake, each answer under the question they answered.

    Only the status page reached with the seeker's own token shows this. Optional questions
    left unanswered are left out; the two yes-or-no questions are always shown.
    """
    questions = {name: field.label for name, field in forms.IntakeForm.base_fields.items()}
    questions["research_consent"] = _("May researchers invite you to an interview?")
    yes_no = {True: _("Yes"), False: _("No")}
    answers: list[tuple[str, Any]] = [
        ("acute_risk", yes_no[case.urgent]),
        ("category", case.get_category_display()),
        ("description", case.description),
        ("expectations", ", ".join(case.expectation_labels())),
        ("wanted_offering", case.wanted_offering.seeker_title() if case.wanted_offering else ""),
    ]
    # Choices whose blank means "no answer" (their blank label reads "No preference" and the like).
    for name in (
        "pref_gender",
        "pref_meeting",
        "pref_region",
        "pref_language",
        "pref_specialty",
    ):
        answers.append(
            (name, getattr(case, f"get_{name}_display")() if getattr(case, name) else "")
        )
    answers += [("avoid_employers", case.avoid_employers), ("avoid_people", case.avoid_people)]
    for name in ("gender", "age_band", "specialty", "position", "region"):
        answers.append(
            (name, getattr(case, f"get_{name}_display")() if getattr(case, name) else "")
        )
    answers += [
        ("contact_method", case.get_contact_method_display()),
        ("contact_name", case.contact_name),
        ("contact_email", case.contact_email),
        ("contact_phone", case.contact_phone),
        ("research_consent", yes_no[case.research_consent]),
    ]
    return [
        {"name": name, "question": questions[name], "answer": answer}
        for name, answer in answers
        if answer
    ]


def _status_context(request: HttpRequest, case: Case, token: str, **extra: Any) -> dict[str, Any]:
    enrolments = with_positions(list(case.enrolments.select_related("offering")))
    return {
        "case": case,
        "token": token,
        "status_url": request.build_absolute_uri(reverse("service:status", args=[token])),
        "sent": _what_you_sent(case),
        "referrals": case.referrals.select_related("offering", "place"),
        "urgent_minutes": settings.KOLLEGA_URGENT_ESCALATION_MINUTES,
        "counsellor_name": case.counsellor.first_name
        if case.counsellor and case.status in (*ACTIVE_WORK_STATUSES, Status.CLOSED)
        else "",
        "messages_list": case.messages.all(),
        "appointments": case.appointments.all(),
        "enrolments": enrolments,
        "waits": expected_waits() if case.in_queue else None,
        "emergency_numbers": emergency_numbers(),
        "retention_days": settings.KOLLEGA_RETENTION_DAYS,
        "message_form": extra.pop("message_form", None) or forms.MessageForm(),
        **_seeker_coordination(case),
        # Sections added by apps above the service (research's invitations).
        "status_panels": status_panels_for(request, case, token),
        **extra,
    }


def _seeker_coordination(case: Case) -> dict[str, Any]:
    """What the status page adds for the coordinator's day: a move to another counsellor, and
    the proposals to choose from when the service lets seekers choose."""
    moved = None
    if case.counsellor_id is not None and case.status in REASSIGNABLE:
        # Only while the counsellor it moved to still has it: once declined, it is in the queue.
        last = case.status_changes.filter(new=Status.PROPOSED).order_by("-at", "-pk").first()
        if last is not None and (
            last.old in WORKING or (last.old == Status.PROPOSED and case.accepted_at is not None)
        ):
            moved = last
    choice = (
        proposals_for_seeker(case)
        if case.in_queue and not case.urgent and ServiceSettings.current().seeker_choice
        else []
    )
    return {"moved": moved, "choice": choice}


@require_GET
@seeker_view
def status(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    record(SEEKER, AuditAction.SERVICE_REQUEST_VIEW, case)
    return render(
        request,
        "service/status.html",
        _status_context(request, case, token, is_new=request.GET.get("new") == "1"),
    )


@require_POST
@seeker_view
def status_message(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    form = forms.MessageForm(request.POST)
    if form.is_valid():
        try:
            actions.do_send_message(SEEKER, case, body=form.cleaned_data["body"])
        except ActionRefused as exc:
            refused(request, exc)
        else:
            messages.success(request, _("Your message is sent."))
        return redirect("service:status", token)
    return render(
        request,
        "service/status.html",
        _status_context(request, case, token, message_form=form),
        status=400,
    )


@require_http_methods(GET_POST)
@seeker_view
def status_cancel(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    form = forms.ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = actions.do_cancel_request(case)
        except IllegalTransition:
            messages.error(request, _("This request has already ended."))
        else:
            done = [_("Your request is cancelled."), *cancelled_text(cancelled)]
            messages.success(request, " ".join(done))
        return redirect("service:status", token)
    return render(
        request,
        "service/cancel.html",
        {
            "case": case,
            "form": form,
            "heading": _("Cancel your request?"),
            "explanation": _(
                "We stop looking for a counsellor, and your counsellor stops working on it. "
                "You can still read your status page. Everything about your request is "
                "deleted %(days)s days after you cancel."
            )
            % {"days": settings.KOLLEGA_RETENTION_DAYS},
            "button": _("Cancel my request"),
            "planned": actions.planned_after(case) if case.is_open else [],
            "back": reverse("service:status", args=[token]),
            "delete_url": reverse("service:status_delete", args=[token]),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(GET_POST)
@seeker_view
def status_delete(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    form = forms.ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        actions.do_delete_case_data(case, deleted_by=SEEKER)
        return render(request, "service/deleted.html")
    return render(
        request,
        "core/confirm.html",
        {
            "case": case,
            "form": form,
            "heading": _("Delete all your data now?"),
            "explanation": _(
                "Everything you wrote, your contact details, the messages and the counsellor's "
                "notes are deleted at once and cannot be brought back. Your status link stops "
                "working. Only an anonymous count for the statistics remains."
            )
            + (
                " "
                + _(
                    "A study you take part in keeps your interviews, as you agreed: to withdraw "
                    "from research too, do that first on your status page."
                )
                if case.research_consent
                else ""
            ),
            "button": _("Delete all my data"),
            "danger": True,
            "back": reverse("service:status", args=[token]),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(GET_POST)
@seeker_view
def feedback(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    if case.status != Status.CLOSED or case.feedback_given:
        raise Http404
    form = forms.FeedbackForm(posted(request))
    if request.method == "POST" and form.is_valid():
        recommend = {"yes": True, "no": False}.get(form.cleaned_data["would_recommend"])
        actions.do_submit_feedback(
            case,
            helpfulness=int(form.cleaned_data["helpfulness"]),
            would_recommend=recommend,
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Thank you for your feedback."))
        return redirect("service:status", token)
    return render(
        request,
        "service/feedback.html",
        {"case": case, "form": form, "token": token},
        status=400 if form.errors else 200,
    )


@require_GET
@seeker_view
def status_calendar(
    request: HttpRequest, case: Case, token: str, kind: str, pk: int
) -> HttpResponse:
    return calendar_response(case, kind, pk)


@require_POST
@seeker_view
def status_choose(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    if case.urgent or not case.is_open or not ServiceSettings.current().seeker_choice:
        raise Http404
    if not case.in_queue:
        # Sent from an older page: a counsellor has been found meanwhile.
        refused(request, ActionRefused(STALE))
        return redirect("service:status", token)
    form = forms.ChooseForm(request.POST, proposals=proposals_for_seeker(case))
    if form.is_valid():
        actions.do_choose_counsellor(case, form.cleaned_data["counsellor"])
        messages.success(request, _("Thank you. We have asked the counsellor you chose."))
    else:
        messages.error(request, _("That counsellor can no longer be chosen. Choose again."))
    return redirect("service:status", token)
