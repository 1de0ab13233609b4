"""Pages for de-identifying a transcript: reviewing proposals, adding missed identifiers."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.core.speakers import SPEAKER_NAMES
from kollega.research import actions, forms
from kollega.research.access import get_transcript_for_user
from kollega.research.models import TURN_SEPARATOR, FindingDecision, Transcript
from kollega.research.views.base import GET_POST, refused, researcher_only

KIND_NAMES = {
    "person": gettext_lazy("Names"),
    "place": gettext_lazy("Places"),
    "employer": gettext_lazy("Employers and health trusts"),
    "date": gettext_lazy("Dates"),
    "age": gettext_lazy("Ages"),
    "phone": gettext_lazy("Phone numbers"),
    "email": gettext_lazy("E-mail addresses"),
    "national_id": gettext_lazy("National identity numbers"),
    "address": gettext_lazy("Addresses"),
}


# Around each proposal, this many characters of context are shown.
CONTEXT_CHARS = 60


# The review page shows this many proposals at a time (a long transcript can hold thousands).
PROPOSALS_PER_PAGE = 100


def _kind_rank(kind: str) -> int:
    order = list(KIND_NAMES)
    return order.index(kind) if kind in order else 99


def _finding_groups(found: Transcript, text: str, page: Any) -> list[dict[str, Any]]:
    """The kinds of proposal on this page, each with its rows (context around each finding)
    and its counts over the whole transcript, so a page never holds more than one page's rows."""
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    distinct: dict[str, set[str]] = defaultdict(set)
    # Offsets, not the stored (encrypted) words: the text at a proposal's offsets is its words.
    for kind, start, end, decision in found.findings.values_list(
        "kind", "start", "end", "decision"
    ):
        totals[kind]["all"] += 1
        totals[kind]["open"] += decision == FindingDecision.PROPOSED
        distinct[kind].add(text[start:end])
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in page:
        before = text[max(0, finding.start - CONTEXT_CHARS) : finding.start]
        after = text[finding.end : finding.end + CONTEXT_CHARS]
        groups[finding.kind].append(
            {
                "finding": finding,
                # The context stays inside the finding's own turn.
                "before": before.rpartition(TURN_SEPARATOR)[2],
                "after": after.partition(TURN_SEPARATOR)[0],
            }
        )
    return [
        {
            "kind": kind,
            "label": KIND_NAMES.get(kind, kind),
            "items": items,
            "total": totals[kind]["all"],
            "open": totals[kind]["open"],
            "distinct": len(distinct[kind]),
        }
        for kind, items in sorted(groups.items(), key=lambda kv: _kind_rank(kv[0]))
    ]


def _proposal_page(found: Transcript, number: Any) -> Any:
    """One page of the proposals, ordered by kind as the page groups them, then by place."""
    order = Case(
        *[When(kind=kind, then=Value(i)) for i, kind in enumerate(KIND_NAMES)],
        default=Value(99),
    )
    ordered = found.findings.order_by(order, "start", "pk")
    return Paginator(ordered, PROPOSALS_PER_PAGE).get_page(number)


@require_http_methods(GET_POST)
@never_cache
@researcher_only
def deidentify(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_transcript_for_user(request.user, pk)
    if request.method == "POST":
        decisions = _posted_decisions(request)
        accept_kinds = [k for k in request.POST.getlist("accept_kind") if k in KIND_NAMES]
        try:
            actions.do_decide_findings(
                request.user, found, decisions=decisions, accept_kinds=accept_kinds
            )
        except ActionRefused as exc:
            refused(request, exc)
        else:
            if request.POST.get("then") == "apply":
                return _apply(request, found)
            messages.success(request, _("Your decisions are saved."))
        # Turning the page saves this page's decisions first, then shows the page asked for.
        return redirect(_review_url(found, request.POST.get("goto") or request.POST.get("page")))
    record(request.user, AuditAction.RESEARCH_DEID_VIEW, found, interview=found.interview_id)
    return _deidentify_page(request, found, forms.MissedIdentifierForm())


def _posted_decisions(request: HttpRequest) -> dict[int, str]:
    """The Replace/Keep choices a post carries, as ``{finding id: decision}``."""
    decisions: dict[int, str] = {}
    for key, value in request.POST.items():
        if key.startswith("decision-"):
            try:
                decisions[int(key.removeprefix("decision-"))] = str(value)
            except ValueError:
                continue
    return decisions


def _review_url(found: Transcript, page: Any = None) -> str:
    url = reverse("research:deidentify", args=[found.interview_id])
    return f"{url}?page={page}" if str(page or "").isdigit() and str(page) != "1" else url


def _review_turns(found: Transcript) -> list[dict[str, Any]]:
    """The turns with the proposals marked, for reading and selecting what the rules missed.

    Each turn's marked text is built here as escaped HTML, once: a template loop over every
    piece costs seconds on a long transcript with thousands of proposals."""
    spans = sorted(found.findings.values_list("start", "end"))
    out = []
    offset = 0
    next_span = 0
    for turn in found.turns:
        turn_text = turn["text"]
        end = offset + len(turn_text)
        pieces: list[str] = []
        at = offset
        # One walk through the sorted spans for the whole transcript.
        while next_span < len(spans) and spans[next_span][0] < end:
            start, stop = spans[next_span]
            next_span += 1
            if start >= at and stop <= end:
                pieces.append(escape(turn_text[at - offset : start - offset]))
                pieces.append(f"<mark>{escape(turn_text[start - offset : stop - offset])}</mark>")
                at = stop
        pieces.append(escape(turn_text[at - offset :]))
        out.append(
            {
                "speaker": SPEAKER_NAMES.get(turn["speaker"], turn["speaker"]),
                "html": mark_safe("".join(pieces)),  # every piece is escaped above
            }
        )
        offset = end + len(TURN_SEPARATOR)
    return out


def _deidentify_page(
    request: HttpRequest, found: Transcript, missed_form: forms.MissedIdentifierForm
) -> HttpResponse:
    text = found.text
    page = _proposal_page(found, request.GET.get("page"))
    return render(
        request,
        "research/deidentify.html",
        {
            "transcript": found,
            "interview": found.interview,
            "participant": found.interview.participant,
            "groups": _finding_groups(found, text, page),
            "page": page,
            "decisions": FindingDecision.choices,
            "proposal_job": found.proposal_jobs.first(),
            "missed_form": missed_form,
            "review_turns": _review_turns(found) if found.proposals_made else [],
        },
        status=400 if missed_form.errors else 200,
    )


@require_POST
@researcher_only
def deidentify_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark words the rules missed as an identifier of the kind chosen.

    The page's script sends the Replace/Keep choices on the page with it: they are saved
    first, so that marking never resets a decision the researcher had not saved yet.
    """
    found = get_transcript_for_user(request.user, pk)
    form = forms.MissedIdentifierForm(request.POST)
    decisions = _posted_decisions(request)
    if decisions:
        try:
            actions.do_decide_findings(request.user, found, decisions=decisions)
        except ActionRefused as exc:
            refused(request, exc)
    if form.is_valid():
        try:
            count = actions.do_add_finding(
                request.user,
                found,
                words=form.cleaned_data["missed_text"],
                kind=form.cleaned_data["missed_kind"],
            )
        except ActionRefused as exc:
            form.add_error("missed_text", str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "Marked in %(count)d place, to be replaced.",
                    "Marked in %(count)d places, to be replaced.",
                    count,
                )
                % {"count": count},
            )
            return redirect(_review_url(found, request.POST.get("page")))
    return _deidentify_page(request, found, form)


@require_GET
@never_cache
@researcher_only
def deidentify_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposals' progress as a fragment, polled by the review page."""
    found = get_transcript_for_user(request.user, pk)
    job = found.proposal_jobs.first()
    if request.headers.get("HX-Request") and (job is None or not job.active):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "research/proposal_job.html",
        {"interview": found.interview, "proposal_job": job},
    )


def _apply(request: HttpRequest, found: Transcript) -> HttpResponse:
    try:
        counts = actions.do_apply_deidentification(request.user, found)
    except ActionRefused as exc:
        refused(request, exc)
        return redirect("research:deidentify", found.interview_id)
    messages.success(
        request,
        ngettext(
            "The transcript is de-identified: %(count)d identifier was replaced.",
            "The transcript is de-identified: %(count)d identifiers were replaced.",
            sum(counts.values()),
        )
        % {"count": sum(counts.values())},
    )
    return redirect("research:transcript", found.interview_id)


@require_POST
@researcher_only
def deidentify_propose(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_transcript_for_user(request.user, pk)
    try:
        actions.do_propose_identifiers(request.user, found)
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(
            request,
            _("Looking for possible identifiers. You can leave this page; it goes on."),
        )
    return redirect("research:deidentify", found.interview_id)
