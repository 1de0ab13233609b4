"""Memos: the panel beside a subject (the analysis, a transcript, a code group, a unit), the
memo list, and the posts that add, edit and delete a memo.

htmx posts are answered with the panel alone (a refusal inside it, the researcher's text kept);
plain posts are redirected back to the page they came from, or on a refusal shown the memo
page again with the text kept and 400, so everything works without JavaScript too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import actions, forms
from kollega.workbench.access import get_analysis_for_user
from kollega.workbench.actions.memos import Target
from kollega.workbench.models import (
    Analysis,
    AnalysisTranscript,
    CodeGroup,
    MeaningUnit,
    Memo,
)
from kollega.workbench.views.common import GET_POST, is_htmx, nav, researcher_only, valid


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def subjects(analysis: Analysis, targets: set[str]) -> dict[str, dict[str, Any]]:
    """Each stored target's kind, label and link (None where the subject is gone), in bulk."""
    wanted: dict[str, set[int]] = {}
    for value in targets:
        target = actions.parse_target(value)
        if target is not None and target.pk is not None:
            wanted.setdefault(target.kind, set()).add(target.pk)
    versions = {
        v.pk: v
        for v in AnalysisTranscript.objects.filter(
            analysis=analysis, pk__in=wanted.get("transcript", set())
        )
        .select_related("interview__participant")
        .defer("text", "turns_json")
    }
    current = dict(
        analysis.transcripts.filter(
            current=True, interview__in=[v.interview_id for v in versions.values()]
        ).values_list("interview_id", "pk")
    )
    groups = {
        g.pk: g
        for g in CodeGroup.objects.filter(analysis=analysis, pk__in=wanted.get("code_group", set()))
    }
    units = {
        u.pk: u
        for u in MeaningUnit.objects.filter(
            transcript__analysis=analysis, pk__in=wanted.get("unit", set())
        ).select_related("transcript__interview__participant")
    }
    out: dict[str, dict[str, Any]] = {}
    for value in targets:
        target = actions.parse_target(value) or Target("analysis")
        label, url = _("A removed subject"), None
        if target.pk is None:
            label, url = _("The analysis"), reverse("workbench:analysis", args=[analysis.pk])
        elif target.kind == "transcript" and target.pk in versions:
            v = versions[target.pk]
            label = _("Transcript: %(name)s") % {"name": v.interview.participant.pseudonym}
            now = current.get(v.interview_id)
            url = reverse("workbench:coding", args=[analysis.pk, now]) if now else None
        elif target.kind == "code_group" and target.pk in groups:
            label = _("Code group: %(name)s") % {"name": groups[target.pk].name}
            url = reverse("workbench:group_edit", args=[analysis.pk, target.pk])
        elif target.kind == "unit" and target.pk in units:
            u = units[target.pk]
            label = _("Meaning unit: “%(words)s” (%(name)s)") % {
                "words": _excerpt(u.text, 60),
                "name": u.transcript.interview.participant.pseudonym,
            }
            url = reverse("workbench:coding", args=[analysis.pk, u.transcript_id]) + f"#unit-{u.pk}"
        out[value] = {"kind": target.kind, "label": label, "url": url}
    return out


def visible_memos(request: StaffRequest, analysis: Analysis) -> QuerySet[Memo]:
    """The analysis's memos the researcher may read on its pages: all, except a colleague's memo
    on another coder's unit in a transcript not compared yet (blind double coding: the memo
    would show where that coder marked a unit)."""
    hidden = [f"unit:{pk}" for pk in _blind_units(request, analysis)]
    memos = Memo.objects.filter(analysis=analysis)
    if hidden:
        memos = memos.exclude(Q(target__in=hidden) & ~Q(author_id=request.user.pk))
    return memos


def _blind_units(request: StaffRequest, analysis: Analysis) -> Any:
    """Other coders' units in transcripts not compared yet: not shown to this researcher."""
    return (
        MeaningUnit.objects.filter(transcript__analysis=analysis, transcript__comparisons=None)
        .exclude(coder_id=request.user.pk)
        .values_list("pk", flat=True)
    )


def author_name(memo: Memo) -> str:
    """Who wrote the memo, as the pages name researchers; their account may be gone."""
    if memo.author is None:
        return _("a former researcher")
    return str(memo.author.get_full_name() or memo.author.get_username())


def _targets_for(analysis: Analysis, target: Target) -> list[str]:
    """The stored targets a panel shows: a transcript's memos follow it across its versions."""
    if target.kind != "transcript" or target.pk is None:
        return [target.value]
    interview = (
        AnalysisTranscript.objects.filter(pk=target.pk, analysis=analysis)
        .values_list("interview_id", flat=True)
        .first()
    )
    if interview is None:
        return [target.value]
    pks = analysis.transcripts.filter(interview_id=interview).values_list("pk", flat=True)
    return [f"transcript:{pk}" for pk in pks]


def memo_panel(
    request: StaffRequest,
    analysis: Analysis,
    target: Target,
    *,
    kept: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    announce: str = "",
    back: str = "",
) -> dict[str, Any]:
    """What ``workbench/memo_panel.html`` needs for the memos on ``target``.

    ``kept`` holds a refused post (``memo`` pk or None for a new one, ``text``, ``version``)
    so the page shows the researcher's words and the version they had, not the stored ones.
    """
    kept = kept or {}
    memos = list(
        visible_memos(request, analysis)
        .filter(target__in=_targets_for(analysis, target))
        .select_related("author")
        .order_by("created", "pk")
    )
    rows = []
    for m in memos:
        refused_here = kept.get("memo") == m.pk
        rows.append(
            {
                "memo": m,
                "author": author_name(m),
                "mine": m.author_id == request.user.pk,
                "open": refused_here,
                "text": kept["text"] if refused_here else m.text,
                "version": kept.get("version") if refused_here else m.version,
            }
        )
    slug = target.kind if target.pk is None else f"{target.kind}-{target.pk}"
    return {
        "analysis": analysis,
        "target": target.value,
        "slug": slug,
        "subject": subjects(analysis, {target.value})[target.value],
        "rows": rows,
        "new_text": kept.get("text", "") if "memo" in kept and kept["memo"] is None else "",
        "errors": errors or [],
        "announce": announce,
        "back": safe_back(request, back) or _page_of(request),
    }


def _target_or_404(request: StaffRequest, analysis: Analysis, value: str) -> Target:
    """The subject ``value`` names, if it is in the analysis and the researcher may see it."""
    try:
        target = actions.target_in(analysis, value)
    except ActionRefused:
        raise Http404 from None
    if target.kind == "unit" and target.pk in _blind_units(request, analysis):
        raise Http404
    return target


def safe_back(request: StaffRequest, value: str) -> str:
    """``value`` if it is a page of this site, else empty (never a link elsewhere)."""
    if not value.startswith(("/", "http://", "https://")):
        return ""  # a page, not a relative word ("0") that a redirect would take for a view
    if url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _page_of(request: StaffRequest) -> str:
    """The page a panel sits on: for htmx the browser's page, not the fragment's URL."""
    if is_htmx(request):
        return safe_back(request, request.headers.get("HX-Current-URL", ""))
    # A page drawn for a refused post has the post's URL: no page to return to.
    return request.get_full_path() if request.method in ("GET", "HEAD") else ""


def _back(request: StaffRequest, analysis: Analysis, target: Target) -> str:
    """Where a plain post returns: the page it came from, if it is ours; else the memo page."""
    return safe_back(request, request.POST.get("back", "")) or memo_page_url(analysis, target)


def memo_page_url(analysis: Analysis, target: Target) -> str:
    return reverse("workbench:memos_on", args=[analysis.pk]) + f"?target={target.value}"


def _answer(
    request: StaffRequest,
    analysis: Analysis,
    target: Target,
    *,
    done: str = "",
    refused: ActionRefused | None = None,
    kept: dict[str, Any] | None = None,
) -> HttpResponse:
    """htmx: the panel (with the refusal and the kept text); plain: back, or the memo page."""
    back = request.POST.get("back", "")
    if is_htmx(request):
        context = memo_panel(
            request,
            analysis,
            target,
            kept=kept if refused else None,
            errors=[str(refused)] if refused else [],
            announce=done,
            back=back,
        )
        return render(request, "workbench/memo_panel.html", {"panel": context})
    if refused is None:
        messages.success(request, done)
        return HttpResponseRedirect(_back(request, analysis, target))
    context = memo_panel(request, analysis, target, kept=kept, errors=[str(refused)], back=back)
    return render(
        request,
        "workbench/memo_page.html",
        {"analysis": analysis, "panel": context, **nav(analysis, -1)},
        status=400,
    )


@require_GET
@researcher_only
def memos_on(request: StaffRequest, pk: int) -> HttpResponse:
    """The memos on one subject: the panel alone for htmx, a page of its own otherwise."""
    analysis = get_analysis_for_user(request.user, pk)
    target = _target_or_404(request, analysis, request.GET.get("target", ""))
    context = memo_panel(request, analysis, target, back=request.GET.get("back", ""))
    if is_htmx(request):
        return render(request, "workbench/memo_panel.html", {"panel": context})
    return render(
        request,
        "workbench/memo_page.html",
        {"analysis": analysis, "panel": context, **nav(analysis, -1)},
    )


@require_POST
@researcher_only
def memo_add(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    form = forms.MemoForm(request.POST)
    form.is_valid()
    posted = str(form.cleaned_data.get("target") or "")
    target = _target_or_404(request, analysis, posted)
    try:
        actions.do_add_memo(request.user, analysis, target=target.value, **_text(form))
    except ActionRefused as exc:
        kept = {"memo": None, "text": request.POST.get("text", "")}
        return _answer(request, analysis, target, refused=exc, kept=kept)
    return _answer(request, analysis, target, done=_("The memo is saved."))


def _text(form: forms.MemoForm) -> dict[str, str]:
    data = valid(form)
    return {"text": data["text"]}


def _memo(request: StaffRequest, analysis: Analysis, memo_pk: int) -> tuple[Memo, Target]:
    memo = get_object_or_404(Memo, pk=memo_pk, analysis=analysis)
    return memo, actions.parse_target(memo.target) or Target("analysis")


@require_http_methods(GET_POST)
@researcher_only
def memo_edit(request: StaffRequest, pk: int, memo: int) -> HttpResponse:
    """GET: the memo page with this memo's form open; POST: save it (stale saves refused)."""
    analysis = get_analysis_for_user(request.user, pk)
    found, target = _memo(request, analysis, memo)
    if found.author_id != request.user.pk:
        raise PermissionDenied
    if request.method != "POST":
        context = memo_panel(
            request,
            analysis,
            target,
            kept={"memo": found.pk, "text": found.text, "version": found.version},
        )
        return render(
            request,
            "workbench/memo_page.html",
            {"analysis": analysis, "panel": context, **nav(analysis, -1)},
        )
    form = forms.MemoForm(request.POST)
    kept = {
        "memo": found.pk,
        "text": request.POST.get("text", ""),
        "version": request.POST.get("version", ""),
    }
    try:
        data = valid(form)
        actions.do_edit_memo(request.user, found, text=data["text"], version=data["version"])
    except ActionRefused as exc:
        return _answer(request, analysis, target, refused=exc, kept=kept)
    return _answer(request, analysis, target, done=_("The memo is saved."))


@require_http_methods(GET_POST)
@researcher_only
def memo_delete(request: StaffRequest, pk: int, memo: int) -> HttpResponse:
    """GET: ask to confirm; POST: delete the author's memo."""
    analysis = get_analysis_for_user(request.user, pk)
    found, target = _memo(request, analysis, memo)
    if found.author_id != request.user.pk:
        raise PermissionDenied
    if request.method != "POST":
        return render(
            request,
            "workbench/memo_delete.html",
            {
                "analysis": analysis,
                "memo": found,
                "subject": subjects(analysis, {found.target})[found.target],
                "back": safe_back(request, request.GET.get("back", ""))
                or memo_page_url(analysis, target),
                **nav(analysis, -1),
            },
        )
    actions.do_delete_memo(request.user, found)
    return _answer(request, analysis, target, done=_("The memo is deleted."))


@require_GET
@researcher_only
def memo_list(request: StaffRequest, pk: int) -> HttpResponse:
    """Every memo of the analysis, newest first, with author and subject; by subject kind."""
    analysis = get_analysis_for_user(request.user, pk)
    kind = request.GET.get("kind", "")
    if kind not in actions.MEMO_KINDS:
        kind = ""
    memos = visible_memos(request, analysis).select_related("author")
    if kind == "analysis":
        memos = memos.filter(target="")
    elif kind:
        memos = memos.filter(target__startswith=f"{kind}:")
    found = list(memos.order_by("-created", "-pk"))
    about = subjects(analysis, {m.target for m in found})
    record(request.user, AuditAction.WORKBENCH_MEMO_LIST, analysis, kind=kind or "all")
    kinds = [
        ("", _("All")),
        ("analysis", _("The analysis")),
        ("transcript", _("Transcripts")),
        ("code_group", _("Code groups")),
        ("unit", _("Meaning units")),
    ]
    return render(
        request,
        "workbench/memos.html",
        {
            "analysis": analysis,
            "kind": kind,
            "kinds": kinds,
            "memos": [
                {
                    "memo": m,
                    "author": author_name(m),
                    "subject": about[m.target],
                    "mine": m.author_id == request.user.pk,
                }
                for m in found
            ],
            **nav(analysis, "memos"),
        },
    )
