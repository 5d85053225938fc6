"""Checklists (versioned reference data), inspections with their item results, photos and
signatures, the hazard drafts failed items produce, re-check decisions and double-random draws."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hazardledger.core.models import TenantRow, TimeStampedModel
from hazardledger.core.uploads import PHOTO_EXTENSIONS, RandomName, download_name
from hazardledger.hazards.choices import HazardCategory, HazardGrade

from .choices import (
    STATUS_COLOURS,
    DraftStatus,
    DrawStatus,
    InspectionKind,
    InspectionStatus,
    ItemOutcome,
    RecheckOutcome,
)

__all__ = [
    "Checklist",
    "ChecklistItem",
    "Draw",
    "HazardDraft",
    "Inspection",
    "ItemPhoto",
    "ItemResult",
    "RecheckDecision",
]


def _english() -> bool:
    return (get_language() or "zh-hans").startswith("en")


class Checklist(models.Model):
    """One version of a checklist (检查表): reference data, loaded from a TOML file.

    ``code`` names the checklist across versions; each load of a changed file adds a version
    and makes it current, and older versions stay (with their items) for the inspections that
    used them, so a new version never changes a past inspection. ``sectors`` and ``site_kinds``
    are lists of codes (empty: any); ``source_sha256`` is the hash of the file's normalised
    content, which is how a reload of an unchanged file is recognised.
    """

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    title_zh = models.CharField(_("Chinese title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    site_kinds = models.JSONField(_("site kinds"), default=list, blank=True)
    standard = models.CharField(_("determination standard"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    source_sha256 = models.CharField(max_length=64)
    source_text = models.TextField(_("source file"), blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    created_by_name = models.CharField(_("loaded by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="inspections_checklist_unique_version"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(is_current=True),
                name="inspections_checklist_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("inspections:checklist-detail", kwargs={"pk": self.pk})

    @property
    def title(self) -> str:
        return self.title_en if _english() else self.title_zh

    def applies_to(self, site: models.Model) -> bool:
        """True when the checklist fits the site's sector and kind (empty lists fit any)."""
        sector_ok = not self.sectors or site.sector_id in self.sectors  # type: ignore[attr-defined]
        kind_ok = not self.site_kinds or site.kind in self.site_kinds  # type: ignore[attr-defined]
        return sector_ok and kind_ok


class ChecklistItem(models.Model):
    """One item of a checklist version. Never changed after loading.

    ``major_clause`` is the identifier of the determination-standard clause (from
    ``checklists/clauses.toml``) under which a failure is a major hazard; empty for an
    ordinary item, whose failure is a general hazard. ``clause_label`` is the citation shown
    and written into the hazard's basis.
    """

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="items"
    )
    position = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=40)
    section_zh = models.CharField(_("section"), max_length=200, blank=True)
    section_en = models.CharField(_("section"), max_length=200, blank=True)
    text_zh = models.TextField(_("Chinese text"))
    text_en = models.TextField(_("English text"))
    basis = models.TextField(_("legal basis"), blank=True)
    category = models.CharField(
        _("hazard category"),
        max_length=20,
        choices=HazardCategory.choices,
        default=HazardCategory.OTHER,
    )
    major_clause = models.CharField(_("major-hazard clause"), max_length=60, blank=True)
    clause_label = models.CharField(_("clause"), max_length=300, blank=True)
    # When the item applies: ``{attribute: [values]}`` on the site's attributes (its mine
    # type, a house's use…); empty: always. See ``applies_to_site``.
    conditions = models.JSONField(_("applies when"), default=dict, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "code"], name="inspections_checklistitem_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:40]}"

    @property
    def text(self) -> str:
        return self.text_en if _english() else self.text_zh

    @property
    def section(self) -> str:
        return self.section_en if _english() else self.section_zh

    @property
    def is_major(self) -> bool:
        return bool(self.major_clause)

    @property
    def grade(self) -> str:
        """The grade the checklist determines for a failure of this item."""
        return HazardGrade.MAJOR if self.major_clause else HazardGrade.GENERAL

    def applies_to_site(self, site: models.Model) -> bool:
        """True when the site meets every condition: for each attribute named, its value is
        one of those listed. A site whose attribute is not recorded gets the item (the
        inspector marks it "not applicable" if it is not), so nothing is skipped unseen."""
        from hazardledger.registry.attributes import site_attribute

        for name, values in (self.conditions or {}).items():
            value = site_attribute(site, name)
            if value is not None and value not in values:
                return False
        return True


class Draw(TimeStampedModel):
    """A double-random draw (双随机): random sites from a scope, random inspector pairs.

    ``seed`` and ``inputs`` (the parameters, the candidate site ids and the inspector pool, in
    primary-key order) are written first and hashed into ``input_hash``; only then is the draw
    performed (``result``: site ids in draw order and the inspector pair of each). Anyone can
    re-run it from ``inputs`` and ``seed`` and get the same result. ``region`` is the scope
    region of the draw and ``sectors`` the sectors it covers: it is published to the users
    whose scope holds the region and every one of those sectors (``policies.DrawPolicy``).
    """

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        db_column="region_code",
    )
    sectors = models.ManyToManyField("regions.Sector", verbose_name=_("sectors"), related_name="+")
    title = models.CharField(_("title"), max_length=200)
    seed = models.BigIntegerField(_("seed"))
    inputs = models.JSONField(_("inputs"), default=dict)
    input_hash = models.CharField(_("input hash"), max_length=64)
    result = models.JSONField(_("result"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.SEALED
    )
    planned_on = models.DateField(_("planned for"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    created_by_name = models.CharField(_("drawn by"), max_length=150)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("double-random draw")
        verbose_name_plural = _("double-random draws")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inspections:draw-detail", kwargs={"pk": self.pk})


class Inspection(TenantRow, TimeStampedModel):
    """One visit or self-check of a site against a checklist version.

    Planned (site, date, inspectors, checklist), then started, carried out (on a phone, maybe
    offline) and submitted once. ``uuid`` is the id the phone syncs to; ``submission_uuid`` and
    ``content_hash`` identify the one submission accepted, so a retry of it changes nothing
    and a different submission is refused as a conflict. A re-check (``kind`` recheck) has no
    checklist: it acts on the site's open hazards instead.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
    )
    checklist = models.ForeignKey(
        Checklist,
        verbose_name=_("checklist"),
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
    )
    planned_on = models.DateField(_("planned for"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="+", blank=True
    )
    draw = models.ForeignKey(
        Draw,
        verbose_name=_("draw"),
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at (device time)"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    gps_accuracy = models.PositiveIntegerField(_("GPS accuracy (m)"), null=True, blank=True)
    inspector_signature = models.FileField(
        upload_to=RandomName("inspections/signatures", PHOTO_EXTENSIONS),
        blank=True,
        max_length=255,
    )
    site_signature = models.FileField(
        upload_to=RandomName("inspections/signatures", PHOTO_EXTENSIONS),
        blank=True,
        max_length=255,
    )
    site_representative = models.CharField(_("site representative"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    submission_uuid = models.UUIDField(null=True, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    submitted_by_name = models.CharField(_("submitted by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_on", "-id"]
        indexes = [
            models.Index(fields=["region", "status"], name="inspections_insp_region_status"),
            models.Index(fields=["sector", "region"], name="inspections_insp_sector_region"),
            models.Index(fields=["organisation", "status"], name="inspections_insp_org_status"),
            models.Index(fields=["site", "status"], name="inspections_insp_site_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.site_id} · {self.planned_on}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection-detail", kwargs={"pk": self.pk})

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def is_recheck(self) -> bool:
        return self.kind == InspectionKind.RECHECK


class ItemResult(TenantRow):
    """The result of one checklist item in one inspection. ``uuid`` comes from the phone, so
    a retried sync updates the same row instead of adding one."""

    uuid = models.UUIDField(unique=True)
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("result"), max_length=4, choices=ItemOutcome.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("item result")
        verbose_name_plural = _("item results")
        ordering = ["inspection_id", "item__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"], name="inspections_itemresult_one_per_item"
            ),
        ]
        indexes = [models.Index(fields=["region", "outcome"], name="inspections_res_region")]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_id}: {self.outcome}"


class ItemPhoto(models.Model):
    """A photo taken for an item result; one file per distinct content (``sha256``).

    The file is stored under a random name; ``original_name`` is the name it had on the phone
    (empty when the phone sent none), shown on the pages, offered by the download and carried
    into the ledger's evidence when a draft is confirmed (``download_name``).
    """

    result = models.ForeignKey(
        ItemResult, verbose_name=_("item result"), on_delete=models.CASCADE, related_name="photos"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_column="region_code"
    )
    file = models.FileField(
        _("file"), upload_to=RandomName("inspections/photos", PHOTO_EXTENSIONS), max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("item photo")
        verbose_name_plural = _("item photos")
        ordering = ["result_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "sha256"], name="inspections_itemphoto_unique_content"
            ),
        ]

    def __str__(self) -> str:
        return self.download_name

    @property
    def download_name(self) -> str:
        """The photo's name as shown and downloaded: the phone's name for it, else "photo-<id>",
        with the extension of the stored file."""
        return download_name(self.original_name, stored=self.file.name, fallback=f"photo-{self.pk}")


class HazardDraft(TenantRow):
    """What a failed item proposes to the ledger, waiting for the inspector to confirm it.

    ``checklist_grade`` is what the checklist determines; ``grade`` what the inspector chose.
    When they differ, ``override_reason`` says why (required) and it is recorded in the audit
    trail. On confirmation the hazards app records the hazard (``hazard``).
    """

    result = models.OneToOneField(
        ItemResult, verbose_name=_("item result"), on_delete=models.CASCADE, related_name="draft"
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="drafts"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.DRAFT
    )
    checklist_grade = models.CharField(
        _("grade by the checklist"), max_length=10, choices=HazardGrade.choices
    )
    grade = models.CharField(_("grade"), max_length=10, choices=HazardGrade.choices)
    override_reason = models.TextField(_("reason for changing the grade"), blank=True)
    clause = models.CharField(_("major-hazard clause"), max_length=60, blank=True)
    basis = models.TextField(_("basis"), blank=True)
    description = models.TextField(_("description"), max_length=2000)
    location = models.CharField(_("where at the site"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=HazardCategory.choices)
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_draft",
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hazard draft")
        verbose_name_plural = _("hazard drafts")
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def is_overridden(self) -> bool:
        return self.grade != self.checklist_grade


class RecheckDecision(TenantRow):
    """A re-check inspection's decision on one open hazard, applied through the ledger's
    state machine (``hazard_transition``)."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="recheck_decisions",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=RecheckOutcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by_name = models.CharField(max_length=150)
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("re-check decision")
        verbose_name_plural = _("re-check decisions")
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id}: {self.outcome}"
