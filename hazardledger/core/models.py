"""Abstract base models shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds creation and last-change times, both timezone-aware UTC."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TenantRow(models.Model):
    """The scope columns a tenant table copies from its site: region (the division code, the
    partition key), sector and responsible enterprise. ``access.scope`` filters on them."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        db_column="region_code",
    )
    sector = models.ForeignKey(
        "regions.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("responsible enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        abstract = True

    def copy_scope_from(self, site: models.Model) -> None:
        """Set the scope columns from ``site`` (a ``registry.Site``, or any row that carries
        the same three columns, such as the risk point an assessment belongs to)."""
        self.region_id = site.region_id  # type: ignore[attr-defined]
        self.sector_id = site.sector_id  # type: ignore[attr-defined]
        self.organisation_id = site.organisation_id  # type: ignore[attr-defined]


class SchedulerLease(models.Model):
    """Which scheduler process may fire periodic jobs, until when (``core.periodic``).

    One row per lease name; a process holds it while ``holder`` is its id and ``expires_at``
    is in the future, and renews it on every pass.
    """

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or '-'} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class PeriodicRun(models.Model):
    """One tick of one periodic job, claimed by the scheduler that enqueued it.

    The unique constraint is what makes a tick run once however many schedulers fire it.
    """

    job = models.CharField(max_length=100)
    tick = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "tick"], name="core_periodicrun_once_per_tick")
        ]
        indexes = [models.Index(fields=["tick"], name="core_periodicrun_tick")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.tick.isoformat()}"


class OutboxEvent(models.Model):
    """A change, written in the transaction that made it, for handlers to act on after commit.

    ``topic`` names what happened (``hazards.hazard.accept``); ``object_type`` and
    ``object_id`` name the row, ``region_code`` its scope (so a change feed can be filtered
    and a large deployment can partition it), ``data`` what changed. ``handled`` lists the
    handlers that have finished with it; ``done_at`` is set when all have. A failing handler
    leaves the event pending with ``attempts``, ``last_error`` and ``retry_at``
    (``core.outbox``).
    """

    topic = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    region_code = models.CharField(max_length=12, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    handled = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["retry_at"],
                name="core_outbox_pending",
                condition=models.Q(done_at__isnull=True),
            ),
            models.Index(fields=["object_type", "object_id"], name="core_outbox_object"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.object_type}#{self.object_id}"
