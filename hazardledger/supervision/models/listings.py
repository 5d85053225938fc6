"""Supervision listings (挂牌督办, domain.md 4.5): a safety committee office lists a major hazard
for supervision, usually on a sector department's proposal, and delists it (摘牌) once the
hazard is closed."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hazardledger.core.models import TenantRow, TimeStampedModel
from hazardledger.hazards.choices import ListingLevel, ProductionStop

__all__ = ["Listing"]


class Listing(TenantRow, TimeStampedModel):
    """One listing of a major hazard for supervision, from the proposal to the delisting.

    A sector department's inspector (or the office itself) proposes; the safety committee
    office of a province, city or county confirms with the listing's document number, which
    lists the hazard (``status`` LISTED) and makes ``required_by`` the hazard's deadline
    through the workflow's ``list`` action; or it refuses the proposal with a reason. Once the
    hazard is closed, the listing body delists it (DELISTED) through the ``delist`` action.

    ``level`` follows the confirming office's division (province, city or county) and stays
    blank while proposed. Scope columns (region, sector, responsible enterprise) are copied
    from the hazard when proposed. ``officials`` lists the officials responsible for the
    supervision as ``[{"name": …, "post": …}]`` (free text: they need no account). Names of
    bodies and people are kept as they were on the day, so a later rename never changes a
    published listing. At most one listing per hazard is proposed or listed at a time.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed for listing")
        REFUSED = "refused", _("Proposal refused")
        LISTED = "listed", _("Listed for supervision")
        DELISTED = "delisted", _("Delisted")

    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    level = models.CharField(
        _("listing level"), max_length=10, choices=ListingLevel.choices, blank=True
    )
    required_by = models.DateField(_("required completion date"))
    stop = models.CharField(
        _("production stop"),
        max_length=10,
        choices=ProductionStop.choices,
        default=ProductionStop.NONE,
    )
    officials = models.JSONField(_("officials responsible"), default=list)
    grounds = models.TextField(_("grounds for listing"), max_length=2000)
    proposing_body = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("proposing body"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposing_body_name = models.CharField(_("proposing body"), max_length=200)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    proposed_by_name = models.CharField(_("proposed by"), max_length=150)
    proposed_at = models.DateTimeField(_("proposed at"))
    body = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("listing body"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    body_name = models.CharField(_("listing body"), max_length=200, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True, max_length=2000)
    delist_document_number = models.CharField(
        _("delisting document number"), max_length=60, blank=True
    )
    delisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    delisted_by_name = models.CharField(_("delisted by"), max_length=150, blank=True)
    delisted_at = models.DateTimeField(_("delisted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision listing")
        verbose_name_plural = _("supervision listings")
        ordering = ["required_by", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(status__in=["proposed", "listed"]),
                name="supervision_listing_one_active_per_hazard",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["listed", "delisted"])
                | (~Q(level="") & ~Q(document_number="") & Q(body__isnull=False)),
                name="supervision_listing_listed_has_body_level_number",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "level", "region"], name="supervision_listing_level"),
            models.Index(fields=["organisation", "status"], name="supervision_listing_org"),
        ]

    def __str__(self) -> str:
        return self.document_number or f"#{self.hazard_id}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:listing-detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.LISTED)

    def days_left(self, today: date) -> int:
        """Days from ``today`` to the required completion date (negative once it has passed)."""
        return (self.required_by - today).days
