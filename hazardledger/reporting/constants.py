"""Choices and limits of the dashboards."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

PERIOD_KINDS = [
    ("year", _("This year")),
    ("quarter", _("This quarter")),
    ("month", _("This month")),
    ("custom", _("From … to …")),
]
# Dates a period may use, and its longest span.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_PERIOD_DAYS = 3660
# The monthly trend covers at least this many months, ending with the period's last.
TREND_MONTHS = 12
# What the map can be coloured by.
MAP_INDICATORS = [
    ("open_major", _("Open major hazards")),
    ("overdue_rate", _("Overdue rate")),
    ("closure_rate", _("Closure rate")),
    ("risk_sites", _("Sites at major or large risk")),
]
# Sites drawn on a city's map at most (the most serious risk levels first).
MAP_POINTS_MAX = 3000
# The ledger's worst cases a dashboard lists.
WORST_CASES = 10
