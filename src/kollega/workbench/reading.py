"""A transcript version as turns of HTML, with meaning units marked.

Built in Python rather than in a template loop: the step-2 page of a long interview holds
thousands of text pieces (escaped with the standard library's ``html.escape``, which skips
Django's lazy-string checks), and the selection script needs the text nodes to hold exactly the
transcript's characters (no white space between them) to turn a selection into offsets.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kollega.core.speakers import SPEAKER_NAMES
from kollega.workbench.models import AnalysisTranscript, MeaningUnit


@dataclass
class TurnView:
    index: int
    speaker: str
    start: int
    end: int
    html: SafeString
    # The code groups of the units in this turn, in order of first appearance.
    groups: tuple[int, ...] = ()

    @property
    def speaker_label(self) -> str:
        return speaker_label(self.speaker)


@dataclass(frozen=True, slots=True)
class UnitSpan:
    """What the coding page needs of a meaning unit."""

    pk: int
    start: int
    end: int
    group_id: int | None = None
    origin: str | None = None
    # The further code groups the unit is also sorted into (``AlsoCoded``).
    also: tuple[int, ...] = ()


def speaker_label(speaker: str) -> str:
    return str(SPEAKER_NAMES.get(speaker, speaker))


def turn_views(
    version: AnalysisTranscript,
    units: Iterable[MeaningUnit | UnitSpan] = (),
    *,
    numbers: dict[int, int] | None = None,
    at: tuple[int, int] | None = None,
    colours: dict[int, int] | None = None,
) -> list[TurnView]:
    """Each turn's text, cut at unit boundaries; covered pieces are ``<mark>`` naming units.

    ``numbers`` maps unit pk to the number shown to the reader (unit 1, 2, ...). A unit lies
    within one turn, so each is filed under the turn holding its start. ``at`` is a passage
    a link jumps to: its pieces are ``<mark class="jump">``, the first with ``id="at"``.
    ``colours`` maps a code group's pk to its colour: a mark over a sorted unit carries
    ``data-colour``.
    """
    text = version.text
    numbers = numbers or {}
    turns = version.turns
    starts = [turn["start"] for turn in turns]
    colours = colours or {}
    by_turn: dict[int, list[tuple[int, int, int]]] = {}
    group_of: dict[int, int] = {}
    groups_in: dict[int, dict[int, None]] = {}
    for u in units:
        turn_index = max(0, bisect_right(starts, u.start) - 1)
        by_turn.setdefault(turn_index, []).append((u.start, u.end, u.pk))
        group = getattr(u, "group_id", None)
        if group is not None:
            group_of[u.pk] = group
            groups_in.setdefault(turn_index, {})[group] = None
            for further in getattr(u, "also", ()):
                groups_in.setdefault(turn_index, {})[further] = None
    out = []
    jumped = False
    for i, turn in enumerate(turns):
        t_start, t_end = turn["start"], turn["end"]
        inside = by_turn.get(i, [])
        jump = at if at is not None and at[0] < t_end and at[1] > t_start else None
        cuts = sorted(
            {t_start, t_end}
            | {min(max(s, t_start), t_end) for s, _, _ in inside}
            | {min(max(e, t_start), t_end) for _, e, _ in inside}
            | ({min(max(x, t_start), t_end) for x in jump} if jump else set())
        )
        pieces = []
        for a, b in pairwise(cuts):
            covering = [pk for s, e, pk in inside if s <= a and e >= b]
            chunk = escape(text[a:b])
            if jump is not None and jump[0] <= a and b <= jump[1]:
                ident = "" if jumped else ' id="at"'
                chunk = f'<mark class="jump"{ident}>{chunk}</mark>'
                jumped = True
            if covering:
                label = " ".join(str(numbers.get(pk, pk)) for pk in covering)
                colour = next(
                    (colours[group_of[pk]] for pk in covering if group_of.get(pk) in colours),
                    None,
                )
                tint = f' data-colour="{colour}"' if colour else ""
                pieces.append(
                    f'<mark data-units="{" ".join(map(str, covering))}"{tint} '
                    f'title="{label}">{chunk}</mark>'
                )
            else:
                pieces.append(chunk)
        # Safe: every piece of transcript text above went through escape().
        out.append(
            TurnView(
                i,
                turn["speaker"],
                t_start,
                t_end,
                mark_safe("".join(pieces)),
                tuple(groups_in.get(i, {})),
            )
        )
    return out


def _stripes(turn: TurnView, groups: dict[int, tuple[int, str]], heading: str) -> str:
    """The coding stripes beside one turn: a coloured bar per code group its units are in,
    each named in text (for screen readers, and as a tooltip)."""
    bars = [
        f'<li class="stripe" data-colour="{groups[g][0]}" title="{escape(groups[g][1])}">'
        f'<span class="visually-hidden">{escape(groups[g][1])}</span></li>'
        for g in turn.groups
        if g in groups
    ]
    if not bars:
        return '<ul class="stripes" aria-hidden="true"></ul>'
    return f'<ul class="stripes" aria-label="{heading}">{"".join(bars)}</ul>'


def turns_html(
    turns: list[TurnView],
    *,
    codable: bool,
    groups: dict[int, tuple[int, str]] | None = None,
) -> SafeString:
    """The turns as the reading and coding pages show them (see ``turns.html``).

    ``groups`` (code group pk → colour, name) adds the coding stripes beside each turn.
    """
    focus = ' tabindex="0" aria-describedby="selection-help"' if codable else ""
    labels: dict[str, str] = {}
    heading = escape(_("Code groups in this turn"))
    out = ['<div class="turns">']
    for turn in turns:
        label = labels.get(turn.speaker)
        if label is None:
            label = labels[turn.speaker] = escape(speaker_label(turn.speaker))
        stripes = _stripes(turn, groups, heading) if groups is not None else ""
        striped = " turn--striped" if groups is not None else ""
        out.append(
            f'<div class="turn turn--{escape(turn.speaker)}{striped}">'
            f'<p class="turn__speaker">{label}</p>'
            f'<p class="turn__text"{focus} data-start="{turn.start}">{turn.html}</p>'
            f"{stripes}</div>"
        )
    out.append("</div>")
    # Safe: speaker names are escaped and each turn's html was built by turn_views.
    return mark_safe("".join(out))


def unit_rows_html(
    rows: list[dict[str, Any]],
    *,
    current: int | None,
    units_url: str,
    csrf_token: str,
    memo_url: str = "",
) -> SafeString:
    """The coder's unit list: one ``<li>`` per unit with its group and a delete form, and with
    ``memo_url`` a "Memo" link that opens the unit's memos beside the list (``#unit-memo``),
    scrolled into view: on a phone, or below a long list, the panel is out of sight.

    A sorted unit also lists its further groups (``row["also"]``), each with a button taking
    it out of that one.

    Built here for the same reason as the turns: 300 rows through the template engine took
    most of the step-2 page's time.
    """
    token = escape(csrf_token)
    delete, delete_unit = escape(_("Delete")), escape(_("Delete unit"))
    suggested, unsorted = escape(_("suggested")), escape(_("not sorted"))
    memo, memo_on = escape(_("Memo")), escape(_("Memo on unit"))
    remove = escape(_("Remove"))
    remove_from = _("Remove unit %(number)s from %(group)s")
    also_url = escape(f"{units_url}also/")
    hidden = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    out = []
    for row in rows:
        unit, group = row["unit"], row["group"]
        if group is None:
            tag = f'<span class="ds-tag" data-color="neutral">{unsorted}</span>'
        else:
            by = f" · {suggested}" if unit.origin == "suggestion" else ""
            tag = (
                f'<span class="ds-tag unit__group" data-color="success" '
                f'data-colour="{group.colour}">{escape(group.name)}{by}</span>'
            )
        further = ""
        for other in row.get("also", ()):
            label = escape(remove_from % {"number": row["number"], "group": other.name})
            further += (
                f'<form method="post" action="{also_url}" hx-post="{also_url}" '
                f'hx-target="#workspace" hx-swap="outerHTML" class="unit__also">{hidden}'
                f'<input type="hidden" name="unit" value="{unit.pk}">'
                f'<input type="hidden" name="group" value="{other.pk}">'
                f'<input type="hidden" name="remove" value="1">'
                f'<span class="ds-tag unit__group" data-color="success" '
                f'data-colour="{other.colour}">{escape(other.name)}</span> '
                f'<button class="ds-button" data-variant="tertiary" data-size="sm" '
                f'type="submit" aria-label="{label}">{remove}</button></form> '
            )
        action = f"{units_url}{unit.pk}/delete/"
        memo_link = ""
        if memo_url:
            href = f"{escape(memo_url)}?target=unit:{unit.pk}"
            memo_link = (
                f'<a class="ds-link unit__memo" href="{href}" hx-get="{href}" '
                f'hx-target="#unit-memo" hx-swap="innerHTML show:top" aria-label="{memo_on} {row["number"]}">{memo}</a> '
            )
        out.append(
            f'<li class="unit{" unit--current" if unit.pk == current else ""}" '
            f'id="unit-{unit.pk}" data-unit="{unit.pk}" draggable="true">'
            f'<span class="unit__number">{row["number"]}</span> '
            f'<q class="unit__text">{escape(row["text"])}</q> {tag} {further}{memo_link}'
            f'<form method="post" action="{action}" hx-post="{action}" hx-target="#workspace" '
            f'hx-swap="outerHTML" class="unit__delete">{hidden}'
            f'<button class="ds-button" data-variant="tertiary" data-size="sm" type="submit" '
            f'aria-label="{delete_unit} {row["number"]}">{delete}</button></form></li>'
        )
    # Safe: every value above is escaped or a number.
    return mark_safe("".join(out))


def unit_options_html(rows: list[dict[str, Any]], *, current: int | None) -> SafeString:
    """``<option>``s of the "unit to sort" choice."""
    out = []
    for row in rows:
        unit, group = row["unit"], row["group"]
        selected = " selected" if unit.pk == current else ""
        suffix = f" ({escape(group.name)})" if group is not None else ""
        out.append(
            f'<option value="{unit.pk}"{selected}>{row["number"]}: '
            f"{escape(row['short'])}{suffix}</option>"
        )
    # Safe: every value above is escaped or a number.
    return mark_safe("".join(out))
