"""Plots of the statistics, drawn on the server with matplotlib (Agg, no display needed).

A plot is drawn once per distinct table and kept in the cache, so a page shows it again
without drawing. Suppressed cells are drawn as no bar, and their label says "<5".
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import textwrap

import matplotlib

matplotlib.use("Agg")  # before anything draws: no display on a server

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from kollega.reports.stats import HIDDEN, SUPPRESSED, WITHHELD, Table

COLOURS = ["#1e6091", "#e07a1f", "#3a7d44", "#8e3b8a", "#7a6c5d"]
CACHE_SECONDS = 60 * 60


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _label(label: str, cell: object) -> str:
    if cell is None:
        return f"{label} ({SUPPRESSED})"
    if cell is HIDDEN:
        return f"{label} ({WITHHELD})"
    return label


WIDTH_IN = 7.0

# Fonts with Chinese glyphs, tried after the default one for characters it lacks (matplotlib
# falls back glyph by glyph through the family list); only those installed are named, since
# naming a missing font is itself a warning.
_CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC")


def _font_families() -> list[str]:
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *[name for name in _CJK_FONTS if name in installed]]


# Set once for every plot of this process: a figure takes its fonts from here when its texts
# are made, which is before any drawing context would apply.
matplotlib.rcParams["font.family"] = _font_families()


def size(table: Table) -> tuple[float, float]:
    """The plot's width and height in inches: a bar per row needs room for its label."""
    if table.kind == "stacked":
        return WIDTH_IN, 3.4
    return WIDTH_IN, max(2.0, 0.55 + 0.3 * len(table.rows))


def _figure(table: Table) -> Figure:
    """The bars of `table`, with room for every label.

    One bar per row lies horizontally with its (wrapped) label in full beside it; the months of
    a stacked plot stand upright with the legend beside them, not on them. The value axis
    starts at 0 with whole numbers; with nothing to draw the plot says so.
    """
    stacked = table.kind == "stacked"
    figure = Figure(figsize=size(table))
    axes = figure.add_subplot()
    positions = list(range(len(table.rows)))
    value_axis: Axis
    if stacked:
        # Fixed margins: the constrained layout engine doubled the time to draw a plot.
        figure.subplots_adjust(left=0.08, right=0.6, top=0.95, bottom=0.2)
        base = [0] * len(positions)
        for k, column in enumerate(table.columns):
            heights = [int(cells[k] or 0) for _label, cells in table.rows]
            axes.bar(positions, heights, bottom=base, label=_wrap(column, 40),
                     color=COLOURS[k % len(COLOURS)])  # fmt: skip
            base = [b + h for b, h in zip(base, heights, strict=True)]
        highest = max(base, default=0)
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
        axes.set_xticks(positions, [label for label, _cells in table.rows], fontsize=7,
                        rotation=45 if len(positions) > 4 else 0, ha="right"
                        if len(positions) > 4 else "center")  # fmt: skip
        axes.set_ylim(0, max(1, highest) * 1.08)
        value_axis = axes.yaxis
        axes.spines[["top", "right"]].set_visible(False)
    else:
        height = size(table)[1]
        figure.subplots_adjust(left=0.34, right=0.97, top=1 - 0.2 / height, bottom=0.45 / height)
        heights = [int(cells[0] or 0) for _label, cells in table.rows]
        labels = [_wrap(_label(label, cells[0]), 38) for label, cells in table.rows]
        axes.barh(positions, heights, color=COLOURS[0], height=0.7)
        axes.set_yticks(positions, labels, fontsize=7)
        axes.invert_yaxis()  # the first row at the top, as in the table
        highest = max(heights, default=0)
        axes.set_xlim(0, max(1, highest) * 1.08)
        axes.set_xlabel(table.columns[0], fontsize=8)
        value_axis = axes.xaxis
        axes.spines[["top", "right"]].set_visible(False)
    value_axis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(labelsize=7)
    if highest == 0:
        axes.text(0.5, 0.5, _("Nothing to show for this period"), transform=axes.transAxes,
                  ha="center", va="center", fontsize=9, color="#555555")  # fmt: skip
    return figure


def _render(table: Table, fmt: str) -> bytes:
    buffer = io.BytesIO()
    # Text stays text in the SVG (smaller, quicker, and selectable), not glyph outlines.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        _figure(table).savefig(
            buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None
        )
    return buffer.getvalue()


def _key(table: Table, fmt: str) -> str:
    # The language too: an empty plot says so in words.
    payload = json.dumps(
        [table.kind, table.columns, table.rows, fmt, get_language(), 2], default=str
    )
    return "reports:plot:" + hashlib.sha256(payload.encode()).hexdigest()


def image(table: Table, fmt: str = "svg") -> bytes:
    """The plot as SVG or PNG bytes, drawn once per distinct table."""
    key = _key(table, fmt)
    found = cache.get(key)
    if found is None:
        found = _render(table, fmt)
        cache.set(key, found, CACHE_SECONDS)
    return bytes(found)


def data_uri(table: Table) -> str:
    """The SVG as a data: URI for an <img> (allowed by the site's content security policy)."""
    return "data:image/svg+xml;base64," + base64.b64encode(image(table)).decode()
