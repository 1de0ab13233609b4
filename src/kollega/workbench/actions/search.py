"""Search across an analysis's transcripts, meaning units made of the results, and retrieval of
everything coded to a code group.

Nothing here stores transcript words: a search reads the decrypted current versions inside
the request and forgets them. Blind coding holds: units made from results are the coder's
own, only the coder's own units count as duplicates, and retrieval shows another coder's
units only on transcripts the coders have compared.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research.models import Dimension, Language
from kollega.research.recruitment import value_label
from kollega.workbench import adapters
from kollega.workbench.actions.common import trimmed_span
from kollega.workbench.models import Analysis, AnalysisTranscript, CodeGroup, MeaningUnit

# A page of results; a search finding more says how many and shows these (rendering 500 rows
# took about as long as searching 13 long interviews).
MAX_RESULTS = 200
# The most results one "make units" post may turn into units.
MAX_UNITS_AT_ONCE = MAX_RESULTS


@dataclass(frozen=True, slots=True)
class Result:
    """One place a search found: offsets into a current transcript version, and its context."""

    transcript: int
    pseudonym: str
    kind: str
    turn: int  # 1-based, as the reader counts
    speaker: str
    start: int
    end: int
    left: str
    words: str
    right: str

    @property
    def value(self) -> str:
        """How the result travels in the "make units" form."""
        return f"{self.transcript}:{self.start}:{self.end}"


@dataclass(frozen=True, slots=True)
class Passage:
    """One meaning unit's words, for retrieval."""

    unit: int
    transcript: int
    current: bool
    pseudonym: str
    group: str
    start: int
    end: int
    text: str


def participant_attributes(versions: Iterable[AnalysisTranscript]) -> dict[int, dict[str, str]]:
    """Each version's participant's attributes, by version pk, as ``{name: value}`` labels.

    The attributes are those the research records carry: the optional intake profile (gender,
    age band, ...), case variables imported with a project, and the interview's language.
    """
    dimensions = dict(Dimension.choices)
    out: dict[int, dict[str, str]] = {}
    for v in versions:
        person = v.interview.participant
        found = {
            str(dimensions[d]): value_label(d, str(value))
            for d, value in (person.profile or {}).items()
            if d in dimensions and value
        }
        found.update(
            {str(k): str(value) for k, value in (person.attributes or {}).items() if value != ""}
        )
        found[str(_("interview language"))] = str(Language(v.interview.language).label)
        out[v.pk] = found
    return out


def attribute_choices(attributes: dict[int, dict[str, str]]) -> list[tuple[str, str]]:
    """The filter's choices: ``("name=value", "name: value")``, sorted."""
    pairs = {(name, value) for found in attributes.values() for name, value in found.items()}
    return [(f"{name}={value}", f"{name}: {value}") for name, value in sorted(pairs)]


def search_versions(analysis: Analysis) -> list[AnalysisTranscript]:
    """The current versions a search reads, with their participants."""
    return list(analysis.transcripts.filter(current=True).select_related("interview__participant"))


def search(
    versions: list[AnalysisTranscript], query: str, *, only: set[int] | None = None
) -> tuple[list[Result], int]:
    """The places ``query`` occurs in ``versions`` (those in ``only``, when given): the first
    `MAX_RESULTS` in participant and text order, and how many there are in all."""
    words = adapters.query_words(query)
    results: list[Result] = []
    total = 0
    # Word keys carried from one transcript to the next of its language, for this search only.
    keys: dict[str, dict[str, str]] = {}
    for v in versions:
        if only is not None and v.pk not in only:
            continue
        text = v.text
        language = v.interview.language
        hits = adapters.find(text, words, language=language, keys=keys.setdefault(language, {}))
        total += len(hits)
        if not hits or len(results) >= MAX_RESULTS:
            continue
        turns = v.turns
        starts = [t["start"] for t in turns]
        for hit in hits[: MAX_RESULTS - len(results)]:
            index = max(0, bisect_right(starts, hit.start) - 1)
            turn: dict[str, Any] = (
                turns[index] if turns else {"speaker": "", "start": 0, "end": len(text)}
            )
            within = (int(turn["start"]), int(turn["end"]))
            left, found, right = adapters.in_context(text, hit.start, hit.end, within=within)
            results.append(
                Result(
                    transcript=v.pk,
                    pseudonym=v.interview.participant.pseudonym,
                    kind=v.interview.get_kind_display(),
                    turn=index + 1,
                    speaker=str(turn["speaker"]),
                    start=hit.start,
                    end=hit.end,
                    left=left,
                    words=found,
                    right=right,
                )
            )
    return results, total


def parse_results(values: Iterable[str]) -> list[tuple[int, int, int]]:
    """Posted ``"transcript:start:end"`` values; anything else is refused."""
    out = []
    for value in values:
        parts = value.split(":")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ActionRefused(_("A chosen result is not one the search gave; search again."))
        t, start, end = (int(p) for p in parts)
        out.append((t, start, end))
    return out


def _sentence(version: AnalysisTranscript, text: str, start: int, end: int) -> tuple[int, int]:
    turns = version.turns
    starts = [t["start"] for t in turns]
    index = max(0, bisect_right(starts, start) - 1)
    within = (turns[index]["start"], turns[index]["end"]) if turns else (0, len(text))
    if not within[0] <= start < end <= within[1]:
        raise ActionRefused(_("A chosen result is not one the search gave; search again."))
    found = adapters.sentence_around(text, start, end, within=within)
    return found.start, found.end


@transaction.atomic
def do_make_units_from_results(
    actor: User, analysis: Analysis, chosen: list[tuple[int, int, int]], *, sentence: bool
) -> tuple[int, int]:
    """Make the actor's meaning units of chosen search results: each the sentence around its
    match (``sentence``) or the matched words alone. A unit the actor already has with
    exactly the same words, or one made twice from two results in one sentence, is skipped.

    Returns ``(made, skipped)``. Every result is checked before any unit is made: one that is
    not in a current version of the analysis, or out of its text, refuses them all.
    """
    if not chosen:
        raise ActionRefused(_("Tick at least one result to make a meaning unit of."))
    if len(chosen) > MAX_UNITS_AT_ONCE:
        raise ActionRefused(
            _("At most %(n)d results can be made into units at once.") % {"n": MAX_UNITS_AT_ONCE}
        )
    versions = {
        v.pk: v
        for v in analysis.transcripts.filter(current=True, pk__in={t for t, _s, _e in chosen})
    }
    if len(versions) != len({t for t, _s, _e in chosen}):
        raise ActionRefused(_("A chosen result is not one the search gave; search again."))
    texts = {pk: v.text for pk, v in versions.items()}
    spans: list[tuple[int, int, int]] = []
    for t, start, end in chosen:
        if sentence:
            start, end = _sentence(versions[t], texts[t], start, end)
        start, end = trimmed_span(versions[t], start, end)
        spans.append((t, start, end))
    have = set(
        MeaningUnit.objects.in_analysis()
        .filter(coder=actor, transcript__in=list(versions))
        .values_list("transcript_id", "start", "end")
    )
    made: list[MeaningUnit] = []
    skipped = 0
    for t, start, end in spans:
        if (t, start, end) in have:
            skipped += 1
            continue
        have.add((t, start, end))
        made.append(MeaningUnit(transcript=versions[t], start=start, end=end, coder=actor))
    MeaningUnit.objects.bulk_create(made)
    record(
        actor,
        AuditAction.WORKBENCH_SEARCH_UNITS,
        analysis,
        made=len(made),
        skipped=skipped,
        units=[u.pk for u in made],
        transcripts=sorted(versions),
    )
    return len(made), skipped


def group_with_children(group: CodeGroup) -> list[CodeGroup]:
    """The code group and every group under it, in panel order."""
    children: dict[int | None, list[CodeGroup]] = {}
    for g in group.analysis.code_groups.all():
        children.setdefault(g.parent_id, []).append(g)
    out: list[CodeGroup] = []
    todo = [group]
    while todo:
        g = todo.pop(0)
        out.append(g)
        todo[:0] = children.get(g.pk, [])
    return out


def retrieve(actor: User, group: CodeGroup) -> list[Passage]:
    """Every passage coded to ``group`` or a group under it, that ``actor`` may see: their own
    units, and other coders' units only on transcripts the coders have compared. In code-group
    order, then by participant and place."""
    groups = group_with_children(group)
    order = {g.pk: n for n, g in enumerate(groups)}
    names = {g.pk: g.name for g in groups}
    # One passage per unit and group: a unit sorted into two of these groups is under each.
    seen = (
        MeaningUnit.objects.in_analysis()
        .in_groups(groups)
        .filter(Q(coder=actor) | Q(transcript__comparisons__isnull=False))
    )
    rows: list[tuple[Any, ...]] = sorted(
        {
            (pk, t, current, who, g, start, end)
            for pk, t, current, who, start, end, g in MeaningUnit.objects.filter(
                pk__in=seen.values("pk")
            ).group_rows(
                "pk",
                "transcript_id",
                "transcript__current",
                "transcript__interview__participant__pseudonym",
                "start",
                "end",
            )
            if g in order
        },
        key=lambda r: (order[r[4]], r[3], r[1], r[5], r[6], r[0]),
    )
    texts = {
        v.pk: v.text
        for v in AnalysisTranscript.objects.filter(pk__in={r[1] for r in rows}).only("text")
    }
    return [
        Passage(
            unit=pk,
            transcript=t,
            current=current,
            pseudonym=who,
            group=names[g],
            start=start,
            end=end,
            text=texts[t][start:end],
        )
        for pk, t, current, who, g, start, end in rows
    ]
