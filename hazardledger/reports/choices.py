"""Kinds and states of the reports app's documents, and the indicators rankings rank on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly report")
    QUARTERLY = "quarterly", _("Quarterly report")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class ReturnPeriod(models.TextChoices):
    """The two statistics returns an enterprise files (domain.md 0.2, 0.4)."""

    QUARTER = "quarter", _("Quarterly return")
    YEAR = "year", _("Annual return")


class ReturnStatus(models.TextChoices):
    DUE = "due", _("Not prepared")
    DRAFT = "draft", _("Awaiting the principal's signature")
    SUBMITTED = "submitted", _("Submitted")


class FilingState(models.TextChoices):
    """Where an enterprise stands with one return, as its regulator's list shows it."""

    ON_TIME = "on_time", _("Submitted on time")
    LATE = "late", _("Submitted late")
    AWAITING_SIGNATURE = "awaiting_signature", _("Prepared, not signed")
    MISSING = "missing", _("Not submitted")


class Indicator(models.TextChoices):
    """What a ranking ranks the divisions on (issue 15, 排名通报)."""

    CLOSURE_RATE = "closure_rate", _("Closure rate")
    ON_TIME_RATE = "on_time_rate", _("On-time closure rate")
    OVERDUE_RATE = "overdue_rate", _("Overdue rate")
    MAJOR_ON_TIME = "major_on_time", _("Major hazards closed on time")
    INSPECTION_COVERAGE = "inspection_coverage", _("Inspection coverage")
