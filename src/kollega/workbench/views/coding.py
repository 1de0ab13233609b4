"""Step 2: meaning units and code groups, the coder's workspace and suggested code groups.

Changes answer htmx requests with the coding workspace alone, and ordinary form posts
with a redirect, so the page works without JavaScript too.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import actions, forms
from kollega.workbench.access import (
    get_analysis_for_user,
    get_transcript_for_user,
)
from kollega.workbench.actions.codebook import descendant_ids
from kollega.workbench.actions.matrix import tree as _tree
from kollega.workbench.actions.memos import Target
from kollega.workbench.models import (
    COLOURS,
    AlsoCoded,
    Analysis,
    AnalysisTranscript,
    CodeGroup,
    CodeSuggestionRun,
    RunStatus,
)
from kollega.workbench.reading import (
    UnitSpan,
    turn_views,
    turns_html,
    unit_options_html,
    unit_rows_html,
)
from kollega.workbench.views.common import (
    GET_POST,
    is_htmx,
    researcher_only,
    unit_in,
    valid,
    version_list,
    versioned_edit,
)
from kollega.workbench.views.memos import memo_panel

SUGGESTION_SALT = "workbench.code-suggestion"
SUGGESTION_MAX_AGE = 24 * 3600


# ``current`` for a workspace whose "Unit to sort" shows no unit (no id is 0).
NONE_CHOSEN = 0


def _workspace(
    request: StaffRequest,
    analysis: Analysis,
    version: AnalysisTranscript,
    *,
    announce: str = "",
    full: bool = True,
    extra: dict[str, Any] | None = None,
    current: int | None = None,
    at: tuple[int, int] | None = None,
) -> HttpResponse:
    """The step-2 page (or, for htmx, its workspace): the coder's own units, and the units
    agreed in a closed round of comparison.

    ``current`` is the unit to keep selected (the one just sorted); by default the last
    uncoded one; `NONE_CHOSEN` leaves "Unit to sort" empty.
    """
    # Plain tuples, not model instances: a long interview holds hundreds of units.
    shown = version.units.on_page_of(request.user)
    also: dict[int, list[int]] = {}
    for unit_pk, group_pk in AlsoCoded.objects.filter(unit__in=shown).values_list(
        "unit_id", "code_group_id"
    ):
        also.setdefault(unit_pk, []).append(group_pk)
    units = [
        UnitSpan(*row, also=tuple(also.get(row[0], ())))
        for row in shown.order_by("start", "end", "pk").values_list(
            "pk", "start", "end", "coding__code_group_id", "coding__origin"
        )
    ]
    numbers = {u.pk: n for n, u in enumerate(units, start=1)}
    groups = list(analysis.code_groups.all())
    counts = Counter(u.group_id for u in units if u.group_id is not None)
    counts.update(g for u in units for g in u.also)
    by_pk = {g.pk: g for g in groups}
    tree = _tree(groups)
    keys = {g.pk: n for n, g in enumerate([g for g, _ in tree if g.codable][:9], start=1)}
    text = version.text
    rows = [
        {
            "unit": u,
            "number": numbers[u.pk],
            "text": _excerpt(text[u.start : u.end], 160),
            "short": _excerpt(text[u.start : u.end], 50),
            "group": by_pk.get(u.group_id) if u.group_id is not None else None,
            "also": [by_pk[g] for g in u.also if g in by_pk],
        }
        for u in units
    ]
    uncoded = [u.pk for u in units if u.group_id is None]
    if current == NONE_CHOSEN:
        current = None
    elif current not in numbers:
        current = max(uncoded, default=None)
    units_url = reverse("workbench:analysis", args=[analysis.pk]) + "units/"
    step = actions.last_undo(request.user, analysis)
    context = {
        "analysis": analysis,
        "version": version,
        "versions": list(version_list(analysis)),
        "turns": turns_html(
            turn_views(
                version,
                units,
                numbers=numbers,
                at=at,
                colours={g.pk: g.colour for g in groups},
            ),
            codable=True,
            groups={g.pk: (g.colour, g.name) for g in groups},
        ),
        "rows": rows,
        "unit_rows": unit_rows_html(
            rows,
            current=current,
            units_url=units_url,
            csrf_token=get_token(request),
            memo_url=reverse("workbench:memos_on", args=[analysis.pk]),
        ),
        "unit_options": unit_options_html(rows, current=current),
        "also_options": unit_options_html(
            [row for row in rows if row["group"] is not None], current=current
        ),
        "groups": [
            {"group": g, "depth": depth, "count": counts.get(g.pk, 0), "key": keys.get(g.pk)}
            for g, depth in tree
        ],
        "current": current,
        "announce": announce,
        "comparing": actions.comparing(version),
        "undo": actions.describe(step) if step is not None else "",
        **(extra or {}),
    }
    if full:
        context["suggestion_panel"] = _run_panel(
            analysis, version, _latest_run(request.user, version), shown=False
        )
    template = "workbench/coding.html" if full else "workbench/workspace.html"
    return render(request, template, context)


def _excerpt(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _step2_answer(
    request: StaffRequest,
    analysis: Analysis,
    version: AnalysisTranscript,
    *,
    done: str = "",
    refused: ActionRefused | None = None,
    decided: str = "",
    current: int | None = None,
) -> HttpResponse:
    """htmx gets the workspace with an announcement; a plain post is redirected back."""
    if is_htmx(request):
        return _workspace(
            request,
            analysis,
            version,
            announce=str(refused) if refused else done,
            full=False,
            extra={"oob": True, "decided": "" if refused else decided, "refused": bool(refused)},
            current=current,
        )
    if refused is not None:
        messages.error(request, str(refused))
    elif done:
        messages.success(request, done)
    return redirect("workbench:coding", analysis.pk, version.pk)


@require_GET
@researcher_only
def coding(request: StaffRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    if not version.current:
        raise Http404
    record(request.user, AuditAction.WORKBENCH_TRANSCRIPT_VIEW, version, analysis=found.pk, step=2)
    memos = memo_panel(request, found, Target("transcript", version.pk))
    return _workspace(
        request,
        found,
        version,
        at=_at(request.GET.get("at", ""), version),
        extra={"memos": memos},
    )


def _at(value: str, version: AnalysisTranscript) -> tuple[int, int] | None:
    """``"START-END"`` of a jump-to-place link, if it is a passage of ``version``."""
    start, _sep, end = value.partition("-")
    if not (start.isdigit() and end.isdigit()):
        return None
    span = int(start), int(end)
    return span if 0 <= span[0] < span[1] <= len(version.text) else None


@require_POST
@researcher_only
def unit_create(request: StaffRequest, pk: int, t: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    form = forms.UnitCreateForm(request.POST, analysis=found)
    try:
        data = valid(form)
        unit = actions.do_create_unit(
            request.user, version, start=data["start"], end=data["end"], code_group=data["group"]
        )
    except ActionRefused as exc:
        return _step2_answer(request, found, version, refused=exc)
    words = version.text[unit.start : unit.end]
    excerpt = words if len(words) <= 80 else words[:77] + "…"
    done = _("New meaning unit: “%(words)s”. Press a number key to sort it into a code group.") % {
        "words": excerpt
    }
    return _step2_answer(request, found, version, done=done)


@require_POST
@researcher_only
def unit_code(request: StaffRequest, pk: int) -> HttpResponse:
    """Sort a unit into a code group (no group: take it out of its group).

    Only the unit the coder sees chosen is sorted: none chosen, or a ``shown`` unit other than
    the posted one (the choice failed on the page), is refused with a word, never guessed.
    """
    found = get_analysis_for_user(request.user, pk)
    form = forms.UnitCodeForm(request.POST, analysis=found)
    form.is_valid()
    chosen = form.cleaned_data.get("unit")
    if chosen is None or ("shown" in request.POST and form.cleaned_data.get("shown") != chosen):
        version = get_transcript_for_user(request.user, found, form.cleaned_data.get("t") or 0)
        refusal = ActionRefused(
            _("No unit is chosen under “Unit to sort”: choose one, then its code group.")
        )
        return _step2_answer(request, found, version, refused=refusal, current=NONE_CHOSEN)
    unit = unit_in(request, found, chosen)
    try:
        group = valid(form)["group"]
        if group is None:
            actions.do_uncode_unit(request.user, unit)
            done = _("The unit is taken out of its code group.")
        else:
            actions.do_code_unit(request.user, unit, group)
            done = _("The unit is sorted into %(group)s.") % {"group": group.name}
    except ActionRefused as exc:
        return _step2_answer(request, found, unit.transcript, refused=exc, current=unit.pk)
    return _step2_answer(request, found, unit.transcript, done=done, current=unit.pk)


@require_POST
@researcher_only
def unit_also(request: StaffRequest, pk: int) -> HttpResponse:
    """Sort a sorted unit into one more code group besides its first (``remove``: take it
    out of one of those further groups)."""
    found = get_analysis_for_user(request.user, pk)
    form = forms.UnitAlsoForm(request.POST, analysis=found)
    form.is_valid()
    target = unit_in(request, found, form.cleaned_data.get("unit") or 0)
    try:
        data = valid(form)
        group = data["group"]
        if data["remove"]:
            actions.do_unalso_code(request.user, target, group)
            done = _("The unit is no longer also in %(group)s.") % {"group": group.name}
        else:
            actions.do_also_code(request.user, target, group)
            done = _("The unit is also sorted into %(group)s.") % {"group": group.name}
    except ActionRefused as exc:
        return _step2_answer(request, found, target.transcript, refused=exc, current=target.pk)
    return _step2_answer(request, found, target.transcript, done=done, current=target.pk)


@require_POST
@researcher_only
def unit_delete(request: StaffRequest, pk: int, unit: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = unit_in(request, found, unit)
    version = target.transcript
    try:
        actions.do_delete_unit(request.user, target)
    except ActionRefused as exc:
        return _step2_answer(request, found, version, refused=exc)
    return _step2_answer(request, found, version, done=_("The unit is deleted."))


@require_POST
@researcher_only
def group_add(request: StaffRequest, pk: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    form = forms.CodeGroupAddForm(request.POST, analysis=found)
    form.is_valid()
    back = form.cleaned_data.get("t")
    try:
        data = valid(form)
        actions.do_add_code_group(
            request.user,
            found,
            name=data["name"],
            description=data["description"],
            parent=data["parent"],
            codable=not data["heading"],
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    if back and found.transcripts.filter(pk=back, current=True).exists():
        return redirect("workbench:coding", found.pk, back)
    return redirect("workbench:analysis", found.pk)


@require_http_methods(GET_POST)
@researcher_only
def group_edit(request: StaffRequest, pk: int, group: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = get_object_or_404(CodeGroup, pk=group, analysis=found)
    return versioned_edit(
        request,
        form_class=forms.CodeGroupEditForm,
        fields={
            "name": target.name,
            "description": target.description,
            "codable": target.codable,
            "version": target.version,
        },
        save=lambda v: actions.do_edit_code_group(request.user, target, **v),
        template="workbench/group_edit.html",
        context={
            "analysis": found,
            "group": target,
            "others": [
                (g, "\u2013 " * d + g.name)
                for g, d in _tree(list(found.code_groups.all()))
                if g.pk != target.pk
            ],
            "parents": move_choices(found, target),
            "colours": [(n, str(name)) for n, name in enumerate(COLOURS, start=1)],
            "memos": memo_panel(request, found, Target("code_group", target.pk)),
        },
        saved=_("The code group is saved."),
        back=redirect("workbench:codebook", found.pk),
    )


def move_choices(found: Analysis, target: CodeGroup) -> list[tuple[CodeGroup, str]]:
    """The groups ``target`` may go under (not itself nor its own subgroups), in tree order,
    each with its name indented by its depth."""
    below = descendant_ids(target) | {target.pk}
    return [
        (g, "\u2013 " * d + g.name)
        for g, d in _tree(list(found.code_groups.all()))
        if g.pk not in below
    ]


@require_POST
@researcher_only
def suggestions(request: StaffRequest, pk: int, t: int) -> HttpResponse:
    """Ask for ranked code groups for the coder's uncoded units: a background run, whose
    progress the page polls (a second click while it works shows the same run)."""
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    run = actions.do_request_code_suggestions(request.user, version)
    if is_htmx(request):
        return render(
            request, "workbench/suggestion_run.html", _run_panel(found, version, run, shown=True)
        )
    return redirect(reverse("workbench:coding", args=[found.pk, version.pk]) + "#suggestions")


@require_GET
@researcher_only
def suggestion_run(request: StaffRequest, pk: int, t: int, run: int) -> HttpResponse:
    """One of the coder's own suggestion runs: its progress while it works, then its
    suggestions to accept or reject (polled by htmx)."""
    found = get_analysis_for_user(request.user, pk)
    version = get_transcript_for_user(request.user, found, t)
    target = get_object_or_404(
        CodeSuggestionRun, pk=run, transcript=version, requested_by=request.user
    )
    if target.active:
        # A run lost for too long is marked failed here, so that the page stops waiting.
        actions.active_code_suggestion_run(request.user, version)
        target.refresh_from_db()
    return render(
        request, "workbench/suggestion_run.html", _run_panel(found, version, target, shown=True)
    )


def _run_panel(
    analysis: Analysis, version: AnalysisTranscript, run: CodeSuggestionRun | None, *, shown: bool
) -> dict[str, Any]:
    """What the suggestions panel shows for ``run``: its progress, its failure, or its
    suggestions for the units still uncoded. ``shown``: a run the coder just asked about
    shows "No suggestions" when it has none; on a page opened later, a finished run with
    nothing left to decide shows nothing."""
    context: dict[str, Any] = {
        "analysis": analysis,
        "version": version,
        "run": run,
        "run_failed": run is not None and run.status == RunStatus.FAILED,
        "suggested": None,
    }
    if run is not None and run.status == RunStatus.DONE:
        ranked, model, used = actions.code_suggestion_result(run)
        offered = _offered(analysis, version, ranked, model, used)
        if shown or offered["items"]:
            context["suggested"] = offered
    return context


def _latest_run(user: Any, version: AnalysisTranscript) -> CodeSuggestionRun | None:
    """The coder's latest suggestion run for ``version`` from the last day, if any."""
    since = timezone.now() - timedelta(seconds=SUGGESTION_MAX_AGE)
    return (
        CodeSuggestionRun.objects.filter(transcript=version, requested_by=user, created__gte=since)
        .order_by("-created", "-pk")
        .first()
    )


def _percent(fraction: float) -> str:
    return _("%(percent)d%%") % {"percent": round(fraction * 100)}


def _explain(offer: dict[str, Any], names: dict[int, str]) -> tuple[str, str]:
    """A suggestion's reason and advice in the reader's language, from the data the
    library gives with it (``why``: see `kollega.stc.steps.suggest.CodeSuggestion`)."""
    why = offer.get("why") or {}
    kind = why.get("kind")

    def name(group: Any) -> str:
        found = names.get(int(group)) if str(group).isdigit() else None
        return f"“{found}”" if found else _("a removed code group")

    if kind == "one_group":
        return (
            _("Only one code group has sorted units."),
            _("Sort a few units into at least one more code group to get suggestions."),
        )
    if kind == "floor":
        reason = _(
            "Confidence %(confidence)s, under this project's threshold of %(threshold)s, but "
            "among the most certain of these units: check it with more care."
        ) % {"confidence": _percent(why["confidence"]), "threshold": _percent(why["threshold"])}
        return reason, ""
    if kind == "sure":
        figures = {
            "confidence": _percent(why["confidence"]),
            "threshold": _percent(why["threshold"]),
        }
        if why.get("precision") is None:
            return _("Confidence %(confidence)s, at or above the threshold of %(threshold)s.") % (
                figures
            ), ""
        figures["precision"] = _percent(why["precision"])
        return _(
            "Confidence %(confidence)s; at this project's threshold of %(threshold)s, about "
            "%(precision)s of the suggestions matched its coders."
        ) % figures, ""
    if kind == "unsure":
        (first, p1), (second, p2) = why["first"], why["second"]
        reason = _(
            "Not sure enough: %(first)s %(p1)s, %(second)s %(p2)s; this project suggests from "
            "%(threshold)s."
        ) % {
            "first": name(first),
            "p1": _percent(p1),
            "second": name(second),
            "p2": _percent(p2),
            "threshold": _percent(why["threshold"]),
        }
        if why.get("short"):
            advice = " ".join(
                ngettext(
                    "Sort about %(n)d more unit into %(group)s to get suggestions there.",
                    "Sort about %(n)d more units into %(group)s to get suggestions there.",
                    n,
                )
                % {"n": n, "group": name(group)}
                for group, n in why["short"]
            )
        else:
            advice = _(
                "The unit sits between %(first)s and %(second)s: sort it yourself, or sharpen "
                "the two groups' descriptions."
            ) % {"first": name(first), "second": name(second)}
        return reason, advice
    # Suggestions stored before their reasons were kept as data: their English words.
    return str(offer.get("reason", "")), str(offer.get("advice", ""))


def _offered(
    analysis: Analysis,
    version: AnalysisTranscript,
    ranked: dict[int, dict[str, Any]],
    model: str,
    used: dict[str, Any],
) -> dict[str, Any]:
    """The suggestions as the page lists them, each option with its signed token."""
    units = {u.pk: u for u in version.units.filter(pk__in=ranked)}
    names = dict(analysis.code_groups.values_list("pk", "name"))
    words = {key: _explain(offer, names) for key, offer in ranked.items()}
    items: list[dict[str, Any]] = []
    text = version.text if ranked else ""
    for key, offer in ranked.items():
        if key not in units or not offer["ranking"]:
            continue
        # What was offered travels signed, so the recorded model and settings cannot be forged.
        offered = {**used, "confident": offer["confident"]}
        items.append(
            {
                "unit": units[key],
                "text": text[units[key].start : units[key].end],
                "confident": offer["confident"],
                "reason": words[key][0],
                "ranking": [
                    {
                        "group": g,
                        "rank": n,
                        "percent": round(conf * 100),
                        "token": signing.dumps(
                            [key, g.pk, n, conf, model, offered], salt=SUGGESTION_SALT
                        ),
                    }
                    for n, (g, conf) in enumerate(offer["ranking"], start=1)
                ],
            }
        )
    shown = {item["unit"].pk for item in items}
    # The same advice ("code about 5 more units in 'Sleep'") is given once for the page.
    advice = list(
        dict.fromkeys(
            words[key][1]
            for key, offer in ranked.items()
            if key in shown and not offer["confident"] and words[key][1]
        )
    )
    return {
        "analysis": analysis,
        "version": version,
        "items": items,
        "model": model,
        "advice": advice,
        "trust": _trust(used),
    }


def _trust(used: dict[str, Any]) -> dict[str, Any]:
    """How far this project's suggestions can be trusted, as measured on its own coded units
    (the calibration's out-of-fold estimate), in whole percent for the page."""
    precision = used.get("estimated_precision")
    return {
        "measured": precision is not None,
        "met": bool(used.get("target_met")) and precision is not None,
        "precision": None if precision is None else round(precision * 100),
        "threshold": round(float(used.get("threshold", 1.0)) * 100),
        "target": round(float(used.get("target_precision", 0.8)) * 100),
    }


@require_POST
@researcher_only
def suggestion_decide(request: StaffRequest, pk: int, unit: int) -> HttpResponse:
    found = get_analysis_for_user(request.user, pk)
    target = unit_in(request, found, unit)
    form = forms.SuggestionDecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        unit_pk, group_pk, rank, confidence, model, used = signing.loads(
            form.cleaned_data["token"], salt=SUGGESTION_SALT, max_age=SUGGESTION_MAX_AGE
        )
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    if unit_pk != target.pk or not isinstance(used, dict):
        raise Http404
    group = get_object_or_404(CodeGroup, pk=group_pk, analysis=found)
    accept = form.cleaned_data["accept"]
    try:
        actions.do_decide_suggestion(
            request.user,
            target,
            group,
            accept=accept,
            rank=rank,
            confidence=confidence,
            model=model,
            settings=used,
        )
    except ActionRefused as exc:
        return _step2_answer(request, found, target.transcript, refused=exc)
    done = (
        _("Suggestion accepted: the unit is sorted into %(group)s.")
        if accept
        else _("Suggestion %(group)s rejected.")
    ) % {"group": group.name}
    decided = str(target.pk) if accept else f"{target.pk}-{rank}"
    return _step2_answer(request, found, target.transcript, done=done, decided=decided)
