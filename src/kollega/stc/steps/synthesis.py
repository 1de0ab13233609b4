"""Step 4, synthesis: the recontextualisation check. It reports; it never repairs."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

from kollega.stc.text import INTERVIEWER_LABELS, participant_turns, words
from kollega.stc.types import Project, Span

__all__ = ["Problem", "RecontextReport", "recontextualise"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: ``kind`` is a stable code, ``record_id`` the record concerned."""

    kind: str
    record_id: str
    message: str


@dataclass(slots=True)
class RecontextReport:
    problems: list[Problem] = field(default_factory=list)
    uncoded_unit_ids: list[str] = field(default_factory=list)
    uncovered_turns: list[Span] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def of_kind(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]

    def to_markdown(self) -> str:
        lines = ["# Recontextualisation check", ""]
        lines.append("All checks passed." if self.ok else f"{len(self.problems)} problem(s):")
        lines += [f"- **{p.kind}** `{p.record_id}`: {p.message}" for p in self.problems]
        lines += ["", f"Uncoded meaning units: {len(self.uncoded_unit_ids)}"]
        lines += [f"Participant turns with no meaning unit: {len(self.uncovered_turns)}", ""]
        return "\n".join(lines)


def recontextualise(
    project: Project,
    *,
    min_turn_words: int = 15,
    interviewer_labels: Iterable[str] = INTERVIEWER_LABELS,
) -> RecontextReport:
    """Check the analysis against the transcripts.

    Problems found: a golden quote or meaning unit whose text no longer matches its
    transcript at its offsets (``quote_mismatch``, ``unit_mismatch``) or whose transcript
    is gone (``missing_transcript``); a code group with units but no condensate
    (``no_condensate``) or no analytic text (``no_analytic_text``); a subgroup with no
    golden quote (``no_golden_quote``). Also listed, not counted as problems: units left
    uncoded, and participant turns of at least ``min_turn_words`` words that no unit touches.
    """
    report = RecontextReport()
    texts = {t.id: t.text for t in project.transcripts}

    def check(kind: str, rid: str, span: Span, expected: str) -> None:
        text = texts.get(span.transcript_id)
        if text is None:
            report.problems.append(
                Problem("missing_transcript", rid, f"transcript {span.transcript_id!r} is gone")
            )
        elif text[span.start : span.end] != expected:
            found = text[span.start : span.end]
            report.problems.append(
                Problem(
                    kind,
                    rid,
                    f"expected {expected[:60]!r} at {span.start}..{span.end}, found {found[:60]!r}",
                )
            )

    for q in project.golden_quotes:
        check("quote_mismatch", q.id, q.span, q.text)
    for u in project.meaning_units:
        check("unit_mismatch", u.id, u.span, u.text)
        if u.code_group_id is None:
            report.uncoded_unit_ids.append(u.id)

    condensed = {
        sg.code_group_id
        for sg in project.subgroups
        for c in project.condensates
        if c.subgroup_id == sg.id
    }
    analysed = {a.target_id for a in project.analytic_texts if a.target_kind == "code_group"}
    analysed |= {
        g
        for c in project.categories
        for g in c.code_group_ids
        if any(a.target_id == c.id for a in project.analytic_texts)
    }
    # A group holds a unit as its first group or as a further one.
    used = {u.code_group_id for u in project.meaning_units} | {
        g for u in project.meaning_units for g in u.also_code_group_ids
    }
    for g in project.code_groups:
        if g.id not in used:
            continue
        if g.id not in condensed:
            report.problems.append(
                Problem("no_condensate", g.id, f"code group {g.name!r} has no condensate")
            )
        if g.id not in analysed:
            report.problems.append(
                Problem("no_analytic_text", g.id, f"code group {g.name!r} has no analytic text")
            )
    quoted = {q.subgroup_id for q in project.golden_quotes}
    for sg in project.subgroups:
        if sg.id not in quoted:
            report.problems.append(
                Problem("no_golden_quote", sg.id, f"subgroup {sg.name!r} has no golden quote")
            )

    # A turn is covered when some unit overlaps it: with each transcript's units sorted by start
    # and the running maximum of their ends, that is one bisection per turn rather than a scan
    # of every unit (a study of 40 interviews has thousands of each).
    by_transcript: dict[str, list[Span]] = {}
    for u in project.meaning_units:
        by_transcript.setdefault(u.span.transcript_id, []).append(u.span)
    for t in project.transcripts:
        spans = sorted(by_transcript.get(t.id, []), key=lambda s: s.start)
        starts = [s.start for s in spans]
        furthest_end = list(accumulate((s.end for s in spans), max))
        for turn in participant_turns(t, interviewer_labels=interviewer_labels):
            if len(words(t.text[turn.start : turn.end])) < min_turn_words:
                continue
            before = bisect_left(starts, turn.end)  # units starting before the turn ends
            if before == 0 or furthest_end[before - 1] <= turn.start:
                report.uncovered_turns.append(Span(t.id, turn.start, turn.end))
    return report
