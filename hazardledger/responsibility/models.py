"""The chain of responsibility: the responsibility list (责任清单), the per-hazard escalation
row the escalation job claims its steps on, the record of every step taken, and the decisions
levels make about escalated hazards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hazardledger.core.models import TenantRow, TimeStampedModel

from .choices import (
    ActionKind,
    DecisionKind,
    DecisionStatus,
    EscalationReason,
    EscalationStepName,
    OfficialSide,
)

__all__ = [
    "Escalation",
    "EscalationDecision",
    "EscalationStep",
    "ResponsibilityEntry",
    "ResponsibleOfficial",
]


class ResponsibilityEntry(TimeStampedModel):
    """Who answers for one sector in one division (province, city, county or township): the
    lead department, the officials (``ResponsibleOfficial``) and, when the division does not
    report to its parent in the tree, the level it reports to instead (``escalates_to``).

    The chain upward is derived from the division tree (township → county → city → province;
    a township of a city without counties, Dongguan or Zhongshan, reports to the city) unless
    an entry overrides it. ``version`` guards the edit page (a conditional update).
    """

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
    lead_department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    escalates_to = models.ForeignKey(
        "regions.Region",
        verbose_name=_("reports to"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_column="escalates_to_code",
        help_text=_("Leave empty to follow the division tree."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("responsibility list entry")
        verbose_name_plural = _("responsibility list")
        ordering = ["region_id", "sector__sort_order", "sector_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "sector"], name="responsibility_entry_unique_region_sector"
            ),
            models.CheckConstraint(
                condition=~Q(escalates_to=models.F("region")),
                name="responsibility_entry_not_to_itself",
            ),
        ]
        indexes = [models.Index(fields=["sector", "region"], name="responsibility_entry_sector")]

    def __str__(self) -> str:
        return f"{self.region_id} · {self.sector_id}"


class ResponsibleOfficial(models.Model):
    """One official on an entry: a user of the application, or a named official with post and
    phone (the name and post are kept either way, so the list reads the same when a user
    leaves)."""

    entry = models.ForeignKey(
        ResponsibilityEntry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        related_name="officials",
    )
    side = models.CharField(_("side"), max_length=20, choices=OfficialSide.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("responsible official")
        verbose_name_plural = _("responsible officials")
        ordering = ["entry_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.post})"


class Escalation(models.Model):
    """The escalation job's row for one hazard: which track it is on (``reason`` and the date
    the steps count from, ``basis_on``: the deadline, or the review due date), the next step
    and the local date it falls due (``next_due_on``, indexed: a tick reads only due rows).

    The job claims a step with ``UPDATE … SET next_step = <the one after>, claim_token = <its
    token> WHERE hazard = ? AND next_step = <step> AND reason = … AND basis_on = …`` (one
    statement for a batch of rows, each with its own condition) and acts on the rows that
    carry its token, in the same transaction (healthchecks' ``sendalerts``), never touching
    the hazard row to claim. Outbox handlers keep the row current (deadline changes,
    closure, regrading); ``escalation_rebuild`` rebuilds it. ``urged_*`` is the last urging.
    """

    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    grade = models.CharField(_("grade"), max_length=10)
    sector = models.ForeignKey(
        "regions.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(
        _("reason"), max_length=20, choices=EscalationReason.choices, blank=True
    )
    basis_on = models.DateField(_("counted from"), null=True, blank=True)
    next_step = models.CharField(
        _("next step"), max_length=10, choices=EscalationStepName.choices, blank=True
    )
    next_due_on = models.DateField(_("next step due"), null=True, blank=True)
    last_step = models.CharField(
        _("last step"), max_length=10, choices=EscalationStepName.choices, blank=True
    )
    last_region_code = models.CharField(_("level reached"), max_length=12, blank=True)
    last_at = models.DateTimeField(_("last step at"), null=True, blank=True)
    # The batch that claimed the row's last step (a worker's token, written by the claiming
    # update and read back in the same transaction: which rows this worker claimed).
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    urged_at = models.DateTimeField(_("urged at"), null=True, blank=True)
    urged_by_name = models.CharField(_("urged by"), max_length=200, blank=True)
    urged_message = models.TextField(_("urging"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [
            # A tick reads ``next_due_on <= today``; rows with nothing left are not indexed.
            models.Index(
                fields=["next_due_on"],
                condition=Q(next_due_on__isnull=False),
                name="responsibility_esc_due",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.hazard_id}: {self.next_step or '-'} {self.next_due_on or ''}"


class EscalationStep(models.Model):
    """One step the job took, exactly once per hazard, track and step (a unique constraint
    backs the claim): the level that received it (``region``: its division), the lead
    department and officials on the list then (copied, so the record never changes), and the
    level's first action on it (urging, listing, a decision), for the accountability view.
    ``sector`` and ``organisation`` are the hazard's (the scope columns, as ``TenantRow``'s).
    Two indexes only (the job writes tens of thousands a tick): the unique track key, which
    also finds a hazard's steps, and the level with the time."""

    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        db_column="region_code",
        db_index=False,
    )
    sector = models.ForeignKey(
        "regions.Sector",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("responsible enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    hazard_region_code = models.CharField(_("hazard's region"), max_length=12)
    grade = models.CharField(_("grade"), max_length=10)
    reason = models.CharField(_("reason"), max_length=20, choices=EscalationReason.choices)
    basis_on = models.DateField(_("counted from"))
    step = models.CharField(_("step"), max_length=10, choices=EscalationStepName.choices)
    days = models.IntegerField(_("days overdue"))
    at = models.DateTimeField(_("at"))
    event_seq = models.PositiveIntegerField(_("history event"), null=True, blank=True)
    department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("lead department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    department_name = models.CharField(_("lead department"), max_length=200, blank=True)
    officials = models.JSONField(_("officials"), default=list, blank=True)
    acted_at = models.DateTimeField(_("first action at"), null=True, blank=True)
    acted_kind = models.CharField(
        _("first action"), max_length=10, choices=ActionKind.choices, blank=True
    )
    acted_by_name = models.CharField(_("first action by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "reason", "basis_on", "step"],
                name="responsibility_step_once",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "at"], name="responsibility_step_region_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.hazard_id} {self.step} → {self.region_id}"

    @property
    def response_hours(self) -> float | None:
        """Hours from the step to the level's first action (None while there is none)."""
        if self.acted_at is None:
            return None
        return (self.acted_at - self.at).total_seconds() / 3600


class EscalationDecision(TimeStampedModel, TenantRow):
    """A decision a level took about an escalated hazard: today, an order for enforcement,
    recorded now and acted on when the enforcement app lands. ``region`` is the deciding
    body's division; ``sector`` and ``organisation`` are the hazard's."""

    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("decision"), max_length=20, choices=DecisionKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DecisionStatus.choices,
        default=DecisionStatus.RECORDED,
    )
    note = models.TextField(_("note"), max_length=1000)
    body = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("deciding body"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body_name = models.CharField(_("deciding body"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    decided_by_name = models.CharField(_("decided by"), max_length=200)

    class Meta:
        verbose_name = _("escalation decision")
        verbose_name_plural = _("escalation decisions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.hazard_id} {self.kind}"
