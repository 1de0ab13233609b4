"""The statistics pages: coordinators only, aggregate figures only, small cells suppressed."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kollega.core.audit import AuditAction, record
from kollega.core.roles import COORDINATOR, role_required
from kollega.reports.annual import annual_report as build_annual_report
from kollega.reports.forms import PeriodForm
from kollega.reports.plots import data_uri, size
from kollega.reports.stats import Period, Table, build, last_refreshed, show

coordinator_only = role_required(COORDINATOR)


def _period_form(request: HttpRequest) -> PeriodForm:
    return PeriodForm(request.GET if request.GET else None)


def _plotted(table: Table) -> tuple[Table, str, int]:
    """The table, its plot and the plot's height in pixels at 700 wide."""
    width, height = size(table)
    return table, data_uri(table), round(700 * height / width)


@require_GET
@coordinator_only
def statistics(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    period = form.period()
    tables = build(period)
    record(request.user, AuditAction.REPORTS_STATISTICS_VIEW)
    return render(
        request,
        "reports/statistics.html",
        {
            "form": form,
            "period": period,
            "tables": [
                (table, None, 0) if table.kind == "summary" else _plotted(table) for table in tables
            ],
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "query": request.GET.urlencode(),
            "refreshed_at": last_refreshed(),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@coordinator_only
def statistics_csv(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    if form.errors:
        return _bad_period()
    period = form.period()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistics-{_name(period)}.csv"'
    writer = csv.writer(response)
    writer.writerow(["statistic", "row", "column", "value"])
    for table in build(period):
        for label, cells in table.rows:
            for column, cell in zip(table.columns, cells, strict=True):
                writer.writerow([table.title, label, column, show(cell)])
    record(request.user, AuditAction.REPORTS_STATISTICS_EXPORT)
    return response


def _name(period: Period) -> str:
    """2026 for a year, 2026-10 for a month."""
    year = period.calendar_year
    return str(year) if year is not None else f"{period.start:%Y-%m}"


def _bad_period() -> HttpResponse:
    return HttpResponse(
        _("Statistics are given for a calendar month or a whole year only."),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _docx(period: Period, filename: str) -> HttpResponse:
    response = HttpResponse(
        build_annual_report(period),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@coordinator_only
def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    if not 2000 <= year <= timezone.localdate().year:
        return HttpResponse(status=404)
    record(request.user, AuditAction.REPORTS_ANNUAL_EXPORT, year=year)
    return _docx(Period.year(year), f"annual-report-{year}.docx")


@require_GET
@coordinator_only
def period_report(request: HttpRequest) -> HttpResponse:
    """The report for the month or year chosen as on the page; the last full calendar year when
    none is chosen."""
    form = _period_form(request)
    if form.errors:
        return _bad_period()
    period = form.period(Period.last_full_year(timezone.localdate()))
    record(
        request.user,
        AuditAction.REPORTS_ANNUAL_EXPORT,
        start=f"{period.start:%Y-%m}",
        end=f"{period.end:%Y-%m}",
    )
    return _docx(period, f"report-{_name(period)}.docx")
