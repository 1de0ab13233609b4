"""Plots keep every label on the canvas, the legend off the bars, and say when they are empty."""

from __future__ import annotations

from django.utils import translation
from matplotlib.backends.backend_agg import FigureCanvasAgg

from kollega.reports.plots import _figure, image
from kollega.reports.stats import HIDDEN, Table
from kollega.service import choices

LONG = [str(label) for _code, label in choices.Category.choices]


def _drawn(table: Table):  # type: ignore[no-untyped-def]
    figure = _figure(table)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return figure, canvas.get_renderer()


def test_the_legend_stays_off_the_bars_and_labels_on_the_canvas() -> None:
    with translation.override("nb"):
        months = [(f"2026-{m:02d}", [5, HIDDEN, 7, None]) for m in range(1, 13)]
        figure, renderer = _drawn(Table("m", "t", "Month", LONG, months, kind="stacked"))
    axes = figure.axes[0]
    legend = axes.get_legend().get_window_extent(renderer)
    plot_area = axes.get_window_extent(renderer)
    assert legend.x0 >= plot_area.x1  # beside the bars, not over them
    canvas = figure.bbox
    for text in [*axes.get_xticklabels(), *axes.get_legend().get_texts()]:
        box = text.get_window_extent(renderer)
        assert box.x0 >= canvas.x0 and box.x1 <= canvas.x1 + 1, text.get_text()
        assert box.y0 >= canvas.y0, text.get_text()


def test_long_row_labels_are_shown_whole() -> None:
    rows = [(str(label), [n]) for n, (_code, label) in enumerate(choices.Specialty.choices)]
    figure, renderer = _drawn(Table("s", "Specialty", "Specialty", ["Requests"], rows))
    axes = figure.axes[0]
    shown = [label.get_text().replace("\n", " ") for label in axes.get_yticklabels()]
    assert shown == [label for label, _cells in rows]
    for text in axes.get_yticklabels():
        box = text.get_window_extent(renderer)
        assert box.x0 >= figure.bbox.x0 and box.y0 >= figure.bbox.y0, text.get_text()


def test_an_empty_plot_says_so_and_starts_at_zero() -> None:
    rows = [("Woman", [0]), ("Man", [0])]
    with translation.override("en"):
        figure, _renderer = _drawn(Table("g", "Gender", "Gender", ["Requests"], rows))
        svg = image(Table("g", "Gender", "Gender", ["Requests"], rows)).decode()
    axes = figure.axes[0]
    assert axes.get_xlim()[0] == 0
    assert "Nothing to show for this period" in svg
    stacked = Table("m", "t", "Month", LONG, [("2026-01", [0, 0, 0, 0])], kind="stacked")
    figure, _renderer = _drawn(stacked)
    assert figure.axes[0].get_ylim()[0] == 0
    assert figure.axes[0].get_ylim()[1] >= 1
