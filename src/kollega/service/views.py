"""Pages of the service. Views are thin: they check access, validate forms and call actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import record
from kollega.core.crypto import decrypt_str, encrypt_str
from kollega.core.emergency import emergency_numbers, service_phone
from kollega.core.errors import ActionRefused
from kollega.core.navigation import status_panels_for
from kollega.core.roles import (
    COORDINATOR,
    COUNSELLOR,
    COUNTY_LEADER,
    counties_of,
    has_role,
    role_required,
)
from kollega.service import actions, choices, forms
from kollega.service.access import (
    Throttled,
    case_for_token,
    count_intake,
    get_case_for_user,
    holds_case,
    intake_allowed,
    may_read_private,
)
from kollega.service.actions import SEEKER
from kollega.service.choices import EnrolmentStatus
from kollega.service.ics import calendar_file
from kollega.service.matching import match_case, proposals_for_seeker
from kollega.service.models import (
    ACTIVE_WORK_STATUSES,
    CONCERN_OPEN_FOR_COUNSELLOR,
    Appointment,
    Case,
    Concern,
    CounsellorProfile,
    Enrolment,
    Feedback,
    IllegalTransition,
    Message,
    Offering,
    ReferralPlace,
    ServiceSettings,
    Status,
    StatusChange,
    with_positions,
)
from kollega.service.waiting import expected_waits

GET_POST = ["GET", "HEAD", "POST"]
# Waiting requests on one page of the queue (urgent first, then oldest).
QUEUE_PAGE_SIZE = 50
# Past counselling days and courses listed on the offerings page, latest first.
PAST_OFFERINGS_SHOWN = 20
# Counsellors on one page of the coordinator's list (a service may have hundreds).
COUNSELLORS_PAGE_SIZE = 50

staff_only = role_required(COUNSELLOR, COORDINATOR)
coordinator_only = role_required(COORDINATOR)
counsellor_only = role_required(COUNSELLOR)
directory_keepers = role_required(COORDINATOR, COUNTY_LEADER)


def _posted(request: HttpRequest) -> Any:
    """The POST data on a POST (even when empty, so the form shows what is missing)."""
    return request.POST if request.method == "POST" else None


STALE = "stale"


def _perform_fresh(case: Case, sent: str, perform: Callable[[Case], Any]) -> Any:
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


def _sent_state(request: HttpRequest, form: Any) -> str:
    return str(request.POST.get(form.add_prefix("state"), ""))


def _refused(request: HttpRequest, exc: Exception) -> None:
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


# --- The help-seeker ---------------------------------------------------------------------


@require_http_methods(GET_POST)
def intake(request: HttpRequest) -> HttpResponse:
    form = forms.IntakeForm(_posted(request))
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
            return render(
                request,
                "service/throttled.html",
                {"emergency_numbers": emergency_numbers(), "service_phone": service_phone()},
                status=429,
            )
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
    record(SEEKER, "service.request.view", case)
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
            _refused(request, exc)
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
    form = forms.ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = actions.do_cancel_request(case)
        except IllegalTransition:
            messages.error(request, _("This request has already ended."))
        else:
            done = [_("Your request is cancelled."), *_cancelled_text(cancelled)]
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
    form = forms.ConfirmForm(_posted(request))
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
    form = forms.FeedbackForm(_posted(request))
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
    return _calendar(case, kind, pk)


def _calendar(case: Case, kind: str, pk: int) -> HttpResponse:
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


# --- Counsellors and coordinators --------------------------------------------------------


@require_GET
@coordinator_only
def queue(request: HttpRequest) -> HttpResponse:
    waiting = Case.objects.queue().only(
        "reference", "created", "category", "status", "urgent", "acknowledged_at"
    )
    # A page at a time: a backlog of thousands would otherwise be one page of thousands.
    page = Paginator(waiting, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    proposed = Case.objects.filter(status=Status.PROPOSED).select_related("counsellor__user")
    record(request.user, "service.queue.view")
    return render(
        request,
        "service/queue.html",
        {
            "page": page,
            "urgent_count": waiting.filter(urgent=True).count(),
            "proposed": proposed.order_by("assigned_at"),
            "active_count": Case.objects.filter(status__in=ACTIVE_WORK_STATUSES).count(),
            "waits": expected_waits(),
            "auto_assign": ServiceSettings.current().auto_assign,
        },
    )


# The session key under which a phone request's status link waits, encrypted, to be read
# out once on the phone-link page.
PHONE_LINK_KEY = "service_phone_link"


@require_http_methods(GET_POST)
@coordinator_only
def new_request(request: HttpRequest) -> HttpResponse:
    form = forms.StaffIntakeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        submitted = actions.do_submit_request(
            actor=request.user, spoken=True, **form.request_fields()
        )
        # Never in a URL (logs, history) nor in clear at rest: encrypted in the session until
        # the phone-link page shows it once.
        request.session[PHONE_LINK_KEY] = {
            "case": submitted.case.pk,
            "reference": submitted.case.reference,
            "token": encrypt_str(submitted.token),
        }
        return redirect("service:phone_link")
    return render(
        request, "service/new_request.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
@never_cache
@coordinator_only
def phone_link(request: HttpRequest) -> HttpResponse:
    """The status link of the request just recorded, to read aloud: shown once, then gone.

    Opening the page takes the link out of the session, so a reload, the back button or a
    later visit finds nothing.
    """
    held = request.session.pop(PHONE_LINK_KEY, None)
    context: dict[str, Any] = {"shown": False}
    if isinstance(held, dict) and held.get("token"):
        token = decrypt_str(str(held["token"]))
        path = reverse("service:status", args=[token])
        case = Case.objects.filter(pk=int(held.get("case") or 0)).only("pk", "reference").first()
        context = {
            "shown": True,
            "case": case,
            "reference_groups": str(held.get("reference", "")).split("-"),
            "token_groups": token.split("-"),
            "link": settings.SITE_URL + path,
            "link_start": settings.SITE_URL + path[: -len(token) - 1],
        }
        if case is not None:
            record(request.user, "service.request.phone_link", case)
    return render(request, "service/phone_link.html", context)


def _case_page(
    request: HttpRequest, case: Case, *, status: int = 200, **bound: Any
) -> HttpResponse:
    """The case page. What it shows depends on who asks: the counsellor who accepted the case
    sees everything, a counsellor it is only proposed to sees what they need to decide, a
    coordinator sees the matching and coordination, never the seeker's words or messages.
    The seeker's own words are not even given to the template unless `private`."""
    user = request.user
    private = may_read_private(user, case)
    holder = holds_case(user, case)
    coordinator = has_role(user, COORDINATOR)
    context: dict[str, Any] = {
        "case": case,
        "private": private,
        "holder": holder,
        "proposed_only": holder and not private,
        "coordinator": coordinator,
        "history": case.status_changes.select_related("actor"),
        "conversations": case.conversations.all(),
        "appointments": case.appointments.all(),
        "referrals": case.referrals.select_related("offering", "place"),
        "enrolments": case.enrolments.select_related("offering"),
        # Planned conversations still to come can be cancelled by the counsellor working on it.
        "working": private and holder and case.status in WORKING,
        "now": timezone.now(),
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
            str(case.get_contact_method_display()),
            *[v for v in (case.contact_name, case.contact_email, case.contact_phone) if v],
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
    response = _case_page(request, case)
    if may_read_private(request.user, case):
        actions.do_mark_case_read(request.user, case)
    return response


def _coordinator_case(request: HttpRequest, pk: int) -> Case:
    return get_case_for_user(request.user, pk)


def _own_case(request: HttpRequest, pk: int) -> Case:
    """A case proposed to or held by the signed-in counsellor (to accept, decline or work on);
    coordinators without the case get 404 too."""
    case = get_case_for_user(request.user, pk)
    if not holds_case(request.user, case):
        raise Http404
    return case


def _private_case(request: HttpRequest, pk: int) -> Case:
    """A case whose messages and appointments the signed-in counsellor may read: one they
    have accepted. A counsellor it is only proposed to gets 404, as a stranger would."""
    case = get_case_for_user(request.user, pk)
    if not may_read_private(request.user, case):
        raise Http404
    return case


@require_POST
@coordinator_only
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    if not case.in_queue:
        messages.error(request, _("This request is not waiting for a counsellor."))
        return redirect("service:case", pk)
    form = forms.AssignForm(request.POST, candidates=match_case(case).proposals)
    if not form.is_valid():
        return _case_page(request, case, status=400, assign_form=form)
    try:
        _perform_fresh(
            case,
            _sent_state(request, form),
            lambda fresh: actions.do_assign_counsellor(
                request.user,
                fresh,
                form.cleaned_data["counsellor"],
                override_reason=form.cleaned_data["override_reason"],
            ),
        )
    except (ActionRefused, IllegalTransition) as exc:
        _refused(request, exc)
        return _case_page_again(request, pk, "assign_form", form)
    messages.success(
        request,
        _("The request is proposed to %(name)s.") % {"name": form.cleaned_data["counsellor"]},
    )
    return redirect("service:queue")


@require_POST
@coordinator_only
def case_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, withdraw_form=form)
    try:
        closed = _perform_fresh(
            case,
            _sent_state(request, form),
            lambda fresh: actions.do_withdraw_case(
                request.user, fresh, reason=form.cleaned_data["reason"]
            ),
        )
    except IllegalTransition:
        messages.error(request, _("This request has already ended."))
    except ActionRefused as exc:
        _refused(request, exc)
        return _case_page_again(request, pk, "withdraw_form", form)
    else:
        messages.success(request, _ended_text(_("The request is withdrawn."), closed))
    return redirect("service:case", pk)


@require_POST
@coordinator_only
def case_grant(request: HttpRequest, pk: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    form = forms.GrantForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, grant_form=form)
    actions.do_grant_conversations(
        request.user, case, extra=form.cleaned_data["extra"], reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("The conversation limit is raised."))
    return redirect("service:case", pk)


@require_POST
@coordinator_only
def case_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    form = forms.EnrolForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, enrol_form=form)
    try:
        enrolment = actions.do_enrol_case(request.user, case, form.cleaned_data["offering"])
    except ActionRefused as exc:
        _refused(request, exc)
    else:
        if enrolment.status == EnrolmentStatus.PLACED:
            messages.success(request, _("The seeker has a place."))
        else:
            messages.success(request, _("The offering is full; the seeker is on the waiting list."))
    return redirect("service:case", pk)


@require_POST
@counsellor_only
def case_accept(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = _own_case(request, pk)
    except Http404:
        if _left_behind(request, pk):
            _refused(request, ActionRefused(STALE))
            return redirect("service:my_cases")
        raise
    try:
        _perform_fresh(
            case,
            str(request.POST.get("state", "")),
            lambda fresh: actions.do_accept_case(request.user, fresh),
        )
    except (ActionRefused, IllegalTransition) as exc:
        _refused(request, exc)
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
        case = _own_case(request, pk)
    except Http404:
        if _left_behind(request, pk):
            # Sent from a page of a case since handed back, declined or moved away.
            _refused(request, ActionRefused(STALE))
            return redirect("service:my_cases")
        raise
    if case.status not in allowed:
        sent = str(request.POST.get("state", "")) if request.method == "POST" else ""
        stale = bool(sent) and sent != case.state_token()
        if stale:
            _refused(request, ActionRefused(STALE))
        else:
            messages.error(request, _("That is not possible in the request's current state."))
        return redirect("service:case", pk)
    extra = form_kwargs(case) if form_kwargs else {}
    form = form_class(_posted(request), initial={"state": case.state_token()}, **extra)
    status = 400 if form.errors else 200
    if request.method == "POST" and form.is_valid():
        try:
            result = _perform_fresh(
                case, _sent_state(request, form), lambda fresh: perform(fresh, form)
            )
        except (ActionRefused, IllegalTransition) as exc:
            _refused(request, exc)
            # What the page shows now is the case as it is; what was typed stays in the form.
            case = _own_case(request, pk)
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


def _left_behind(request: HttpRequest, pk: int) -> bool:
    """A form from a page of a case the signed-in counsellor had until it was declined, handed
    back or moved (they are excluded from it now): they may be told it has changed."""
    return (
        request.method == "POST"
        and Case.objects.filter(pk=pk, excluded_counsellors__user_id=request.user.pk or 0).exists()
    )


def _case_page_again(request: HttpRequest, pk: int, name: str, form: Any) -> HttpResponse:
    """The case page as the case is now, after a refused form; the form keeps what was typed
    and now carries the case's current state, so sending it again is a deliberate choice."""
    case = _coordinator_case(request, pk)
    data = request.POST.copy()
    data[form.add_prefix("state")] = case.state_token()
    form.data = data
    return _case_page(request, case, status=409, **{name: form})


WORKING = (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED)
REASSIGNABLE = (Status.PROPOSED, *WORKING)


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
                *_cancelled_text(cancelled),
            ]
        ),
        allowed=WORKING,
        context=lambda case: {"planned": actions.planned_after(case), "hand_back": True},
    )


@require_http_methods(GET_POST)
@counsellor_only
def case_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    case = _own_case(request, pk)
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
    case = _private_case(request, pk)
    appointment = get_object_or_404(case.appointments, pk=item)
    try:
        _perform_fresh(
            case,
            str(request.POST.get("state", "")),
            lambda fresh: actions.do_cancel_appointment(request.user, fresh, appointment),
        )
    except (ActionRefused, IllegalTransition) as exc:
        _refused(request, exc)
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
        done=lambda closed: _ended_text(_("The case is closed."), closed),
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


def _cancelled_text(cancelled: list[Appointment]) -> list[str]:
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


def _ended_text(first: str, closed: actions.Closed) -> str:
    """What ending the case (closing or withdrawing it) changed, after ``first``."""
    parts = [first, *_cancelled_text(closed.cancelled)]
    if closed.kept:
        parts.append(_("The seeker keeps their places on counselling days and courses."))
    if closed.released:
        parts.append(_("The seeker's places are given up; the waiting lists have moved up."))
    if closed.cancelled or closed.kept or closed.released:
        parts.append(_("The seeker is told on their status page."))
    return " ".join(parts)


@require_POST
@counsellor_only
def case_message(request: HttpRequest, pk: int) -> HttpResponse:
    case = _private_case(request, pk)
    form = forms.MessageForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, message_form=form)
    try:
        actions.do_send_message(request.user, case, body=form.cleaned_data["body"])
    except ActionRefused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Your message is sent."))
    return redirect("service:case", pk)


@require_GET
@counsellor_only
def case_calendar(request: HttpRequest, pk: int, kind: str, item: int) -> HttpResponse:
    case = _private_case(request, pk)
    return _calendar(case, kind, item)


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
    record(request.user, "service.my_cases.view")
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
    form = forms.AvailabilityForm(_posted(request), instance=profile)
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


@require_GET
@coordinator_only
def counsellors(request: HttpRequest) -> HttpResponse:
    """The counsellors a page at a time, with the load of the page's counsellors counted in one
    query (counting every counsellor's cases before paging read the whole case history)."""
    profiles = (
        CounsellorProfile.objects.select_related("user")
        # The list never shows the conflicts; the encrypted one would be decrypted per row.
        .defer("conflict_people", "conflict_employers")
        .order_by("user__first_name", "user__last_name", "pk")
    )
    page = Paginator(profiles, COUNSELLORS_PAGE_SIZE).get_page(request.GET.get("page"))
    loads = dict(
        Case.objects.filter(
            counsellor__in=[profile.pk for profile in page],
            status__in=[Status.PROPOSED, *ACTIVE_WORK_STATUSES],
        )
        .values("counsellor")
        .annotate(n=Count("pk"))
        .values_list("counsellor", "n")
    )
    # Labels looked up once per page: get_FOO_display() translates every choice on each call.
    regions, specialties = dict(choices.Region.choices), dict(choices.Specialty.choices)
    languages = dict(choices.Language.choices)
    for profile in page:
        profile.load = loads.get(profile.pk, 0)  # type: ignore[attr-defined]
        profile.region_label = regions.get(profile.region, profile.region)  # type: ignore[attr-defined]
        profile.specialty_label = specialties.get(profile.specialty, profile.specialty)  # type: ignore[attr-defined]
        profile.language_list = ", ".join(str(languages.get(c, c)) for c in profile.languages)  # type: ignore[attr-defined]
    return render(request, "service/counsellors.html", {"page": page})


@require_http_methods(GET_POST)
@coordinator_only
def counsellor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    profile = get_object_or_404(CounsellorProfile, pk=pk) if pk is not None else None
    form_class = forms.CounsellorProfileForm if profile else forms.NewCounsellorForm
    form = form_class(_posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        actions.do_save_counsellor_profile(request.user, form.save(commit=False))
        messages.success(request, _("The counsellor profile is saved."))
        return redirect("service:counsellors")
    heading = str(profile) if profile else _("New counsellor profile")
    return render(
        request,
        "service/profile_form.html",
        {"form": form, "heading": heading, "profile": profile},
        status=400 if form.errors else 200,
    )


@require_GET
@coordinator_only
def offerings(request: HttpRequest) -> HttpResponse:
    items = Offering.objects.annotate(
        placed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.PLACED)),
        waiting_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
    )
    # What is still to come first, soonest first; of the past only the latest, so that years
    # of courses neither push the coming ones down the page nor make it slow.
    now = timezone.now()
    past = items.filter(starts__lt=now)
    return render(
        request,
        "service/offerings.html",
        {
            "offerings": items.filter(starts__gte=now).order_by("starts", "pk"),
            "past": past.order_by("-starts", "-pk")[:PAST_OFFERINGS_SHOWN],
            "past_count": past.count(),
        },
    )


@require_http_methods(GET_POST)
@coordinator_only
def offering_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    offering = get_object_or_404(Offering, pk=pk) if pk is not None else None
    form = forms.OfferingForm(_posted(request), instance=offering)
    if request.method == "POST" and form.is_valid():
        saved = actions.do_save_offering(request.user, form.save(commit=False))
        messages.success(request, _("The offering is saved."))
        return redirect("service:offering", saved.pk)
    enrolments = (
        with_positions(
            list(
                offering.enrolments.select_related("case")
                .only("offering_id", "status", "created", "case__reference")
                .order_by("status", "created")
            )
        )
        if offering
        else []
    )
    return render(
        request,
        "service/offering.html",
        {"form": form, "offering": offering, "enrolments": enrolments},
        status=400 if form.errors else 200,
    )


@require_POST
@coordinator_only
def enrolment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment, pk=pk)
    offering_pk = enrolment.offering_id
    placed = enrolment.status == EnrolmentStatus.PLACED
    reference = {"reference": enrolment.case.reference}
    actions.do_remove_enrolment(request.user, enrolment)
    done = (
        _("%(reference)s no longer has a place; the next on the waiting list moves up.")
        if placed
        else _("%(reference)s is off the waiting list.")
    )
    messages.success(request, done % reference)
    return redirect("service:offering", offering_pk)


@require_GET
@coordinator_only
def feedback_summary(request: HttpRequest) -> HttpResponse:
    summary = Feedback.objects.aggregate(
        count=Count("pk"),
        average=Avg("helpfulness"),
        recommend=Count("pk", filter=Q(would_recommend=True)),
    )
    comments = [f for f in Feedback.objects.exclude(comment="")[:50] if f.comment]
    record(request.user, "service.feedback.view")
    return render(
        request, "service/feedback_summary.html", {"summary": summary, "comments": comments}
    )


# --- The coordinator's day -----------------------------------------------------------------


@require_POST
@seeker_view
def status_choose(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    if case.urgent or not case.is_open or not ServiceSettings.current().seeker_choice:
        raise Http404
    if not case.in_queue:
        # Sent from an older page: a counsellor has been found meanwhile.
        _refused(request, ActionRefused(STALE))
        return redirect("service:status", token)
    form = forms.ChooseForm(request.POST, proposals=proposals_for_seeker(case))
    if form.is_valid():
        actions.do_choose_counsellor(case, form.cleaned_data["counsellor"])
        messages.success(request, _("Thank you. We have asked the counsellor you chose."))
    else:
        messages.error(request, _("That counsellor can no longer be chosen. Choose again."))
    return redirect("service:status", token)


@require_POST
@coordinator_only
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    if case.counsellor_id is None or case.status not in REASSIGNABLE:
        messages.error(request, _("That is not possible in the request's current state."))
        return redirect("service:case", pk)
    others = match_case(case).others_than(case.counsellor_id)
    form = forms.ReassignForm(request.POST, candidates=others, prefix="reassign")
    if not form.is_valid():
        return _case_page(request, case, status=400, reassign_form=form)
    try:
        cancelled = _perform_fresh(
            case,
            _sent_state(request, form),
            lambda fresh: actions.do_reassign_case(
                request.user,
                fresh,
                form.cleaned_data["counsellor"],
                reason=form.cleaned_data["reason"],
            ),
        )
    except (ActionRefused, IllegalTransition) as exc:
        _refused(request, exc)
        return _case_page_again(request, pk, "reassign_form", form)
    done = [_("The case is moved to %(name)s.") % {"name": form.cleaned_data["counsellor"]}]
    if cancelled:
        done += [*_cancelled_text(cancelled), _("The seeker is told on their status page.")]
    messages.success(request, " ".join(done))
    return redirect("service:case", pk)


@require_POST
@coordinator_only
def case_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    try:
        actions.do_acknowledge_urgent(request.user, case)
    except ActionRefused:
        messages.error(request, _("This request is not urgent or is already acknowledged."))
    else:
        messages.success(request, _("The urgent request is acknowledged."))
    return redirect("service:case", pk)


@require_POST
@coordinator_only
def case_write(request: HttpRequest, pk: int) -> HttpResponse:
    case = _coordinator_case(request, pk)
    form = forms.CoordinatorMessageForm(request.POST, prefix="write")
    if not form.is_valid():
        return _case_page(request, case, status=400, write_form=form)
    try:
        actions.do_write_to_seeker(request.user, case, body=form.cleaned_data["body"])
    except ActionRefused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Your message is on the seeker's status page."))
    return redirect("service:case", pk)


@require_http_methods(GET_POST)
@coordinator_only
def service_settings(request: HttpRequest) -> HttpResponse:
    form = forms.ServiceSettingsForm(_posted(request), instance=ServiceSettings.current())
    if request.method == "POST" and form.is_valid():
        actions.do_save_service_settings(request.user, form.save(commit=False))
        messages.success(request, _("The settings are saved."))
        return redirect("service:settings")
    return render(
        request,
        "service/settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- The referral directory ----------------------------------------------------------------


def _directory_counties(user: Any) -> set[str] | None:
    """The counties whose entries `user` keeps: None (all) for a coordinator, else the
    counties a county leader leads."""
    return None if has_role(user, COORDINATOR) else counties_of(user)


def _kept_places(user: Any) -> QuerySet[ReferralPlace]:
    counties = _directory_counties(user)
    places = ReferralPlace.objects.all()
    return places if counties is None else places.filter(region__in=counties)


@require_GET
@directory_keepers
def directory(request: HttpRequest) -> HttpResponse:
    county = request.GET.get("county", "")
    places = _kept_places(request.user)
    if county in choices.Region.values:
        places = places.filter(Q(region=county) | Q(region=""))
    return render(
        request,
        "service/directory.html",
        {
            "places": places,
            "county": county,
            "counties": choices.Region.choices,
        },
    )


@require_http_methods(GET_POST)
@directory_keepers
def directory_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    # A county leader asking for another county's entry is told it does not exist.
    place = get_object_or_404(_kept_places(request.user), pk=pk) if pk is not None else None
    form = forms.ReferralPlaceForm(
        _posted(request), instance=place, counties=_directory_counties(request.user)
    )
    if request.method == "POST" and form.is_valid():
        actions.do_save_referral_place(request.user, form.save(commit=False))
        messages.success(request, _("The directory entry is saved."))
        return redirect("service:directory")
    return render(
        request,
        "service/directory_entry.html",
        {"form": form, "place": place},
        status=400 if form.errors else 200,
    )


@require_POST
@directory_keepers
def directory_delete(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(_kept_places(request.user), pk=pk)
    actions.do_delete_referral_place(request.user, place)
    messages.success(request, _("The entry is removed; past referrals to it are kept."))
    return redirect("service:directory")
