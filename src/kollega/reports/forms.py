"""The statistics pages' forms. The period form lives below every app that shows statistics
(`kollega.core.statistics`); it is named here too for the reports app's callers."""

from __future__ import annotations

from kollega.core.statistics import FIRST_YEAR, PeriodForm

__all__ = ["FIRST_YEAR", "PeriodForm"]
