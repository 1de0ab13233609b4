"""The statistics page on a 320 px phone: nothing wider than the screen, tables scroll."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone

from kollega.reports.aggregates import refresh
from kollega.service.models import CaseStatistic, Status
from tests.browser.conftest import SCREENSHOT_DIR, check_axe
from tests.cast import Cast
from tests.service.conftest import make_profile


def test_it_fits_a_320_px_screen(staff_page: Any, live_server: Any, cast: Cast) -> None:
    make_profile(cast.counsellor)
    year = timezone.localdate().year
    CaseStatistic.objects.bulk_create(
        CaseStatistic(
            month=date(year, 1 + k % 3, 1),
            category=["coping", "work", "advice"][k % 3],
            source="web",
            region=["oslo", "finnmark", "vestland"][k % 3],
            specialty="anaesthesia",
            final_status=Status.CLOSED,
            deleted_by="retention",
        )
        for k in range(40)
    )
    refresh()
    page = staff_page(cast.coordinator, live_server, "nb")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/statistics/?year={year}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # Wide tables scroll inside their own region, which the keyboard can reach.
    regions = page.locator(".table-scroll[tabindex='0'][role='region']")
    assert regions.count() >= 10
    widths = page.evaluate(
        "[...document.querySelectorAll('.plot img')].map(i => i.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= 320
    check_axe(page)
    assert "1 åpen sak" in page.content() or "1 åpne saker" not in page.content()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SCREENSHOT_DIR) / "statistics-320.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(Path(SCREENSHOT_DIR) / "statistics-1280.png"), full_page=True)
