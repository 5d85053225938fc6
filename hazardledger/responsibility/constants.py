"""Constants of the responsibility app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Audit actions this app records (registered in ``ResponsibilityConfig.ready``).
AUDIT_ACTIONS = {
    "responsibility.entry.create": _("Responsibility list entry created"),
    "responsibility.entry.update": _("Responsibility list entry updated"),
    "responsibility.entry.delete": _("Responsibility list entry deleted"),
    "responsibility.entry.import": _("Responsibility list imported"),
    "responsibility.decision.create": _("Enforcement ordered for an escalated hazard"),
}

# Escalation steps, in order, and the days from the date they count from (the deadline, or
# the review due date) on which each falls due: a reminder 3 days before; on the first day
# overdue the enterprise principal and the sector regulator; the county at 7 days overdue,
# the city at 15, the province at 30 (domain.md 0.2). A major hazard's come at half the
# delay, rounded up: 2 days before, then 1, 4, 8 and 15. ``ESCALATION_SCHEDULE`` (settings,
# from the environment) changes them per sector and grade (``schedule.py``).
STEPS = ("reminder", "due", "county", "city", "province")
DEFAULT_GENERAL_DAYS = (-3, 1, 7, 15, 30)

# The job reads due rows this many at a time and commits after each batch.
TICK_BATCH = 200

# Cities with no county tier: the statistical tables give them a county row with the city's
# own name (441900 东莞市, 442000 中山市); their townships report straight to the city.
CITIES_WITHOUT_COUNTIES = frozenset({"4419", "4420"})

# The username of the system user the escalation job acts as (created on first use,
# inactive: nobody signs in as it).
SYSTEM_USERNAME = "system-escalation"
SYSTEM_FULL_NAME = "逐级督办（系统）"

# How many rows a responsibility list page shows.
ENTRY_PAGE_SIZE = 50
# The most rows an export writes.
EXPORT_MAX_ROWS = 50_000
# How many hazards the accountability view lists step by step.
ACCOUNTABILITY_STEP_ROWS = 200
# The longest period (days) the accountability view covers at once.
ACCOUNTABILITY_MAX_DAYS = 366
