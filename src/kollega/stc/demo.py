"""The synthetic demo study: six interviews (English and Bokmål) analysed through all four
STC steps. Written for Kollega; no real person's words."""

from __future__ import annotations

import json
import uuid
from importlib import resources
from pathlib import Path
from typing import Any

from kollega.stc.io.transcripts import transcript_from_text
from kollega.stc.types import (
    AnalyticText,
    Category,
    CategoryAssignment,
    CodeGroup,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Memo,
    Paragraph,
    Participant,
    PreliminaryTheme,
    Project,
    Span,
    Subgroup,
    Transcript,
)

__all__ = ["demo_dir", "demo_transcript_paths", "load_demo_project", "load_demo_transcripts"]

_NS = uuid.UUID("0b7b5c0e-2f55-4c62-8f0e-6a3f4d2c9e11")
CODER = "researcher 1"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "/".join(parts)))


def demo_dir() -> Path:
    """The folder with the demo interviews (``*.txt``) and ``annotations.json``."""
    return Path(str(resources.files("kollega.stc") / "data" / "demo_study"))


def demo_transcript_paths() -> list[Path]:
    return sorted(demo_dir().glob("*.txt"))


def _annotations() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((demo_dir() / "annotations.json").read_text("utf-8"))
    return data


def load_demo_transcripts() -> list[Transcript]:
    """The six interviews as transcripts with stable ids, without any analysis."""
    out = []
    for p in _annotations()["participants"]:
        text = (demo_dir() / p["file"]).read_text(encoding="utf-8")
        t = transcript_from_text(text, name=Path(p["file"]).stem, transcript_id=_id("t", p["key"]))
        t.participant_id = _id("p", p["key"])
        t.language = p["language"]
        out.append(t)
    return out


def _span(t: Transcript, excerpt: str) -> Span:
    start = t.text.find(excerpt)
    if start < 0:  # pragma: no cover - guarded by a test of the shipped data
        raise ValueError(f"demo excerpt not found in {t.name}: {excerpt[:40]!r}")
    return Span(t.id, start, start + len(excerpt))


def load_demo_project(*, second_coder: bool = True) -> Project:
    """The demo study through all four steps: themes from two researchers, code groups,
    meaning units (and a second coder's codes for agreement when ``second_coder``),
    subgroups with condensates and golden quotes, analytic texts, categories and the
    participants-by-category typology. Ids are stable between calls."""
    a = _annotations()
    transcripts = load_demo_transcripts()
    by_key = {p["key"]: t for p, t in zip(a["participants"], transcripts, strict=True)}
    project = Project(
        id=_id("project"), name=a["name"], description=a["description"], transcripts=transcripts
    )
    project.participants = [
        Participant(
            id=_id("p", p["key"]), pseudonym=p["pseudonym"], attributes=dict(p["attributes"])
        )
        for p in a["participants"]
    ]
    theme_ids = {}
    for th in a["themes"]:
        theme_ids[th["label"]] = _id("theme", th["label"])
        project.themes.append(
            PreliminaryTheme(
                id=theme_ids[th["label"]], label=th["label"], researcher=th["researcher"]
            )
        )
    for g in a["code_groups"]:
        project.code_groups.append(
            CodeGroup(
                id=_id("g", g["key"]),
                name=g["name"],
                description=g["description"],
                theme_id=theme_ids[g["theme"]],
            )
        )
    spans: dict[str, Span] = {}
    for u in a["units"]:
        t = by_key[u["p"]]
        spans[u["key"]] = span = _span(t, u["text"])
        project.meaning_units.append(
            MeaningUnit(
                id=_id("u", u["key"]),
                span=span,
                text=u["text"],
                code_group_id=_id("g", u["group"]),
                coder=CODER,
            )
        )
    if second_coder:
        sc = a["second_coder"]
        for key, group in sc["codes"].items():
            span = spans[key]
            project.meaning_units.append(
                MeaningUnit(
                    id=_id("u2", key),
                    span=span,
                    text=by_key[key.split("-")[0]].excerpt(span),
                    code_group_id=_id("g", group),
                    coder=sc["coder"],
                )
            )
    for sg in a["subgroups"]:
        sid = _id("sg", sg["key"])
        units = [_id("u", k) for k in sg["units"]]
        project.subgroups.append(Subgroup(sid, _id("g", sg["group"]), sg["name"], units))
        project.condensates.append(Condensate(_id("c", sg["key"]), sid, sg["condensate"], units))
        qspan = spans[sg["quote"]]
        text = next(t for t in transcripts if t.id == qspan.transcript_id).excerpt(qspan)
        project.golden_quotes.append(GoldenQuote(_id("q", sg["key"]), sid, qspan, text))
    for at in a["analytic_texts"]:
        project.analytic_texts.append(
            AnalyticText(
                id=_id("a", at["group"]),
                target_kind="code_group",
                target_id=_id("g", at["group"]),
                author=CODER,
                paragraphs=[
                    Paragraph(
                        text=p["text"],
                        condensate_ids=[_id("c", k) for k in p["subgroups"]],
                        quote_ids=[_id("q", k) for k in p["subgroups"]],
                    )
                    for p in at["paragraphs"]
                ],
            )
        )
    for c in a["categories"]:
        project.categories.append(
            Category(
                id=_id("cat", c["key"]),
                name=c["name"],
                description=c["description"],
                code_group_ids=[_id("g", g) for g in c["code_groups"]],
            )
        )
    project.category_assignments = [
        CategoryAssignment(_id("p", p["key"]), _id("cat", p["attributes"]["category"]))
        for p in a["participants"]
    ]
    project.memos = [
        Memo(
            id=_id("memo", str(i)),
            text=m["text"],
            author=m["author"],
            created="2026-01-15T10:00:00+00:00",
        )
        for i, m in enumerate(a["memos"])
    ]
    project.validate()
    return project
