from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document

from kollega.core.models import AuditEvent
from kollega.reports.aggregates import refresh
from kollega.reports.stats import HIDDEN, Period, build
from kollega.service import actions
from kollega.service.models import CaseStatistic, Status
from tests.cast import Cast
from tests.service.conftest import submit

URL = reverse("reports:statistics")
CSV = reverse("reports:csv")


def requests(n: int, **fields: object) -> None:
    for _ in range(n):
        submit(**fields)


def table(key: str):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    with translation.override("en"):
        return next(t for t in build(Period.year(today.year)) if t.key == key)


def row(t, label: str) -> list[object]:  # type: ignore[no-untyped-def]
    return next(cells for name, cells in t.rows if name == label)


def test_counts_under_five_are_suppressed_and_the_total_hidden(db: None) -> None:
    requests(6, gender="female")
    requests(2, gender="male")
    gender = table("gender")
    assert row(gender, "Man") == [None]
    # The eight requests are known from other tables: the six women are withheld too, or
    # 8 - 6 would give the men away.
    assert row(gender, "Woman") == [HIDDEN]
    assert gender.total() is None
    assert "Man: <5" in gender.text_alternative()
    assert "Woman: :" in gender.text_alternative()


def test_deleted_requests_still_count_from_their_statistics_rows(db: None) -> None:
    requests(3, category="work")
    for seeker_case in list(
        __import__("kollega.service.models", fromlist=["Case"]).Case.objects.all()[:3]
    ):
        actions.do_delete_case_data(seeker_case, deleted_by="seeker")
    CaseStatistic.objects.create(
        month=timezone.localdate().replace(day=1), category="work", source="web",
        final_status=Status.CLOSED, deleted_by="retention", waiting_days=2,
    )  # fmt: skip
    requests(1, category="work")
    month = table("month_category")
    this_month = f"{timezone.localdate():%Y-%m}"
    work = list(month.columns).index(
        "I am out of work or on sick leave and look for a way back or out"
    )
    assert row(month, this_month)[work] == 5


def test_the_page_shows_plots_with_text_and_tables(cast: Cast) -> None:
    requests(5, gender="female", expectations=["conversation"])
    requests(1, gender="male")
    response = cast.coordinator.client("en").get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('src="data:image/svg+xml;base64,') >= 8
    assert 'alt="Gender. Woman: 5; Man: &lt;5' in body
    assert "<td>&lt;5</td>" in body
    assert AuditEvent.objects.filter(action="reports.statistics.view").exists()


def test_the_csv_suppresses_small_cells_too(cast: Cast) -> None:
    requests(5, region="oslo")
    requests(3, region="troms")
    response = cast.coordinator.client("en").get(CSV)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Region", "Oslo", "Requests", "5"] in rows
    assert ["Region", "Troms", "Requests", "<5"] in rows
    assert not any(r[3] in {"1", "2", "3", "4"} for r in rows[1:])


def test_the_period_filter_limits_the_requests(cast: Cast) -> None:
    requests(5, gender="female")
    last_year = timezone.localdate() - timedelta(days=400)
    client = cast.coordinator.client("en")
    old = client.get(URL, {"year": last_year.year, "month": last_year.month})
    assert old.status_code == 200
    assert "Woman: 0" in old.content.decode()
    # Any range of months could be subtracted from another: only a month or a year is given.
    ranged = client.get(URL, {"start": "2025-05", "end": "2025-07"})
    assert ranged.status_code == 400
    assert "calendar month or a whole year" in ranged.content.decode()
    assert client.get(CSV, {"start": "2025-05", "end": "2025-07"}).status_code == 400
    assert client.get(URL, {"year": "not-a-year"}).status_code == 400
    assert client.get(URL, {"year": "2026", "month": "13"}).status_code == 400


def test_the_annual_report_is_a_word_document_with_tables_and_plots(cast: Cast) -> None:
    requests(5)
    year = timezone.localdate().year
    response = cast.coordinator.client("en").get(reverse("reports:annual", args=[year]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        names = docx.namelist()
        text = docx.read("word/document.xml").decode()
    assert any(name.startswith("word/media/") for name in names)
    assert "Requests per month by situation" in text and "&lt;5" in text
    assert cast.coordinator.client().get(reverse("reports:annual", args=[1999])).status_code == 404


def test_the_statistics_pages_refuse_others_and_post(cast: Cast) -> None:
    year = timezone.localdate().year
    for target in (URL, CSV, reverse("reports:annual", args=[year]), reverse("reports:report")):
        for member in (cast.counsellor, cast.researcher, cast.outsider):
            assert member.client().get(target).status_code == 403
        assert Client().get(target)["Location"].startswith("/staff/login/")
        assert cast.coordinator.client().post(target).status_code == 405


def _report_text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        return docx.read("word/document.xml").decode()


def _cell(response, heading: str = "Gender", label: str = "Woman") -> str:  # type: ignore[no-untyped-def]
    """The first figure beside `label` in the report's table headed `heading`."""
    for grid in Document(io.BytesIO(response.content)).tables:
        if grid.cell(0, 0).text == heading:
            return next(row.cells[1].text for row in grid.rows if row.cells[0].text == label)
    raise AssertionError(heading)


def test_the_report_covers_the_last_full_year_unless_a_period_is_chosen(cast: Cast) -> None:
    last_year = timezone.localdate().year - 1
    for _ in range(5):
        CaseStatistic.objects.create(
            month=date(last_year, 3, 1), category="work", source="web", gender="female",
            final_status=Status.CLOSED, deleted_by="retention",
        )  # fmt: skip
    refresh()
    client = cast.coordinator.client("en")
    url = reverse("reports:report")
    default = client.get(url)
    assert f'filename="report-{last_year}.docx"' in default["Content-Disposition"]
    text = _report_text(default)
    assert _cell(default) == "5"
    assert f"annual report {last_year}" in text
    assert f"{last_year}-03" in text and f"{last_year}-12" in text
    march = client.get(url, {"year": last_year, "month": 3})
    assert f'filename="report-{last_year}-03.docx"' in march["Content-Disposition"]
    march_text = _report_text(march)
    assert f"report {last_year}-03 to {last_year}-03" in march_text
    assert f"{last_year}-04" not in march_text
    # The five requests of March are in March's report and not in April's.
    assert _cell(march) == "5"
    assert _cell(client.get(url, {"year": last_year, "month": 4})) == "0"
    bad = client.get(url, {"start": "2025-05", "end": "2025-01"})
    assert bad.status_code == 400
    assert "calendar month or a whole year" in bad.content.decode()
    assert AuditEvent.objects.filter(action="reports.annual.export").count() == 3
