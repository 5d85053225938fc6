"""The administrative division tree and the sectors: reference data every tenant row points at."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import DepartmentKind, RegionLevel


class Region(models.Model):
    """A division (province, city, county, township or village) keyed by its NBS code.

    The code is the primary key, so every foreign key to a region stores the code itself and
    "under a region" is a range scan on an ordinary index (see ``selectors.under_region``).
    """

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    full_name = models.CharField(_("full name"), max_length=300)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes of this region's ancestors, province first (derived from the code)."""
        return [self.code[:n] for n in (2, 4, 6, 9) if n < len(self.code)]


class Sector(models.Model):
    """A regulated sector (行业领域) with its names in both languages and its lead department."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    lead_department = models.CharField(
        _("lead department"), max_length=30, choices=DepartmentKind.choices
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Chinese unless English is active)."""
        language = get_language() or "zh-hans"
        return self.name_en if language.startswith("en") else self.name_zh
