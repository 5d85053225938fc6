"""Limits, defaults and audit actions of the reports app. The due dates of the enterprise
statistics returns are settings (domain.md 0.2), read here with their defaults."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Years a period may name: wide enough for any ledger, narrow enough that a hostile number is
# refused before it reaches a date computation.
FIRST_YEAR = 2000
LAST_YEAR = 2100

# The principal's signature on a statistics return, drawn on the page or uploaded.
SIGNATURE_MAX_BYTES = 512 * 1024

# Rows per page of the regulator's list of returns, and of the list of generated reports.
TRACKING_PAGE_SIZE = 50
REPORTS_PAGE_SIZE = 20

# Months of trend a report charts (ending with its period).
TREND_MONTHS = 12

# The HTMX poll of a report being generated, in seconds.
POLL_SECONDS = 2


def quarterly_due_day() -> int:
    """The day of the first month of the next quarter by which a quarterly return is due."""
    return int(getattr(settings, "REPORTS_QUARTERLY_DUE_DAY", 15))


def annual_due() -> tuple[int, int]:
    """(month, day) of the next year by which an annual return is due."""
    return (
        int(getattr(settings, "REPORTS_ANNUAL_DUE_MONTH", 1)),
        int(getattr(settings, "REPORTS_ANNUAL_DUE_DAY", 31)),
    )


def reminder_days() -> int:
    """How many days before a return's due date its enterprise is reminded."""
    return int(getattr(settings, "REPORTS_REMINDER_DAYS", 7))


AUDIT_ACTIONS = {
    "reports.generatedreport.request": _("Report requested"),
    "reports.statisticsreturn.prepare": _("Statistics return prepared"),
    "reports.statisticsreturn.submit": _("Statistics return signed and submitted"),
}
