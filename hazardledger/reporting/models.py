"""Rollups: the ledger's figures kept up to date by outbox handlers, so that a dashboard reads a
few hundred rows instead of aggregating millions of hazards per request (docs/reporting.md).

Two kinds of table:

- **state rows**, one per hazard (``HazardState``) and one per site (``SiteState``): what the
  rollups last counted for it. A handler recomputes the row from the ledger, subtracts the old
  row's contributions and adds the new one's, so incremental updates are exact whatever the
  order in which events arrive; the rebuild computes the same rows with set-based SQL.
- **buckets**: sums of the state rows' contributions.

  - ``DailyTotal``: per day × township × sector × grade × source (what happened when: found,
    closed, listed, delisted);
  - ``MonthlyTotal``: the same per month, for the province, each city, county and township
    (``region`` at every level, ``parent`` the level above) and for every sector and all
    sectors together (``sector`` "" = all), so that a dashboard reads its own region's rows and
    its children's without summing townships;
  - ``CurrentCount``: hazards now, per division (every level, as above) × sector × grade ×
    status: how many, overdue, review-overdue, listed, escalated;
  - ``SiteCount``: sites per division × sector × risk level.

A hazard's "township" is its region cut to nine digits (a village's township); a site
registered at county level counts in its county and above, in no township.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CURRENT_METRICS",
    "PERIOD_METRICS",
    "CurrentCount",
    "DailyTotal",
    "HazardState",
    "MonthlyTotal",
    "RollupQueue",
    "SiteCount",
    "SiteState",
]

# What the period buckets count (each an integer column of DailyTotal and MonthlyTotal):
# found: hazards found that day (``found_on``), voided ones aside;
# rectified / rectified_on_time: of those, closed now (on time: never overdue);
# closed / closed_on_time: hazards closed that day (``closed_at`` in local time);
# listed / delisted: hazards whose latest listing (delisting) for supervision was that day.
PERIOD_METRICS = (
    "found",
    "rectified",
    "rectified_on_time",
    "closed",
    "closed_on_time",
    "listed",
    "delisted",
)
# What the current buckets count: hazards in the bucket's status, and of those the overdue
# (the party's move, past the deadline), review-overdue (submitted, past the review due date),
# listed for supervision now and escalated (open, with an escalation step of county or above).
CURRENT_METRICS = ("hazards", "overdue", "review_overdue", "listed", "escalated")


class HazardState(models.Model):
    """What the rollups last counted for one hazard (``rollups.hazard_contributions``).

    The copy of the hazard's columns the buckets depend on, with the derived flags as of the
    last refresh: ``overdue`` and ``review_overdue`` change with the date alone, so
    ``changes_after`` is the local date after which the flags change without any event (the
    deadline of a hazard not yet overdue, the review due date of one not yet review-overdue);
    the periodic ``rollups_time_sweep`` refreshes the rows whose date has passed.
    ``listed_on`` / ``delisted_on`` are the dates of the hazard's latest ``list`` / ``delist``
    events and ``escalated_ever`` whether it has had an ``escalate`` step of county, city or
    province (from its history).
    """

    hazard = models.OneToOneField(
        "hazards.Hazard",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    region = models.CharField(_("township"), max_length=12)
    sector = models.CharField(_("sector"), max_length=40)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    grade = models.CharField(_("grade"), max_length=10)
    source = models.CharField(_("source"), max_length=30)
    status = models.CharField(_("status"), max_length=20)
    found_on = models.DateField(_("date found"))
    closed_on = models.DateField(_("date closed"), null=True, blank=True)
    on_time = models.BooleanField(_("closed on time"), default=False)
    listed_on = models.DateField(null=True, blank=True)
    delisted_on = models.DateField(null=True, blank=True)
    escalated_ever = models.BooleanField(default=False)
    overdue = models.BooleanField(default=False)
    review_overdue = models.BooleanField(default=False)
    listed = models.BooleanField(default=False)
    changes_after = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("hazard rollup state")
        verbose_name_plural = _("hazard rollup states")
        indexes = [
            models.Index(
                fields=["changes_after"],
                name="reporting_hs_changes_after",
                condition=models.Q(changes_after__isnull=False),
            ),
            models.Index(fields=["organisation", "found_on"], name="reporting_hs_org_found"),
        ]

    def __str__(self) -> str:
        return f"hazard {self.hazard_id}: {self.status}"


class _PeriodMetrics(models.Model):
    found = models.IntegerField(default=0)
    rectified = models.IntegerField(default=0)
    rectified_on_time = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    listed = models.IntegerField(default=0)
    delisted = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyTotal(_PeriodMetrics):
    """Per day × township × sector × grade × source: what happened that day
    (``PERIOD_METRICS``). ``region`` is the hazard's township (its region cut to nine digits;
    a county-level site's county)."""

    day = models.DateField()
    region = models.CharField(max_length=12)
    sector = models.CharField(max_length=40)
    grade = models.CharField(max_length=10)
    source = models.CharField(max_length=30)

    class Meta:
        verbose_name = _("daily total")
        verbose_name_plural = _("daily totals")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "sector", "day", "grade", "source"],
                name="reporting_dailytotal_unique_bucket",
            )
        ]
        indexes = [models.Index(fields=["day", "region"], name="reporting_daily_day_region")]

    def __str__(self) -> str:
        return f"{self.day} {self.region} {self.sector} {self.grade} {self.source}"


class MonthlyTotal(_PeriodMetrics):
    """Per month × division (province, city, county, township) × sector ("" = all sectors) ×
    grade × source (``PERIOD_METRICS``). ``parent`` is the division one level up ("" for the
    province), so a dashboard reads its children's rows with one index range."""

    month = models.DateField(help_text="The first day of the month.")
    region = models.CharField(max_length=12)
    parent = models.CharField(max_length=12)
    sector = models.CharField(max_length=40)
    grade = models.CharField(max_length=10)
    source = models.CharField(max_length=30)

    class Meta:
        verbose_name = _("monthly total")
        verbose_name_plural = _("monthly totals")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "sector", "month", "grade", "source"],
                name="reporting_monthlytotal_unique_bucket",
            )
        ]
        indexes = [
            models.Index(fields=["parent", "sector", "month"], name="reporting_monthly_parent")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region} {self.sector} {self.grade} {self.source}"


class CurrentCount(models.Model):
    """Hazards now, per division (every level) × sector ("" = all) × grade × status
    (``CURRENT_METRICS``)."""

    region = models.CharField(max_length=12)
    parent = models.CharField(max_length=12)
    sector = models.CharField(max_length=40)
    grade = models.CharField(max_length=10)
    status = models.CharField(max_length=20)
    hazards = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    review_overdue = models.IntegerField(default=0)
    listed = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("current count")
        verbose_name_plural = _("current counts")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "sector", "grade", "status"],
                name="reporting_currentcount_unique_bucket",
            )
        ]
        indexes = [models.Index(fields=["parent", "sector"], name="reporting_current_parent")]

    def __str__(self) -> str:
        return f"{self.region} {self.sector} {self.grade} {self.status}"


class SiteState(models.Model):
    """What the rollups last counted for one site: its township, sector and risk level."""

    site = models.OneToOneField(
        "registry.Site",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    region = models.CharField(max_length=12)
    sector = models.CharField(max_length=40)
    risk_level = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("site rollup state")
        verbose_name_plural = _("site rollup states")

    def __str__(self) -> str:
        return f"site {self.site_id}: {self.risk_level or '-'}"


class SiteCount(models.Model):
    """Sites per division (every level) × sector ("" = all) × risk level ("" = not
    assessed)."""

    region = models.CharField(max_length=12)
    parent = models.CharField(max_length=12)
    sector = models.CharField(max_length=40)
    risk_level = models.CharField(max_length=10, blank=True)
    sites = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("site count")
        verbose_name_plural = _("site counts")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "sector", "risk_level"],
                name="reporting_sitecount_unique_bucket",
            )
        ]
        indexes = [models.Index(fields=["parent", "sector"], name="reporting_sitecount_parent")]

    def __str__(self) -> str:
        return f"{self.region} {self.sector} {self.risk_level or '-'}"


class RollupQueue(models.Model):
    """Hazards whose rollups wait to be refreshed: the outbox handler only queues the hazard
    (one statement), and ``rollups.rollups_flush`` refreshes what is queued in batches, so a
    burst of changes costs one pass over the buckets per batch, not per event. ``reread``:
    the hazard's history facts (a listing, a delisting, an escalation) must be read again."""

    hazard_id = models.BigIntegerField(primary_key=True)
    reread = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("queued rollup")
        verbose_name_plural = _("queued rollups")

    def __str__(self) -> str:
        return f"hazard {self.hazard_id}"
