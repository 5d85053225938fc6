"""Sites: what regulators supervise and enterprises run."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hazardledger.core.models import TimeStampedModel

from .choices import MINE_KINDS, RISK_COLOURS, MineType, RiskGrade, SiteKind, SiteStatus


class Site(TimeStampedModel):
    """A supervised object (监管对象): premises, a mine, a project, a house, a vessel, a venue.

    ``region`` is the township or village code (the tenant key that large deployments partition
    by); ``organisation`` is the responsible enterprise, whose users see the site.
    ``risk_level`` is empty until risk grading assesses the site ("not assessed", never "low").
    ``version`` increases on every change so that a stale edit is refused, not applied.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=SiteKind.choices)
    # Open-pit or underground, for mines only (empty: not a mine, or not known yet).
    mine_type = models.CharField(
        _("mine type"), max_length=20, choices=MineType.choices, blank=True, default=""
    )
    sector = models.ForeignKey(
        "regions.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        db_column="region_code",
    )
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("responsible enterprise"),
        on_delete=models.PROTECT,
        related_name="sites",
        null=True,
        blank=True,
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SiteStatus.choices, default=SiteStatus.OPERATING
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskGrade.choices, blank=True, default=""
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The spreadsheet import that created the site (None: entered on a form or by the demo),
    # so that the list can show the sites one import created.
    import_batch = models.UUIDField(_("import"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["region_id", "name", "id"]
        indexes = [
            models.Index(fields=["region", "sector"], name="registry_site_region_sector"),
            models.Index(fields=["sector", "region"], name="registry_site_sector_region"),
            models.Index(fields=["organisation", "region"], name="registry_site_org_region"),
            models.Index(fields=["import_batch"], name="registry_site_import_batch"),
            # The map's points (reporting.selectors.mapped_sites): per risk level (and sector),
            # in order.
            models.Index(
                fields=["risk_level", "region", "id"],
                name="registry_site_mapped",
                condition=models.Q(latitude__isnull=False, longitude__isnull=False),
            ),
            models.Index(
                fields=["risk_level", "sector", "region", "id"],
                name="registry_site_mapped_sector",
                condition=models.Q(latitude__isnull=False, longitude__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mine_type="") | models.Q(kind__in=MINE_KINDS),
                name="registry_site_mine_type_only_mines",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:site-detail", kwargs={"pk": self.pk})

    @property
    def risk_colour(self) -> str:
        """The grade's colour name, or "" when not assessed."""
        return RISK_COLOURS.get(self.risk_level, "")
