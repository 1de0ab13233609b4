"""Dates read as each language writes them, and no table repeats a heading (issue 18)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from kollega.reports.stats import Period, build
from tests.cast import Cast

SRC = Path(__file__).resolve().parents[2] / "src" / "kollega"
# A Chinese month name written the European way round: "6 十二月 2026", "十二月 2026".
EUROPEAN_CHINESE = re.compile(r"[一二三四五六七八九十]+月 \d{4}")


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("DATE_FORMAT", "2026年12月6日"),
        ("SHORT_DATE_FORMAT", "2026年12月6日"),
        ("DATETIME_FORMAT", "2026年12月6日 14:30"),
        ("YEAR_MONTH_FORMAT", "2026年12月"),
        ("MONTH_DAY_FORMAT", "12月6日"),
    ],
)
def test_chinese_dates_read_year_month_day(name: str, written: str) -> None:
    moment = datetime(2026, 12, 6, 14, 30)  # noqa: DTZ001 - a wall-clock time to format
    with translation.override("zh-hans"):
        assert formats.date_format(moment, name) == written


def test_no_template_writes_a_date_with_a_pattern_of_its_own() -> None:
    # "j F Y" is European order in every language; named formats follow the reader's.
    own = [
        f"{template.relative_to(SRC)}: {match}"
        for template in SRC.glob("**/templates/**/*.html")
        for match in re.findall(r'\|(?:date|time):"([^"]*)"', template.read_text("utf-8"))
        if not match.endswith("_FORMAT")
    ]
    assert not own


@pytest.mark.django_db
def test_the_statistics_page_writes_chinese_dates_the_chinese_way(cast: Cast) -> None:
    # With the plots: their labels are Chinese too, drawn with a font that has the glyphs.
    response = cast.coordinator.client("zh-hans").get(reverse("reports:statistics"))
    text = response.content.decode()
    assert not EUROPEAN_CHINESE.search(text), EUROPEAN_CHINESE.search(text)
    assert f"{timezone.localdate().year}年" in text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nb", "en", "zh-hans"])
def test_no_statistics_table_repeats_a_heading(language: str) -> None:
    with translation.override(language):
        tables = build(Period.year(2026))
        repeated = [
            (table.key, headings)
            for table in tables
            if len(set(headings := [str(table.row_heading), *map(str, table.columns)]))
            < len(headings)
        ]
    assert not repeated
