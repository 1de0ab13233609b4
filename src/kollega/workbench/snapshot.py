"""What the results and the recontextualisation check read, built once per analysis version.

Building an analysis's project data means decrypting every transcript and reading every unit:
seconds at the size of a real study. The results page, each download and the check page all
read the same build, so it is kept here, keyed by a *stamp* of the analysis.

The stamp is a hash of the rows that the build reads: every id, offset, link and version,
and of each encrypted column only the head of its ciphertext, which holds the token's random
IV and so differs after every write, whatever the text (nothing is decrypted). Reading those
takes milliseconds where the build takes seconds, and no write path has to remember to bump
anything: any change to units, codings (further groups too), groups, subgroups, condensates, quotes, analytic
texts, categories, themes, memos, rounds of comparison, transcripts or pseudonyms gives a new
stamp, so the next reader builds afresh.

The cache is process-local memory only (a few analyses, least recently used dropped first):
decrypted research text is never written to disk or to a shared cache, and it goes with the
process. Each worker process builds its own copy once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField
from django.db.models.functions import Substr
from django.utils.translation import get_language

from kollega.research.models import Participant
from kollega.workbench import adapters
from kollega.workbench.models import (
    AlsoCoded,
    Analysis,
    AnalysisTranscript,
    AnalyticText,
    Category,
    CodeGroup,
    Coding,
    CodingRound,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Memo,
    RoundDifference,
    Subgroup,
    Theme,
)

# Few analyses are open at once; each entry of a real study holds a few MB of text.
MAX_ENTRIES = 4


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One build: ``check`` is the raw outcome of ``adapters.recontextualisation``; ``data``
    is ``adapters.project_data``'s form, or None when only the check was asked for (the
    check page needs no plain copy of the project). Treat both as read-only: they are shared.
    """

    stamp: str
    check: dict[str, Any]
    data: dict[str, Any] | None = None


_lock = threading.Lock()
_cache: OrderedDict[tuple[int, str], Snapshot] = OrderedDict()


def _sealed(column: str) -> Substr:
    # A Fernet token starts with its version, time and random IV: 48 base64 characters cover
    # them, so this differs after every write of the column and says nothing of the text.
    return Substr(column, 1, 48, output_field=CharField())


def stamp(analysis: Analysis) -> str:
    """A hash that changes whenever anything the results or the check read changes."""
    units = MeaningUnit.objects.filter(transcript__analysis=analysis)
    subgroups = Subgroup.objects.filter(code_group__analysis=analysis)
    condensates = Condensate.objects.filter(subgroup__code_group__analysis=analysis)
    texts = AnalyticText.objects.filter(analysis=analysis)
    categories = Category.objects.filter(analysis=analysis)
    versions = AnalysisTranscript.objects.filter(analysis=analysis)
    parts: list[Any] = [
        Analysis.objects.filter(pk=analysis.pk).values_list("pk", "name", "created").first(),
        list(
            versions.order_by("pk")
            .annotate(seal=_sealed("text"), turns_seal=_sealed("turns_json"))
            .values_list(
                "pk",
                "interview_id",
                "interview__kind",
                "number",
                "source_version",
                "current",
                "seal",
                "turns_seal",
            )
        ),
        list(
            Participant.objects.filter(interviews__analysis_transcripts__analysis=analysis)
            .order_by("pk")
            .values_list("pk", "pseudonym")
            .distinct()
        ),
        list(
            Theme.objects.filter(analysis=analysis)
            .order_by("pk")
            .annotate(seal=_sealed("label"), seal2=_sealed("description"))
            .values_list(
                "pk",
                "owner_id",
                "state",
                "shared",
                "version",
                "model",
                "typical_json",
                "seal",
                "seal2",
            )
        ),
        list(
            CodeGroup.objects.filter(analysis=analysis)
            .order_by("pk")
            .annotate(seal=_sealed("description"))
            .values_list(
                "pk", "name", "parent_id", "theme_id", "codable", "position", "version", "seal"
            )
        ),
        list(
            units.order_by("pk").values_list(
                "pk", "transcript_id", "start", "end", "coder_id", "retired_in_id", "agreed_in_id"
            )
        ),
        list(
            CodingRound.objects.filter(transcript__analysis=analysis)
            .order_by("pk")
            .values_list("pk", "transcript_id", "number", "opened_at", "closed_at", "figures")
        ),
        list(
            RoundDifference.objects.filter(round__transcript__analysis=analysis)
            .order_by("pk")
            .values_list("pk", "settled_group_id", "dropped", "settled_at")
        ),
        list(
            Coding.objects.filter(unit__transcript__analysis=analysis)
            .order_by("pk")
            .values_list("pk", "unit_id", "code_group_id", "origin", "model", "decided_by_id")
        ),
        list(
            AlsoCoded.objects.filter(unit__transcript__analysis=analysis)
            .order_by("pk")
            .values_list("pk", "unit_id", "code_group_id")
        ),
        list(subgroups.order_by("pk").values_list("pk", "code_group_id", "name", "model")),
        list(
            Subgroup.units.through.objects.filter(subgroup__in=subgroups)
            .order_by("pk")
            .values_list("subgroup_id", "meaningunit_id")
        ),
        list(
            condensates.order_by("pk")
            .annotate(seal=_sealed("text"))
            .values_list(
                "pk", "subgroup_id", "version", "extractive", "model", "sources_withdrawn", "seal"
            )
        ),
        list(
            Condensate.units.through.objects.filter(condensate__in=condensates)
            .order_by("pk")
            .values_list("condensate_id", "meaningunit_id")
        ),
        list(
            GoldenQuote.objects.filter(subgroup__code_group__analysis=analysis)
            .order_by("pk")
            .values_list("pk", "subgroup_id", "transcript_id", "start", "end")
        ),
        list(
            texts.order_by("pk")
            .annotate(seal=_sealed("text"))
            .values_list(
                "pk",
                "code_group_id",
                "category_id",
                "version",
                "sources_withdrawn",
                "author_id",
                "seal",
            )
        ),
        list(
            AnalyticText.condensates.through.objects.filter(analytictext__in=texts)
            .order_by("pk")
            .values_list("analytictext_id", "condensate_id")
        ),
        list(
            AnalyticText.quotes.through.objects.filter(analytictext__in=texts)
            .order_by("pk")
            .values_list("analytictext_id", "goldenquote_id")
        ),
        list(
            categories.order_by("pk")
            .annotate(seal=_sealed("description"))
            .values_list("pk", "name", "version", "seal")
        ),
        list(
            Category.code_groups.through.objects.filter(category__in=categories)
            .order_by("pk")
            .values_list("category_id", "codegroup_id")
        ),
        list(
            Category.participants.through.objects.filter(category__in=categories)
            .order_by("pk")
            .values_list("category_id", "participant_id")
        ),
        list(
            Memo.objects.filter(analysis=analysis)
            .order_by("pk")
            .annotate(seal=_sealed("text"))
            .values_list("pk", "target", "version", "seal")
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def snapshot(analysis: Analysis, *, data: bool = True) -> Snapshot:
    """The analysis's check outcome, and with ``data`` its project data, built only if the
    stamp is new (or the data was not built yet)."""
    key = (analysis.pk, get_language() or "")
    # Stamped before the build reads: a write in between gives the next reader a new stamp and
    # a new build; a build is never older than its stamp.
    current = stamp(analysis)
    with _lock:
        found = _cache.get(key)
        if found is not None and found.stamp == current and (found.data is not None or not data):
            _cache.move_to_end(key)
            return found
    if data and found is not None and found.stamp == current:
        # The check page ran on this very version: only the plain copy is missing.
        built = Snapshot(current, found.check, adapters.project_data_only(analysis))
    elif data:
        plain, check = adapters.project_data_and_check(analysis)
        built = Snapshot(current, check, plain)
    else:
        built = Snapshot(current, adapters.recontextualisation(analysis))
    with _lock:
        _cache[key] = built
        _cache.move_to_end(key)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return built


def forget() -> None:
    """Drop every build (tests; a process that wants its memory back)."""
    with _lock:
        _cache.clear()
