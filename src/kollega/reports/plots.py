"""Plots of the statistics, drawn on the server with matplotlib (Agg, no display needed).

A plot is drawn once per distinct table and kept in the cache, so a page shows it again
without drawing. Suppressed cells are drawn as no bar, and their label says "<5".
"""

from __future__ import annotations

import base64
import hashlib
import io
import json

import matplotlib

matplotlib.use("Agg")  # before anything draws: no display on a server

from django.core.cache import cache
from matplotlib.figure import Figure

from kollega.reports.stats import SUPPRESSED, Table

COLOURS = ["#1e6091", "#e07a1f", "#3a7d44", "#8e3b8a", "#7a6c5d"]
CACHE_SECONDS = 60 * 60


def _figure(table: Table) -> Figure:
    # Fixed margins: the constrained layout engine doubled the time to draw a plot.
    figure = Figure(figsize=(7, 3.2))
    figure.subplots_adjust(left=0.08, right=0.98, top=0.95, bottom=0.28)
    axes = figure.add_subplot()
    labels = [
        f"{label} ({SUPPRESSED})" if table.kind != "stacked" and cells[0] is None else label
        for label, cells in table.rows
    ]
    positions = range(len(labels))
    if table.kind == "stacked":
        bottom = [0] * len(labels)
        for k, column in enumerate(table.columns):
            heights = [cells[k] or 0 for _label, cells in table.rows]
            axes.bar(positions, heights, bottom=bottom, label=column, color=COLOURS[k % 5])
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        axes.legend(fontsize=7, loc="upper left", frameon=False)
    else:
        axes.bar(positions, [cells[0] or 0 for _label, cells in table.rows], color=COLOURS[0])
    axes.set_xticks(list(positions), labels, rotation=30 if len(labels) > 5 else 0, ha="right"
                    if len(labels) > 5 else "center", fontsize=7)  # fmt: skip
    axes.set_ylabel(table.columns[0] if table.kind != "stacked" else "", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
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
    payload = json.dumps([table.kind, table.columns, table.rows, fmt], default=str)
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
