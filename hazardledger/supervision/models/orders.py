"""Rectification orders (责令限期整改指令书, domain.md 0.4): the document a regulator issues
after an inspection that found hazards, naming each hazard with its legal basis and deadline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hazardledger.core.models import TenantRow, TimeStampedModel
from hazardledger.core.uploads import PHOTO_EXTENSIONS, RandomName
from hazardledger.hazards.choices import HazardGrade

__all__ = ["OrderItem", "OrderSequence", "RectificationOrder"]


class OrderSequence(models.Model):
    """The last serial number an issuing body gave its orders in one year.

    One row per (body, year); ``services.orders.order_next_serial`` raises ``last_serial`` with
    the row locked, so two inspectors of one body issuing at once never get the same number.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("issuing body"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveIntegerField(_("year"))
    last_serial = models.PositiveIntegerField(_("last serial number"), default=0)

    class Meta:
        verbose_name = _("order number sequence")
        verbose_name_plural = _("order number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="supervision_ordersequence_one_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last_serial}"


class RectificationOrder(TenantRow, TimeStampedModel):
    """An order to rectify the hazards an inspection found, by their deadlines.

    Scope columns (region, sector, responsible enterprise) are copied from the site. The
    issuing body is the inspector's organisation; ``document_number`` is made from its
    ``order_prefix``, the year and ``serial`` (unique per body and year). What the paper
    shows is kept as it was on the day: the body's and enterprise's names, the place, and the
    inspectors with their enforcement ID numbers (``inspectors``: a list of
    ``{"id", "name", "enforcement_id"}``), so a later edit of a user or organisation never
    changes an issued order. ``signature`` is the enterprise representative's signature, an
    image served only through a scope-checked view.
    """

    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    issuing_body = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("issuing body"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuing_body_name = models.CharField(_("issuing body"), max_length=200)
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    year = models.PositiveIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number"))
    document_number = models.CharField(_("document number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    inspected_on = models.DateField(_("inspected on"))
    place = models.CharField(_("place of inspection"), max_length=300)
    completion_report = models.TextField(_("how to report completion"), max_length=2000)
    inspectors = models.JSONField(_("inspectors"), default=list)
    representative = models.CharField(_("enterprise representative"), max_length=100)
    signature = models.FileField(
        _("representative's signature"),
        upload_to=RandomName("supervision/signatures", PHOTO_EXTENSIONS),
        max_length=255,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    issued_by_name = models.CharField(_("issued by"), max_length=150)

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_body", "year", "serial"],
                name="supervision_rectificationorder_unique_serial",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "issued_on"], name="supervision_order_region"),
            models.Index(fields=["organisation", "issued_on"], name="supervision_order_org"),
            models.Index(fields=["site", "issued_on"], name="supervision_order_site"),
        ]

    def __str__(self) -> str:
        return self.document_number

    def get_absolute_url(self) -> str:
        return reverse("supervision:order-detail", kwargs={"pk": self.pk})


class OrderItem(models.Model):
    """One hazard an order names, with the legal basis and deadline as the order states them.

    ``description``, ``location``, ``grade`` and ``basis`` are copied from the hazard when the
    order is issued; the hazard's own deadline follows ``deadline`` through the workflow's
    ``order`` action.
    """

    order = models.ForeignKey(
        RectificationOrder,
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("number"))
    description = models.TextField(_("description"), max_length=2000)
    location = models.CharField(_("where at the site"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=HazardGrade.choices)
    basis = models.TextField(_("legal basis"))
    deadline = models.DateField(_("deadline"))

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["order_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "hazard"], name="supervision_orderitem_one_per_hazard"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.position}"
