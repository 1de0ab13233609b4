"""A transcript version as turns of HTML, with meaning units marked.

Built in Python rather than in a template loop: the step-2 page of a long interview holds
thousands of text pieces, and the selection script needs the text nodes to hold exactly the
transcript's characters (no white space between them) to turn a selection into offsets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kollega.workbench.models import AnalysisTranscript, MeaningUnit


@dataclass
class TurnView:
    index: int
    speaker: str
    start: int
    end: int
    html: SafeString

    @property
    def speaker_label(self) -> str:
        from kollega.research.views import SPEAKER_NAMES

        return str(SPEAKER_NAMES.get(self.speaker, self.speaker))


def turn_views(
    version: AnalysisTranscript,
    units: Iterable[MeaningUnit] = (),
    *,
    numbers: dict[int, int] | None = None,
) -> list[TurnView]:
    """Each turn's text, cut at unit boundaries; covered pieces are ``<mark>`` naming units.

    ``numbers`` maps unit pk to the number shown to the reader (unit 1, 2, ...).
    """
    text = version.text
    numbers = numbers or {}
    spans = sorted((u.start, u.end, u.pk) for u in units)
    out = []
    for i, turn in enumerate(version.turns):
        t_start, t_end = turn["start"], turn["end"]
        inside = [(s, e, pk) for s, e, pk in spans if s < t_end and e > t_start]
        cuts = sorted(
            {t_start, t_end, *(max(s, t_start) for s, _, _ in inside)}
            | {min(e, t_end) for _, e, _ in inside}
        )
        pieces = []
        for a, b in pairwise(cuts):
            if a >= b:
                continue
            covering = [pk for s, e, pk in inside if s <= a and e >= b]
            chunk = escape(text[a:b])
            if covering:
                label = " ".join(str(numbers.get(pk, pk)) for pk in covering)
                pieces.append(
                    f'<mark data-units="{" ".join(map(str, covering))}" '
                    f'title="{label}">{chunk}</mark>'
                )
            else:
                pieces.append(chunk)
        # Safe: every piece of transcript text above went through escape().
        out.append(TurnView(i, turn["speaker"], t_start, t_end, mark_safe("".join(pieces))))
    return out
