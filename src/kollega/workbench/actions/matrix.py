"""The matrix: participants by code groups, counted in meaning units, and the typology from it.

What a researcher sees follows step 2's blind rule: in a transcript version whose coders
have not asked to compare (``comparison.comparing``), a coder sees only their own units;
once they compare, everyone's. A code group's column counts the units sorted into it *and
into every group below it* in the code book, so a heading's column sums its groups.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse

from kollega.accounts.models import User
from kollega.workbench.actions.synthesis import typology_participants, unit_page
from kollega.workbench.models import Analysis, CodeGroup, CodingComparison, MeaningUnit
from kollega.workbench.results import Table


def visible_units(actor: User, analysis: Analysis) -> Any:
    """The analysis's sorted meaning units ``actor`` may see: their own, and everyone's in
    transcript versions under comparison. A coder's original that a closed round replaced by
    one agreed unit is left out: the passage counts once, as its agreed unit."""
    compared = CodingComparison.objects.filter(transcript__analysis=analysis).values(
        "transcript_id"
    )
    return MeaningUnit.objects.in_analysis().filter(
        Q(coder_id=actor.pk) | Q(transcript_id__in=compared),
        transcript__analysis=analysis,
        coding__isnull=False,
    )


def person_unit_groups(actor: User, analysis: Analysis) -> dict[tuple[int, int], set[int]]:
    """(participant, unit) → the code groups the unit is in (its first and further ones),
    for the units ``actor`` may see."""
    out: dict[tuple[int, int], set[int]] = {}
    for person, unit, group in visible_units(actor, analysis).group_rows(
        "transcript__interview__participant_id", "pk"
    ):
        out.setdefault((person, unit), set()).add(group)
    return out


def tree(groups: list[CodeGroup]) -> list[tuple[CodeGroup, int]]:
    """Code groups in code-book order, each parent followed by its children, with depth."""
    children: dict[int | None, list[CodeGroup]] = {}
    for g in groups:
        children.setdefault(g.parent_id, []).append(g)
    out: list[tuple[CodeGroup, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for g in children.get(parent, []):
            out.append((g, depth))
            walk(g.pk, depth + 1)

    walk(None, 0)
    return out


def below(groups: list[CodeGroup]) -> dict[int, set[int]]:
    """Each group's pk → itself and every group under it."""
    parent = {g.pk: g.parent_id for g in groups}
    out: dict[int, set[int]] = {g.pk: {g.pk} for g in groups}
    for g in groups:
        seen: set[int] = set()
        up = parent.get(g.pk)
        while up is not None and up not in seen and up in out:
            seen.add(up)
            out[up].add(g.pk)
            up = parent.get(up)
    return out


@dataclass
class Matrix:
    """``rows``: ``{"person", "attributes", "counts": [int per column]}``; ``columns``:
    ``{"group", "depth", "children", "parent"}`` (the parent's name); ``attributes``: every attribute name, sorted."""

    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    attributes: list[str]
    choices: list[tuple[str, str]] = field(default_factory=list)


def attribute_choices(people: list[Any]) -> list[tuple[str, str]]:
    """Every ``(name, value)`` the participants' attributes take, sorted."""
    return sorted(
        {(str(k), str(v)) for p in people for k, v in (p.attributes or {}).items()},
        key=lambda kv: (kv[0].lower(), kv[1].lower()),
    )


def build(actor: User, analysis: Analysis, where: tuple[str, str] | None = None) -> Matrix:
    """The matrix as ``actor`` may see it; ``where`` keeps the participants whose attribute
    ``name`` has ``value``."""
    groups = list(analysis.code_groups.all())
    ordered = tree(groups)
    under = below(groups)
    people = typology_participants(analysis)
    choices = attribute_choices(people)
    if where is not None:
        people = [p for p in people if str((p.attributes or {}).get(where[0], "\0")) == where[1]]
    # A column counts each unit once, even one sorted into two groups under it.
    above: dict[int, set[int]] = {}
    for top, inside in under.items():
        for pk in inside:
            above.setdefault(pk, set()).add(top)
    pairs: Counter[tuple[int, int]] = Counter()
    for (person, _unit), in_groups in person_unit_groups(actor, analysis).items():
        pairs.update(
            (person, top) for top in set().union(*(above.get(g, set()) for g in in_groups))
        )
    names = {g.pk: g.name for g in groups}
    columns: list[dict[str, Any]] = [
        {
            "group": g,
            "depth": d,
            "children": len(under[g.pk]) > 1,
            "parent": names.get(g.parent_id) if g.parent_id is not None else None,
        }
        for g, d in ordered
    ]
    rows = []
    for person in people:
        counts = [pairs.get((person.pk, c["group"].pk), 0) for c in columns]
        rows.append({"person": person, "attributes": person.attributes or {}, "counts": counts})
    attributes = sorted({k for k, _v in choices}, key=str.lower)
    return Matrix(columns, rows, attributes, choices)


def cell(actor: User, analysis: Analysis, person_pk: int, group: CodeGroup) -> list[dict[str, Any]]:
    """The units ``actor`` may see of one participant in ``group`` and the groups below it:
    ``{"unit", "text", "pseudonym", "group", "url"}`` in transcript order."""
    under = below(list(analysis.code_groups.all()))[group.pk]
    units = (
        visible_units(actor, analysis)
        .in_groups(list(under))
        .filter(transcript__interview__participant_id=person_pk)
        .select_related("transcript__interview__participant", "coding__code_group")
        .prefetch_related("also_coded__code_group")
        .order_by("transcript_id", "start", "end", "pk")
    )
    return [
        {
            "unit": u,
            "text": u.text,
            "pseudonym": u.transcript.interview.participant.pseudonym,
            # The group of this column the unit is in: its first, else a further one.
            "group": next(
                g
                for g in [u.coding.code_group, *(a.code_group for a in u.also_coded.all())]
                if g.pk in under
            ),
            "url": _place(actor, analysis, u),
        }
        for u in units
    ]


def _place(actor: User, analysis: Analysis, unit: MeaningUnit) -> str:
    """Where to read a unit in its transcript: the actor's own units on the coding page, scrolled
    to its words in the transcript and highlighted (as search and retrieval link); another
    coder's (seen after a comparison) on the comparison page; a unit an edit left behind where
    it is fixed."""
    if not unit.transcript.current:
        return unit_page(analysis, unit)
    if unit.coder_id == actor.pk:
        coding = reverse("workbench:coding", args=[analysis.pk, unit.transcript_id])
        return f"{coding}?at={unit.start}-{unit.end}#at"
    return reverse("workbench:compare", args=[analysis.pk, unit.transcript_id])


def as_table(matrix: Matrix, title: str, participant: str) -> Table:
    """The matrix as a results table (pseudonym, attributes, one count per code group)."""
    header = [participant, *matrix.attributes]
    header += ["/".join(_path(c["group"], matrix.columns)) for c in matrix.columns]
    rows = [
        [
            r["person"].pseudonym,
            *(str(r["attributes"].get(a, "")) for a in matrix.attributes),
            *(str(n) for n in r["counts"]),
        ]
        for r in matrix.rows
    ]
    return Table("matrix", title, header, rows)


def _path(group: CodeGroup, columns: list[dict[str, Any]]) -> list[str]:
    by_pk = {c["group"].pk: c["group"] for c in columns}
    names: list[str] = []
    seen: set[int] = set()
    at: CodeGroup | None = group
    while at is not None and at.pk not in seen:
        seen.add(at.pk)
        names.append(at.name)
        at = by_pk.get(at.parent_id) if at.parent_id is not None else None
    return names[::-1]


def typology_proposal(actor: User, analysis: Analysis) -> set[tuple[int, int]]:
    """(participant, category) for each participant with units ``actor`` may see in one of
    the category's code groups (or a group below one of them)."""
    under = below(list(analysis.code_groups.all()))
    people = {p.pk for p in typology_participants(analysis)}
    have = set(visible_units(actor, analysis).group_rows("transcript__interview__participant_id"))
    cells = set()
    for category in analysis.categories.prefetch_related("code_groups"):
        wanted = set().union(*(under[g.pk] for g in category.code_groups.all()))
        for person, group in have:
            if person in people and group in wanted:
                cells.add((person, category.pk))
    return cells
