"""Pages for concerns raised by someone else: the public form and status page, the
coordinator's list, and the counsellor's page where they take a concern up and conclude it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import AuditAction, record
from kollega.core.emergency import emergency_numbers, service_phone
from kollega.core.roles import COORDINATOR, COUNSELLOR, has_role
from kollega.service import actions, forms
from kollega.service.access import Throttled, concern_for_token, count_intake, intake_allowed
from kollega.service.adapters import match_concern
from kollega.service.models import CONCERN_ENDED, Concern, ConcernStatus, IllegalTransition
from kollega.service.views.common import (
    GET_POST,
    act_on_form,
    coordinator_only,
    counsellor_only,
    posted,
    staff_only,
    throttled_page,
)

# --- The sender, without an account ----------------------------------------------------------


@require_http_methods(GET_POST)
def concern_new(request: HttpRequest) -> HttpResponse:
    form = forms.ConcernForm(posted(request))
    status = 200
    throttled = False
    if request.method == "POST":
        # Shares the intake's limit per address: the form is as public as the intake.
        if not intake_allowed(request):
            throttled, status = True, 429
        elif form.is_valid():
            count_intake(request)
            raised = actions.do_raise_concern(
                language=get_language() or "", **form.concern_fields()
            )
            return redirect(reverse("service:concern_status", args=[raised.token]) + "?new=1")
        else:
            status = 400
    return render(
        request,
        "service/concern_form.html",
        {
            "form": form,
            "throttled": throttled,
            "emergency_numbers": emergency_numbers(),
            "service_phone": service_phone(),
        },
        status=status,
    )


@require_GET
@never_cache
def concern_status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        concern = concern_for_token(request, token)
    except Throttled:
        return throttled_page(request)
    return render(
        request,
        "service/concern_status.html",
        {
            # Only the reference, when it came and how far it has come: never the outcome,
            # the counsellor's note, or anything about the doctor.
            "reference": concern.reference,
            "created": concern.created,
            "progress": concern.sender_progress(),
            "is_open": concern.is_open,
            "new": request.GET.get("new") == "1",
            "status_url": request.build_absolute_uri(request.path),
        },
    )


# --- Staff ----------------------------------------------------------------------------------


def _concern_for_staff(request: HttpRequest, pk: int) -> Concern:
    """The concern, for a coordinator or the counsellor it is with; otherwise 404."""
    concern = Concern.objects.select_related("counsellor__user").filter(pk=pk).first()
    if concern is None:
        raise Http404
    user = request.user
    holder = concern.counsellor is not None and concern.counsellor.user_id == user.pk
    if not (has_role(user, COORDINATOR) or (has_role(user, COUNSELLOR) and holder)):
        raise Http404
    return concern


def _holds(request: HttpRequest, concern: Concern) -> bool:
    return concern.counsellor is not None and concern.counsellor.user_id == request.user.pk


def _may_read(request: HttpRequest, concern: Concern) -> bool:
    """The doctor's name, the worry and the sender's details: only the counsellor who has
    taken the concern up. A proposed counsellor sees county, workplace and who wrote, enough
    to see a conflict; coordinators see what they need to route it."""
    if not _holds(request, concern):
        return False
    return concern.status in (ConcernStatus.TAKEN, ConcernStatus.DONE)


@require_GET
@coordinator_only
def concerns(request: HttpRequest) -> HttpResponse:
    items = Concern.objects.select_related("counsellor__user").only(
        "pk", "reference", "created", "status", "region", "relation", "counsellor"
    )
    return render(
        request,
        "service/concerns.html",
        {
            "open": items.exclude(status__in=CONCERN_ENDED).order_by("created"),
            "ended": items.filter(status__in=CONCERN_ENDED).order_by("-ended_at")[:20],
        },
    )


def _concern_page(
    request: HttpRequest, concern: Concern, status: int = 200, **forms_: Any
) -> HttpResponse:
    coordinator = has_role(request.user, COORDINATOR)
    holds = _holds(request, concern)
    private = _may_read(request, concern)
    candidates = match_concern(concern).proposals if coordinator and concern.is_open else []
    context: dict[str, Any] = {
        "concern": concern,
        # What only the counsellor who took the concern up reads: never given to others.
        "told": _told(concern) if private else None,
        "holds": holds,
        "may_take": holds and concern.status == ConcernStatus.PROPOSED,
        "coordinator": coordinator,
        "changes": concern.changes.all(),
        "candidates": candidates,
    }
    if coordinator and concern.is_open:
        context["assign_form"] = forms_.get("assign_form") or forms.ConcernAssignForm(
            candidates=candidates
        )
        context["withdraw_form"] = forms_.get("withdraw_form") or forms.ConcernWithdrawForm()
    if holds and concern.status in (ConcernStatus.PROPOSED, ConcernStatus.TAKEN):
        context["decline_form"] = forms_.get("decline_form") or forms.ConcernDeclineForm()
    if holds and concern.status == ConcernStatus.TAKEN:
        context["conclude_form"] = forms_.get("conclude_form") or forms.ConcernConcludeForm()
    if private:
        record(request.user, AuditAction.SERVICE_CONCERN_VIEW, concern)
    return render(request, "service/concern.html", context, status=status)


def _told(concern: Concern) -> dict[str, Any]:
    """The doctor's name, the worry, the sender's details, the note and the outcome."""
    return {
        "doctor_name": concern.doctor_name,
        "worry": concern.worry,
        "approach": concern.approach,
        "sender_name": concern.sender_name,
        "sender_contact": concern.sender_contact,
        "note": concern.note,
        "outcome": concern.get_outcome_display() if concern.outcome else "",
    }


@require_GET
@staff_only
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _concern_page(request, _concern_for_staff(request, pk))


def _refused(request: HttpRequest) -> None:
    messages.error(request, _("That is not possible in the concern's current state."))


def _page_with(request: HttpRequest, concern: Concern, name: str) -> Callable[[Any], HttpResponse]:
    """For `act_on_form`: the concern's page again with the invalid form as its `name` (400)."""
    return lambda form: _concern_page(request, concern, status=400, **{name: form})


def _back_to_concern(request: HttpRequest, pk: int) -> Callable[[Exception], HttpResponse]:
    """For `act_on_form`: say the action was refused, then show the concern's page."""

    def answer(exc: Exception) -> HttpResponse:
        _refused(request)
        return redirect("service:concern", pk)

    return answer


@require_POST
@coordinator_only
def concern_assign(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _concern_for_staff(request, pk)
    if not concern.is_open:
        _refused(request)
        return redirect("service:concern", pk)
    form = forms.ConcernAssignForm(request.POST, candidates=match_concern(concern).proposals)
    return act_on_form(
        request,
        form,
        page=_page_with(request, concern, "assign_form"),
        perform=lambda: actions.do_assign_concern(
            request.user, concern, form.cleaned_data["counsellor"]
        ),
        done=_("The concern is proposed to the counsellor."),
        then=reverse("service:concern", args=[pk]),
        refusal=_back_to_concern(request, pk),
    )


@require_POST
@coordinator_only
def concern_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _concern_for_staff(request, pk)
    form = forms.ConcernWithdrawForm(request.POST)
    return act_on_form(
        request,
        form,
        page=_page_with(request, concern, "withdraw_form"),
        perform=lambda: actions.do_withdraw_concern(
            request.user, concern, reason=form.cleaned_data["reason"]
        ),
        done=_("The concern is closed."),
        then=reverse("service:concern", args=[pk]),
        refusal=_back_to_concern(request, pk),
        refusals=(IllegalTransition,),
    )


def _held(request: HttpRequest, pk: int) -> Concern:
    concern = _concern_for_staff(request, pk)
    if not _holds(request, concern):
        raise Http404
    return concern


@require_POST
@counsellor_only
def concern_take(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _held(request, pk)
    try:
        actions.do_take_up_concern(request.user, concern)
    except IllegalTransition:
        _refused(request)
    else:
        messages.success(
            request, _("You have taken up the concern. Decide whether and how to reach out.")
        )
    return redirect("service:concern", pk)


@require_POST
@counsellor_only
def concern_decline(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _held(request, pk)
    form = forms.ConcernDeclineForm(request.POST)
    return act_on_form(
        request,
        form,
        page=_page_with(request, concern, "decline_form"),
        perform=lambda: actions.do_decline_concern(
            request.user, concern, reason=form.cleaned_data["reason"]
        ),
        done=_("The concern is handed back; it goes to another counsellor."),
        then="service:my_cases",
        refusal=_back_to_concern(request, pk),
        refusals=(IllegalTransition,),
    )


@require_POST
@counsellor_only
def concern_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _held(request, pk)
    form = forms.ConcernConcludeForm(request.POST)
    return act_on_form(
        request,
        form,
        page=_page_with(request, concern, "conclude_form"),
        perform=lambda: actions.do_conclude_concern(
            request.user,
            concern,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        ),
        done=_("The concern is concluded. The sender is not told how."),
        then=reverse("service:concern", args=[pk]),
        refusal=_back_to_concern(request, pk),
    )
