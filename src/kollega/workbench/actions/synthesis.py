"""Step 4, synthesis: categories, analytic texts, the typology and the recontextualisation check.

Each ``do_*`` runs in one transaction with one audit event (ids and counts only).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research.models import Participant
from kollega.workbench import adapters
from kollega.workbench.actions.common import (
    create_first,
    delete_audited,
    save_versioned,
    stale_refusal,
)
from kollega.workbench.models import (
    Analysis,
    AnalyticText,
    Category,
    CodeGroup,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Subgroup,
)
from kollega.workbench.snapshot import Snapshot, snapshot

# --- Categories and the typology -----------------------------------------------------------


def _groups(analysis: Analysis, pks: list[int]) -> list[CodeGroup]:
    groups = list(analysis.code_groups.filter(pk__in=pks))
    if len(groups) != len(set(pks)):
        raise ActionRefused(_("Unknown code group."))
    return groups


@transaction.atomic
def do_add_category(
    actor: User, analysis: Analysis, *, name: str, description: str = "", group_pks: list[int]
) -> Category:
    name = name.strip()
    if not name:
        raise ActionRefused(_("A category needs a name."))
    if any(c.name.lower() == name.lower() for c in analysis.categories.all()):
        raise ActionRefused(_("There is already a category called %s.") % name)
    category = Category.objects.create(
        analysis=analysis, name=name, description=description.strip()
    )
    category.code_groups.set(_groups(analysis, group_pks))
    record(actor, AuditAction.WORKBENCH_CATEGORY_ADD, category, analysis=analysis.pk)
    return category


@transaction.atomic
def do_edit_category(
    actor: User,
    category: Category,
    *,
    name: str,
    description: str,
    group_pks: list[int],
    version: int | None,
) -> Category:
    name = name.strip()
    if not name:
        raise ActionRefused(_("A category needs a name."))
    groups = _groups(category.analysis, group_pks)
    save_versioned(category, version, {"name": name, "description": description.strip()})
    category.code_groups.set(groups)
    record(actor, AuditAction.WORKBENCH_CATEGORY_EDIT, category, analysis=category.analysis_id)
    return category


@transaction.atomic
def do_delete_category(actor: User, category: Category) -> None:
    delete_audited(
        actor, category, AuditAction.WORKBENCH_CATEGORY_DELETE, analysis=category.analysis_id
    )


def typology_participants(analysis: Analysis) -> list[Any]:
    """The participants whose transcripts the analysis holds, by pseudonym."""

    return list(
        Participant.objects.filter(interviews__analysis_transcripts__analysis=analysis)
        .distinct()
        .order_by("pseudonym")
    )


def typology_stamp(analysis: Analysis) -> str:
    """A short digest of the stored typology and its columns: a form drawn from another
    table (a colleague saved ticks, or added or removed a category) carries another stamp."""

    columns = sorted(analysis.categories.values_list("pk", flat=True))
    cells = sorted(
        Category.participants.through.objects.filter(category__analysis=analysis).values_list(
            "participant_id", "category_id"
        )
    )
    return hashlib.sha256(repr((columns, cells)).encode()).hexdigest()[:16]


@transaction.atomic
def do_save_typology(
    actor: User, analysis: Analysis, cells: set[tuple[int, int]], *, drawn: str
) -> int:
    """Set the participants-by-categories table to exactly ``cells`` (participant, category).

    ``drawn`` is :func:`typology_stamp` when the form was drawn: a save over a table that
    changed since is refused, as every other save of the workbench is.
    """
    # The analysis row serialises two saves of one typology (the second sees the first's stamp).
    Analysis.objects.select_for_update().filter(pk=analysis.pk).first()
    if drawn != typology_stamp(analysis):
        raise stale_refusal()
    people = {p.pk for p in typology_participants(analysis)}
    categories = list(analysis.categories.all())
    known = {c.pk for c in categories}
    if any(p not in people or c not in known for p, c in cells):
        raise ActionRefused(_("Unknown participant or category."))
    for category in categories:
        category.participants.set([p for p, c in cells if c == category.pk])
    record(actor, AuditAction.WORKBENCH_TYPOLOGY_SAVE, analysis, cells=len(cells))
    return len(cells)


# --- Analytic texts ------------------------------------------------------------------------


@transaction.atomic
def do_save_analytic_text(
    actor: User,
    analysis: Analysis,
    *,
    target: CodeGroup | Category,
    text: str,
    condensate_pks: list[int],
    quote_pks: list[int],
    analytic_text: AnalyticText | None = None,
    version: int | None = None,
) -> AnalyticText:
    """Write the analytic text about ``target`` citing condensates and golden quotes of the
    analysis; a stale save is refused.

    ``analytic_text=None`` says the form was drawn when ``target`` had no text: if a colleague
    saved one since, the save is refused rather than adding a second text (the target row is
    locked and a unique constraint backs the check).
    """
    text = text.strip()
    if not text:
        raise ActionRefused(_("Write the analytic text first."))
    if target.analysis_id != analysis.pk:
        raise ActionRefused(_("Unknown code group or category."))
    condensates = list(
        Condensate.objects.filter(pk__in=condensate_pks, subgroup__code_group__analysis=analysis)
    )
    quotes = list(
        GoldenQuote.objects.filter(pk__in=quote_pks, subgroup__code_group__analysis=analysis)
    )
    if len(condensates) != len(set(condensate_pks)) or len(quotes) != len(set(quote_pks)):
        raise ActionRefused(_("Cite condensates and quotes of this analysis only."))
    if analytic_text is None:
        on_target = (
            {"code_group": target} if isinstance(target, CodeGroup) else {"category": target}
        )
        analytic_text = create_first(
            target,
            target.analytic_texts.all(),
            lambda: AnalyticText.objects.create(
                analysis=analysis, text=text, author=actor, **on_target
            ),
        )
        verb = "add"
    elif (analytic_text.code_group_id, analytic_text.category_id) != (
        (target.pk, None) if isinstance(target, CodeGroup) else (None, target.pk)
    ):
        raise ActionRefused(_("Unknown code group or category."))
    else:
        save_versioned(
            analytic_text,
            version,
            {
                "text": text,
                "author": actor,
                "updated": timezone.now(),
                "sources_withdrawn": False,
            },
        )
        verb = "edit"
    analytic_text.condensates.set(condensates)
    analytic_text.quotes.set(quotes)
    record(
        actor,
        AuditAction(f"workbench.analytic_text.{verb}"),
        analytic_text,
        analysis=analysis.pk,
        condensates=len(condensates),
        quotes=len(quotes),
    )
    return analytic_text


@transaction.atomic
def do_delete_analytic_text(actor: User, analytic_text: AnalyticText) -> None:
    delete_audited(
        actor,
        analytic_text,
        AuditAction.WORKBENCH_ANALYTIC_TEXT_DELETE,
        analysis=analytic_text.analysis_id,
    )


# --- The recontextualisation check ---------------------------------------------------------

KIND_TEXT = {
    "quote_mismatch": gettext_lazy("The golden quote no longer matches its transcript."),
    "unit_mismatch": gettext_lazy("The meaning unit no longer matches its transcript."),
    "missing_transcript": gettext_lazy("The transcript this points into is gone."),
    "no_condensate": gettext_lazy("The code group has no condensate."),
    "no_analytic_text": gettext_lazy("The code group has no analytic text."),
    "no_golden_quote": gettext_lazy("The subgroup has no golden quote."),
}


def _places(analysis: Analysis, record_ids: list[str]) -> dict[str, tuple[str, str]]:
    """(what the record is, the page where it is fixed) for record ids of the check; one
    query per kind of record, however many findings there are."""
    wanted: dict[str, set[int]] = {}
    for record_id in record_ids:
        found = adapters.split_id(record_id)
        if found is not None:
            wanted.setdefault(found[0], set()).add(found[1])
    places: dict[str, tuple[str, str]] = {}
    if "code_group" in wanted:
        for group in CodeGroup.objects.filter(pk__in=wanted["code_group"], analysis=analysis):
            url = reverse("workbench:condensation", args=[analysis.pk, group.pk])
            places[f"g{group.pk}"] = (group.name, url)
    if "subgroup" in wanted:
        for sg in Subgroup.objects.filter(
            pk__in=wanted["subgroup"], code_group__analysis=analysis
        ).select_related("code_group"):
            url = reverse("workbench:condensation", args=[analysis.pk, sg.code_group_id])
            places[f"s{sg.pk}"] = (f"{sg.code_group.name}: {sg.name}", f"{url}#subgroup-{sg.pk}")
    if "quote" in wanted:
        for q in GoldenQuote.objects.filter(
            pk__in=wanted["quote"], subgroup__code_group__analysis=analysis
        ).select_related("subgroup"):
            url = reverse("workbench:condensation", args=[analysis.pk, q.subgroup.code_group_id])
            places[f"q{q.pk}"] = (q.subgroup.name, f"{url}#subgroup-{q.subgroup_id}")
    if "unit" in wanted:
        for u in (
            MeaningUnit.objects.filter(pk__in=wanted["unit"], transcript__analysis=analysis)
            .select_related("transcript__interview__participant")
            .defer("transcript__text", "transcript__turns_json")
        ):
            places[f"u{u.pk}"] = (
                u.transcript.interview.participant.pseudonym,
                unit_page(analysis, u),
            )
    synthesis = reverse("workbench:synthesis", args=[analysis.pk])
    return {r: places.get(r, (r, synthesis)) for r in record_ids}


def unit_page(analysis: Analysis, unit: MeaningUnit) -> str:
    """Where a meaning unit is fixed: the analysis page lists units an edit left behind;
    others are coded in step 2, on their transcript."""
    if not unit.transcript.current:
        return reverse("workbench:analysis", args=[analysis.pk]) + "#broken-heading"
    return reverse("workbench:coding", args=[analysis.pk, unit.transcript_id]) + f"#unit-{unit.pk}"


def check(analysis: Analysis, built: Snapshot | None = None) -> dict[str, Any]:
    """The recontextualisation check with each finding linked to the page that fixes it:
    ``{"ok", "findings": [{"kind", "text", "what", "url"}], "uncoded", "uncovered"}``.

    Also flagged: condensates and analytic texts whose sources a withdrawal removed. The
    reading of every unit and quote against its transcript is the analysis's ``snapshot``
    (``built`` when the caller has it): it runs again only after something changed.
    """
    report = (built or snapshot(analysis, data=False)).check
    places = _places(analysis, [p["record"] for p in report["problems"]])
    findings = []
    for p in report["problems"]:
        what, url = places[p["record"]]
        if p["kind"] == "no_analytic_text":
            url = reverse("workbench:synthesis", args=[analysis.pk])
            url += f"#target-code_group-{p['record'][1:]}"
        findings.append({"kind": p["kind"], "text": KIND_TEXT.get(p["kind"], p["message"])})
        findings[-1] |= {"what": what, "url": url}
    for c in Condensate.objects.filter(
        subgroup__code_group__analysis=analysis, sources_withdrawn=True
    ).select_related("subgroup__code_group"):
        url = reverse("workbench:condensation", args=[analysis.pk, c.subgroup.code_group_id])
        findings.append(
            {
                "kind": "sources_withdrawn",
                "text": _("A withdrawal removed units or quotes this condensate cited."),
                "what": c.subgroup.name,
                "url": f"{url}#subgroup-{c.subgroup_id}",
            }
        )
    for a in analysis.analytic_texts.filter(sources_withdrawn=True):
        findings.append(
            {
                "kind": "sources_withdrawn",
                "text": _("A withdrawal removed units or quotes this analytic text cited."),
                "what": str(a.code_group or a.category),
                "url": reverse("workbench:synthesis", args=[analysis.pk]) + f"#text-{a.pk}",
            }
        )
    return {
        "ok": not findings,
        "findings": findings,
        "uncoded": len(report["uncoded"]),
        "uncovered": len(report["uncovered"]),
    }
