"""The coordinator's day: the queue, requests taken by phone, and the coordinator's actions
on a case (assign, move, withdraw, grant, enrol, acknowledge, write)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.crypto import decrypt_str, encrypt_str
from kollega.core.errors import ActionRefused
from kollega.service import actions, forms
from kollega.service.adapters import match_case
from kollega.service.choices import EnrolmentStatus
from kollega.service.models import (
    ACTIVE_WORK_STATUSES,
    Case,
    IllegalTransition,
    ServiceSettings,
    Status,
)
from kollega.service.views.case import back_to_case, coordinator_case, page_again_with, page_with
from kollega.service.views.common import (
    GET_POST,
    REASSIGNABLE,
    act_on_form,
    cancelled_text,
    coordinator_only,
    ended_text,
    perform_fresh,
    posted,
    sent_state,
)
from kollega.service.waiting import expected_waits

# Waiting requests on one page of the queue (urgent first, then oldest).
QUEUE_PAGE_SIZE = 50


@require_GET
@coordinator_only
def queue(request: HttpRequest) -> HttpResponse:
    waiting = Case.objects.queue().only(
        "reference", "created", "category", "status", "urgent", "acknowledged_at"
    )
    # A page at a time: a backlog of thousands would otherwise be one page of thousands.
    page = Paginator(waiting, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    proposed = Case.objects.filter(status=Status.PROPOSED).select_related("counsellor__user")
    record(request.user, AuditAction.SERVICE_QUEUE_VIEW)
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
    form = forms.StaffIntakeForm(posted(request))
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
            record(request.user, AuditAction.SERVICE_REQUEST_PHONE_LINK, case)
    return render(request, "service/phone_link.html", context)


@require_POST
@coordinator_only
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = coordinator_case(request, pk)
    if not case.in_queue:
        messages.error(request, _("This request is not waiting for a counsellor."))
        return redirect("service:case", pk)
    form = forms.AssignForm(request.POST, candidates=match_case(case).proposals)
    return act_on_form(
        request,
        form,
        page=page_with(request, case, "assign_form"),
        perform=lambda: perform_fresh(
            case,
            sent_state(request, form),
            lambda fresh: actions.do_assign_counsellor(
                request.user,
                fresh,
                form.cleaned_data["counsellor"],
                override_reason=form.cleaned_data["override_reason"],
            ),
        ),
        done=lambda result: (
            _("The request is proposed to %(name)s.") % {"name": form.cleaned_data["counsellor"]}
        ),
        then="service:queue",
        refusal=page_again_with(request, pk, "assign_form", form),
    )


@require_POST
@coordinator_only
def case_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case = coordinator_case(request, pk)
    form = forms.WithdrawForm(request.POST)
    again = page_again_with(request, pk, "withdraw_form", form)

    def refusal(exc: Exception) -> HttpResponse:
        if isinstance(exc, IllegalTransition):
            messages.error(request, _("This request has already ended."))
            return redirect("service:case", pk)
        return again(exc)

    return act_on_form(
        request,
        form,
        page=page_with(request, case, "withdraw_form"),
        perform=lambda: perform_fresh(
            case,
            sent_state(request, form),
            lambda fresh: actions.do_withdraw_case(
                request.user, fresh, reason=form.cleaned_data["reason"]
            ),
        ),
        done=lambda closed: ended_text(_("The request is withdrawn."), closed),
        then=reverse("service:case", args=[pk]),
        refusal=refusal,
    )


@require_POST
@coordinator_only
def case_grant(request: HttpRequest, pk: int) -> HttpResponse:
    case = coordinator_case(request, pk)
    form = forms.GrantForm(request.POST)
    return act_on_form(
        request,
        form,
        page=page_with(request, case, "grant_form"),
        perform=lambda: actions.do_grant_conversations(
            request.user,
            case,
            extra=form.cleaned_data["extra"],
            reason=form.cleaned_data["reason"],
        ),
        done=_("The conversation limit is raised."),
        then=reverse("service:case", args=[pk]),
        refusal=back_to_case(request, pk),
        refusals=(),
    )


@require_POST
@coordinator_only
def case_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    case = coordinator_case(request, pk)
    form = forms.EnrolForm(request.POST)
    return act_on_form(
        request,
        form,
        page=page_with(request, case, "enrol_form"),
        perform=lambda: actions.do_enrol_case(request.user, case, form.cleaned_data["offering"]),
        done=lambda enrolment: (
            _("The seeker has a place.")
            if enrolment.status == EnrolmentStatus.PLACED
            else _("The offering is full; the seeker is on the waiting list.")
        ),
        then=reverse("service:case", args=[pk]),
        refusal=back_to_case(request, pk),
        refusals=(ActionRefused,),
    )


@require_POST
@coordinator_only
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    case = coordinator_case(request, pk)
    if case.counsellor_id is None or case.status not in REASSIGNABLE:
        messages.error(request, _("That is not possible in the request's current state."))
        return redirect("service:case", pk)
    others = match_case(case).others_than(case.counsellor_id)
    form = forms.ReassignForm(request.POST, candidates=others, prefix="reassign")

    def done(cancelled: list[Any]) -> str:
        text = [_("The case is moved to %(name)s.") % {"name": form.cleaned_data["counsellor"]}]
        if cancelled:
            text += [*cancelled_text(cancelled), _("The seeker is told on their status page.")]
        return " ".join(text)

    return act_on_form(
        request,
        form,
        page=page_with(request, case, "reassign_form"),
        perform=lambda: perform_fresh(
            case,
            sent_state(request, form),
            lambda fresh: actions.do_reassign_case(
                request.user,
                fresh,
                form.cleaned_data["counsellor"],
                reason=form.cleaned_data["reason"],
            ),
        ),
        done=done,
        then=reverse("service:case", args=[pk]),
        refusal=page_again_with(request, pk, "reassign_form", form),
    )


@require_POST
@coordinator_only
def case_acknowledge(request: StaffRequest, pk: int) -> HttpResponse:
    case = coordinator_case(request, pk)
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
    case = coordinator_case(request, pk)
    form = forms.CoordinatorMessageForm(request.POST, prefix="write")
    return act_on_form(
        request,
        form,
        page=page_with(request, case, "write_form"),
        perform=lambda: actions.do_write_to_seeker(
            request.user, case, body=form.cleaned_data["body"]
        ),
        done=_("Your message is on the seeker's status page."),
        then=reverse("service:case", args=[pk]),
        refusal=back_to_case(request, pk),
        refusals=(ActionRefused,),
    )
