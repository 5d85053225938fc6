"""Campaigns (专项整治) and their cascade, the tasks they make, the inspections and hazards that
belong to them, their progress counters, circulars and weekly reports.

The ledger never imports this app: which inspections and hazards belong to a campaign is
recorded here (``CampaignInspection``, ``CampaignHazard``), by outbox handlers (``handlers.py``)
and when an inspection is started from a task.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hazardledger.core.models import TenantRow, TimeStampedModel
from hazardledger.core.uploads import RandomName
from hazardledger.regions.choices import LEVEL_BY_CODE_LENGTH

from .choices import CircularKind, PhaseKind, TemplateKind

__all__ = [
    "Campaign",
    "CampaignDraw",
    "CampaignHazard",
    "CampaignInspection",
    "CampaignPhase",
    "CampaignReport",
    "Circular",
    "Progress",
    "Task",
]

DIRECTIVE_EXTENSIONS = ("pdf", "jpg", "png", "webp")


class Campaign(TimeStampedModel):
    """A campaign as one level runs it: the province's, or a city's or county's take-up of its
    parent's (``parent``; ``root`` is the province's, None on the root itself).

    The scope is ``regions`` × ``sectors`` × ``site_kinds`` (empty kinds: every kind), inside
    the issuer's scope and, for a take-up, inside the parent's. ``delegated`` are the regions
    below this level that take the campaign up themselves: their sites wait for them; every
    other site in scope is a task of this level (``Task``). ``checklist_codes`` name the
    checklists to inspect with (their current versions). Targets: ``coverage_target`` (share of
    sites in scope inspected by regulators, %), ``closure_target`` (share of hazards found that
    are closed, %), ``major_closed_by`` (every major hazard closed by then) and free-text
    ``custom_targets``. ``tasks_built_at`` is set once the tasks exist.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent campaign"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    root = models.ForeignKey(
        "self",
        verbose_name=_("root campaign"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    issuer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("issuing organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuer_name = models.CharField(_("issuing organisation"), max_length=200)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("level"),
        on_delete=models.PROTECT,
        related_name="+",
        db_column="region_code",
    )
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200)
    directive_text = models.TextField(_("directive"), blank=True, max_length=20_000)
    directive_file = models.FileField(
        _("directive file"),
        upload_to=RandomName("campaigns/directives", DIRECTIVE_EXTENSIONS),
        blank=True,
        max_length=255,
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    regions = models.ManyToManyField("regions.Region", verbose_name=_("regions"), related_name="+")
    sectors = models.ManyToManyField("regions.Sector", verbose_name=_("sectors"), related_name="+")
    site_kinds = models.JSONField(_("site kinds"), default=list, blank=True)
    checklist_codes = models.JSONField(_("checklists"), default=list, blank=True)
    delegated = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("handed down to"),
        related_name="+",
        blank=True,
    )
    coverage_target = models.PositiveSmallIntegerField(
        _("coverage target (%)"), default=100, validators=[MaxValueValidator(100)]
    )
    closure_target = models.PositiveSmallIntegerField(
        _("closure target (%)"), default=90, validators=[MaxValueValidator(100)]
    )
    major_closed_by = models.DateField(_("every major hazard closed by"), null=True, blank=True)
    custom_targets = models.JSONField(_("other targets"), default=list, blank=True)
    leads = models.TextField(_("leads"), blank=True, max_length=2000)
    template = models.CharField(
        _("template"), max_length=30, choices=TemplateKind.choices, blank=True
    )
    tasks_built_at = models.DateTimeField(_("tasks made at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    created_by_name = models.CharField(_("issued by"), max_length=150)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "region"],
                condition=Q(parent__isnull=False),
                name="campaigns_campaign_one_take_up_per_region",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaigns_campaign_period"
            ),
            models.CheckConstraint(
                condition=Q(coverage_target__lte=100, closure_target__lte=100),
                name="campaigns_campaign_targets_are_shares",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "starts_on"], name="campaigns_camp_region"),
            models.Index(fields=["root", "region"], name="campaigns_camp_root_region"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign-detail", kwargs={"pk": self.pk})

    @property
    def root_pk(self) -> int:
        """The id of the cascade's root (this campaign's own for a root)."""
        return int(self.root_id or self.pk)

    @property
    def level(self) -> str:
        """The level that runs it: province, city, county or township (from its region)."""
        return str(LEVEL_BY_CODE_LENGTH.get(len(self.region_id), ""))

    def state(self, today: date) -> str:
        """ "upcoming", "running" or "ended" on ``today``."""
        if today < self.starts_on:
            return "upcoming"
        return "running" if today <= self.ends_on else "ended"


class CampaignPhase(models.Model):
    """One phase of a campaign with its dates (mobilisation, self-inspection, enforcement,
    summing up)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="phases"
    )
    kind = models.CharField(_("phase"), max_length=20, choices=PhaseKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("campaign phase")
        verbose_name_plural = _("campaign phases")
        ordering = ["campaign_id", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind"], name="campaigns_campaignphase_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaigns_campaignphase_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on}"


class Task(TenantRow):
    """A site in a campaign's scope (one per site and cascade), and who checks it.

    ``root`` is the cascade's root; ``campaign`` the level responsible for the site: the root
    at first, then the city or county campaign that took it up for the site's region.
    ``issued`` is False while that level has handed the site's region down and the level
    below has not taken it up yet. An issued task is for ``responsible``: the township where
    the sector is territorial, else the sector's regulator; it may be given to people
    (``assignees``) or to a double-random draw (``draw``). The enterprise responsible for the
    site has its self-inspection task on the same row (``self_due_on``, led by its
    principal). ``inspected_on`` and ``self_inspected_on`` are the first regulator's and the
    first self-inspection's day in the campaign (``inspection``, ``self_inspection``).
    Scope columns (region, sector, enterprise) are copied from the site.
    """

    root = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("level"), on_delete=models.CASCADE, related_name="tasks"
    )
    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    site_kind = models.CharField(_("site kind"), max_length=30)
    issued = models.BooleanField(_("issued"), default=False)
    responsible = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("responsible organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), related_name="+", blank=True
    )
    draw = models.ForeignKey(
        "inspections.Draw",
        verbose_name=_("double-random draw"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    self_due_on = models.DateField(_("self-inspection due"), null=True, blank=True)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    self_inspected_on = models.DateField(_("self-inspected on"), null=True, blank=True)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    self_inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")
        ordering = ["region_id", "site_id"]
        constraints = [
            models.UniqueConstraint(fields=["root", "site"], name="campaigns_task_one_per_site"),
        ]
        indexes = [
            models.Index(fields=["campaign", "region"], name="campaigns_task_campaign_region"),
            models.Index(fields=["responsible", "inspected_on"], name="campaigns_task_responsible"),
            models.Index(fields=["organisation", "root"], name="campaigns_task_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.root_id}/{self.site_id}"

    @property
    def state(self) -> str:
        from .choices import TaskState

        if not self.issued:
            return TaskState.AWAITING
        return TaskState.DONE if self.inspected_on else TaskState.OPEN


class Progress(models.Model):
    """The campaign's figures for one township, sector and site kind (the root's: a level's
    figures are those of its scope), kept up to date by the outbox handlers and rebuilt from
    the tasks and links by ``manage.py campaign_progress_rebuild``.

    Sites in scope, self-inspected and inspected by regulators count sites; the hazard
    figures count linked hazards that are not voided: found, major, closed, major closed, major
    found by regulators (``dept_major``) and by the enterprise's own checks (``self_major``)
    with how many are closed, and major hazards listed for supervision with how many are
    closed (domain.md 0.5's table). Overdue is not counted here: it changes with the date, so
    it is counted from ``CampaignHazard.overdue_from`` when a page asks.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_column="region_code"
    )
    sector = models.ForeignKey("regions.Sector", on_delete=models.PROTECT, related_name="+")
    site_kind = models.CharField(max_length=30)
    sites = models.IntegerField(default=0)
    self_inspected = models.IntegerField(default=0)
    inspected = models.IntegerField(default=0)
    hazards = models.IntegerField(default=0)
    major = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    major_closed = models.IntegerField(default=0)
    dept_major = models.IntegerField(default=0)
    dept_major_closed = models.IntegerField(default=0)
    self_major = models.IntegerField(default=0)
    self_major_closed = models.IntegerField(default=0)
    listed = models.IntegerField(default=0)
    listed_closed = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("campaign progress")
        verbose_name_plural = _("campaign progress")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "region", "sector", "site_kind"],
                name="campaigns_progress_one_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.region_id} {self.sector_id} {self.site_kind}"


class CampaignInspection(models.Model):
    """An inspection that belongs to a campaign (the cascade's root): started from one of its
    tasks or planned by one of its draws (``explicit``), or submitted during the campaign at a
    site in scope with one of its checklists. ``inspected_on`` is set when it is submitted."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_column="region_code"
    )
    sector = models.ForeignKey("regions.Sector", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20)
    explicit = models.BooleanField(default=False)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign inspection")
        verbose_name_plural = _("campaign inspections")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "inspection"], name="campaigns_campaigninspection_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.inspection_id}"


class CampaignHazard(models.Model):
    """A hazard that belongs to a campaign (the root): found during it at a site in scope, or
    raised by one of its inspections. The hazard's grade, finder, status, deadline and whether
    it was ever listed are kept as last counted, so a handler adds to ``Progress`` only the
    difference a change makes (and nothing when it runs again). ``overdue_from`` is the
    deadline while rectification is the party's move, else empty: the hazard is overdue once
    it is before today."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_column="region_code"
    )
    sector = models.ForeignKey("regions.Sector", on_delete=models.PROTECT, related_name="+")
    site_kind = models.CharField(max_length=30)
    counted = models.BooleanField(default=False)
    grade = models.CharField(max_length=10, blank=True)
    regulator_found = models.BooleanField(default=False)
    status = models.CharField(max_length=20, blank=True)
    listed = models.BooleanField(default=False)
    overdue_from = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("campaign hazard")
        verbose_name_plural = _("campaign hazards")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "hazard"], name="campaigns_campaignhazard_once"
            ),
        ]
        indexes = [
            # Covering: the overdue count per region and sector is read from the index alone.
            models.Index(
                fields=["campaign", "overdue_from", "region", "sector"],
                name="campaigns_hz_overdue",
            ),
            models.Index(fields=["campaign", "region"], name="campaigns_hz_region"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.hazard_id}"


class CampaignDraw(models.Model):
    """A double-random draw made for a campaign's tasks: the inspections it plans belong to
    the campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="draws"
    )
    draw = models.OneToOneField(
        "inspections.Draw",
        verbose_name=_("double-random draw"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("campaign draw")
        verbose_name_plural = _("campaign draws")

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.draw_id}"


class Circular(TimeStampedModel):
    """A circular (通报) or a letter urging rectification (督促函) the office running a campaign
    sent to a region, with the region's figures on the day (``figures``). Names are kept as
    they were on the day."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="circulars"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CircularKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="+",
        db_column="region_code",
    )
    region_name = models.CharField(_("to"), max_length=100)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    text = models.TextField(_("text"), max_length=5000)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    issuer = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    issuer_name = models.CharField(_("from"), max_length=200)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    sent_by_name = models.CharField(_("sent by"), max_length=150)

    class Meta:
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_number or self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:circular-detail", kwargs={"pk": self.pk})


class CampaignReport(models.Model):
    """A progress report the weekly job made for a campaign (spreadsheet and PDF, the form
    offices send upward), for the issuing level and those above it."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="reports"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_column="region_code"
    )
    as_of = models.DateField(_("as of"))
    xlsx = models.FileField(
        upload_to=RandomName("campaigns/reports", ("xlsx",)), max_length=255, blank=True
    )
    pdf = models.FileField(
        upload_to=RandomName("campaigns/reports", ("pdf",)), max_length=255, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign report")
        verbose_name_plural = _("campaign reports")
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "as_of"], name="campaigns_campaignreport_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.as_of}"
