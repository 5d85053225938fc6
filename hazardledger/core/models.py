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
