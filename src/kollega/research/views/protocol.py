"""The study protocol, the pool and its sample, and the recruitment dashboard.

Researchers see the pool by code and profile only; invitations go through the service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research import actions, forms
from kollega.research.access import get_guide_topic_for_user, get_study_for_user
from kollega.research.models import InvitationStatus, Study
from kollega.research.recruitment import (
    candidates,
    characteristics,
    coverage_rows,
    dashboard,
    participants_with_windows,
    pool_rows,
)
from kollega.research.views.base import GET_POST, researcher_only
from kollega.sampling import best_sample, coverage

# --- The protocol ---------------------------------------------------------------------------


def _protocol_page(
    request: StaffRequest, study: Study, *, status: int = 200, **bound: Any
) -> HttpResponse:
    initial = {
        "research_questions": study.research_questions,
        "ethics_reference": study.ethics_reference,
        "target_sample": study.target_sample,
        "dimensions": study.dimensions,
    }
    latest = study.waves.order_by("-number").first()
    context = {
        "study": study,
        "protocol_form": bound.get("protocol_form") or forms.ProtocolForm(initial=initial),
        "consent_form": bound.get("consent_form") or forms.ConsentVersionForm(),
        "guide_form": bound.get("guide_form") or forms.GuideTopicForm(),
        # A new wave most often starts after the last one closes.
        "wave_form": bound.get("wave_form")
        or forms.WaveForm(
            initial={"opens_day": latest.closes_day + 1} if latest else {"opens_day": 0}
        ),
        "consents": study.consent_versions.all(),
        "topics": study.guide_topics.all(),
        "waves": study.waves.all(),
    }
    return render(request, "research/protocol.html", context, status=status)


@require_http_methods(GET_POST)
@researcher_only
def protocol(request: StaffRequest, pk: int) -> HttpResponse:
    study = get_study_for_user(request.user, pk)
    if request.method != "POST":
        return _protocol_page(request, study)
    form = forms.ProtocolForm(request.POST)
    if form.is_valid():
        actions.do_update_protocol(request.user, study, **form.cleaned_data)
        messages.success(request, _("The protocol is saved."))
        return redirect("research:protocol", study.pk)
    return _protocol_page(request, study, status=400, protocol_form=form)


def _add_to_protocol(
    request: StaffRequest,
    pk: int,
    form_class: type[Form],
    action: Callable[..., Any],
    *,
    slot: str,
    error_field: str,
    done: str,
) -> HttpResponse:
    """Validate one of the protocol page's add forms and call its action; on bad input or a
    refusal, the page again with the form's errors (400) and nothing changed."""
    study = get_study_for_user(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(request.user, study, **form.cleaned_data)
        except ActionRefused as exc:
            form.add_error(error_field, str(exc))
        else:
            messages.success(request, done)
            return redirect("research:protocol", study.pk)
    return _protocol_page(request, study, status=400, **{slot: form})


@require_POST
@researcher_only
def consent_add(request: StaffRequest, pk: int) -> HttpResponse:
    return _add_to_protocol(
        request,
        pk,
        forms.ConsentVersionForm,
        actions.do_add_consent_version,
        slot="consent_form",
        error_field="version",
        done=_("The consent text is added. New invitations show it."),
    )


@require_POST
@researcher_only
def guide_add(request: StaffRequest, pk: int) -> HttpResponse:
    return _add_to_protocol(
        request,
        pk,
        forms.GuideTopicForm,
        actions.do_add_guide_topic,
        slot="guide_form",
        error_field="topic",
        done=_("The topic is added to the guide."),
    )


@require_POST
@researcher_only
def guide_move(request: StaffRequest, pk: int) -> HttpResponse:
    item = get_guide_topic_for_user(request.user, pk)
    try:
        actions.do_move_guide_topic(request.user, item, up=request.POST.get("direction") != "down")
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("research:protocol", item.study_id)


@require_POST
@researcher_only
def guide_remove(request: StaffRequest, pk: int) -> HttpResponse:
    item = get_guide_topic_for_user(request.user, pk)
    study_pk = item.study_id
    actions.do_remove_guide_topic(request.user, item)
    messages.success(request, _("The topic is removed from the guide."))
    return redirect("research:protocol", study_pk)


@require_POST
@researcher_only
def wave_add(request: StaffRequest, pk: int) -> HttpResponse:
    return _add_to_protocol(
        request,
        pk,
        forms.WaveForm,
        actions.do_add_wave,
        slot="wave_form",
        error_field="closes_day",
        done=_("The wave is added."),
    )


# --- The pool and the sample ----------------------------------------------------------------


@require_http_methods(GET_POST)
@never_cache
@researcher_only
def pool(request: StaffRequest, pk: int) -> HttpResponse:
    """The eligible pool; propose a sample, adjust it beside its coverage, then invite."""
    study = get_study_for_user(request.user, pk)
    members = actions.eligible_pool(study)
    pool_candidates = candidates(members)
    dimensions = list(study.dimensions)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    waiting = study.invitations.filter(status=InvitationStatus.PENDING).count()
    recruited = study.participants.filter(imported=False).count()
    wanted = max(1, (study.target_sample or 0) - recruited - waiting)
    size_form = forms.SampleSizeForm(
        request.POST if step == "propose" else None,
        initial={"size": min(wanted, len(members)) or 1},
    )
    chosen: list[str] = []
    method = ""
    status = 200
    if step == "propose":
        if not dimensions:
            messages.error(request, _("Choose the dimensions to vary on in the protocol first."))
            status = 400
        elif size_form.is_valid():
            size = size_form.cleaned_data["size"]
            if size > len(members):
                size_form.add_error(
                    "size",
                    _("The pool holds only %(count)d people who can be invited.")
                    % {"count": len(members)},
                )
                status = 400
            else:
                sample = best_sample(pool_candidates, dimensions, size)
                chosen = list(sample.ids)
                method = sample.method
        else:
            status = 400
    elif step in ("review", "invite"):
        known = {c.id for c in pool_candidates}
        chosen = [link for link in request.POST.getlist("chosen") if link in known]
        if step == "invite":
            try:
                invitations = actions.do_invite(request.user, study, chosen)
            except ActionRefused as exc:
                messages.error(request, str(exc))
                status = 400
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d invitation is sent through the service.",
                        "%(count)d invitations are sent through the service.",
                        len(invitations),
                    )
                    % {"count": len(invitations)},
                )
                return redirect("research:recruitment", study.pk)
    picked = [c for c in pool_candidates if c.id in set(chosen)]
    pool_table = coverage(pool_candidates, pool_candidates, dimensions)
    record(
        request.user, AuditAction.RESEARCH_POOL_VIEW, study, shown=len(members), step=step or "view"
    )
    return render(
        request,
        "research/pool.html",
        {
            "study": study,
            "rows": pool_rows(members, [*dimensions]),
            "dimension_labels": study.dimension_labels(),
            "chosen": set(chosen),
            "size_form": size_form,
            "coverage": coverage_rows(coverage(picked, pool_candidates, dimensions), pool_table)
            if chosen
            else [],
            "chosen_count": len(picked),
            "method": method,
            "has_consent": study.current_consent is not None,
        },
        status=status,
    )


# --- Recruitment ----------------------------------------------------------------------------


@require_GET
@never_cache
@researcher_only
def recruitment(request: StaffRequest, pk: int) -> HttpResponse:
    study = get_study_for_user(request.user, pk)
    today = timezone.localdate()
    people = participants_with_windows(study, today)
    recruited = [p for p, _w in people if p.link is not None]
    return render(
        request,
        "research/recruitment.html",
        {
            "study": study,
            "today": today,
            "dashboard": dashboard(study, today),
            "invitations": study.invitations.select_related("participant"),
            "people": people,
            "waves": study.waves.all(),
            "table_one": characteristics([p.profile for p in recruited]),
            "recruited_count": len(recruited),
        },
    )
