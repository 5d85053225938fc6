"""The hazard ledger: hazards, their rectification plans, evidence, history, extension requests
and the quick reports that feed them."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hazardledger.core.models import TenantRow, TimeStampedModel
from hazardledger.core.uploads import PHOTO_EXTENSIONS, RandomName

from .choices import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    PARTY_MOVE_STATUSES,
    STATUS_COLOURS,
    EvidenceKind,
    EvidenceStage,
    ExtensionStatus,
    HazardAction,
    HazardCategory,
    HazardGrade,
    HazardSource,
    HazardStatus,
    InterimMeasure,
    ListingLevel,
    ProductionStop,
    QuickReportStatus,
)

__all__ = [
    "Evidence",
    "ExtensionRequest",
    "Hazard",
    "HazardEvent",
    "QuickReport",
    "RectificationPlan",
]

GENESIS_HASH = "0" * 64


class Hazard(TimeStampedModel, TenantRow):
    """One hazard (事故隐患) from discovery to sign-off.

    ``region``, ``sector`` and ``organisation`` (``TenantRow``) are copied from the site when
    the hazard is recorded, so that lists, scope and partitions need no join. ``status``
    changes only through ``workflow.hazard_transition``; ``version`` grows on every change of
    who may act or what a decision means (every move between statuses, a new deadline), so an
    action taken from a stale page is refused instead of applied; actions that keep the status
    and change nothing on the page (an extension request) leave it. ``deadline`` is the one
    rectification deadline: set when the hazard is recorded (by the regulator, or the default
    for its grade), shortened by the plan, moved by approved extensions, orders, listings and
    reopening, each change in an event; overdue is derived from it (``deadlines.py``), and the
    days overdue under earlier deadlines are kept in ``past_overdue_days``. ``regulator_found``
    marks a hazard a regulator found, which only a regulator accepts; ``assignee`` is the
    plan's responsible user; ``listing_level`` and ``production_stop`` are set by the
    supervision app's actions; ``review_due`` is when the regulator's review of a submitted
    major hazard is due. ``history_seq`` and ``history_head`` anchor the hash chain of
    the hazard's events: the number and hash of the last event, so that deleting events at the
    end of the chain is detected too.
    """

    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="hazards"
    )
    location = models.CharField(_("where at the site"), max_length=200)
    description = models.TextField(_("description"), max_length=2000)
    category = models.CharField(_("category"), max_length=20, choices=HazardCategory.choices)
    grade = models.CharField(_("grade"), max_length=10, choices=HazardGrade.choices)
    grade_basis = models.TextField(
        _("basis for the grade"),
        blank=True,
        max_length=1000,
        help_text=_("For a major hazard: the clause of the determination standard it meets."),
    )
    source = models.CharField(_("source"), max_length=30, choices=HazardSource.choices)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    found_by_name = models.CharField(_("found by"), max_length=100)
    found_on = models.DateField(_("date found"))
    status = models.CharField(
        _("status"), max_length=20, choices=HazardStatus.choices, default=HazardStatus.RECORDED
    )
    interim_measures = models.JSONField(_("interim measures"), default=list, blank=True)
    interim_note = models.TextField(_("interim measures, details"), blank=True, max_length=1000)
    reported_at = models.DateTimeField(_("reported to the regulator at"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    past_overdue_days = models.PositiveIntegerField(
        _("days overdue under earlier deadlines"),
        default=0,
        help_text=_("Days overdue counted when the deadline moved or the party handed it over."),
    )
    regulator_found = models.BooleanField(
        _("found by a regulator"),
        default=False,
        help_text=_(
            "Recorded by a regulator or from a regulatory inspection: a regulator accepts it."
        ),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    listing_level = models.CharField(
        _("listing level"), max_length=10, choices=ListingLevel.choices, blank=True
    )
    production_stop = models.CharField(
        _("production stop"),
        max_length=10,
        choices=ProductionStop.choices,
        default=ProductionStop.NONE,
    )
    review_due = models.DateField(_("review due"), null=True, blank=True)
    completed_at = models.DateTimeField(_("rectification completed at"), null=True, blank=True)
    accepted_by_name = models.CharField(_("accepted by"), max_length=100, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history_seq = models.PositiveIntegerField(default=0, editable=False)
    history_head = models.CharField(max_length=64, default=GENESIS_HASH, editable=False)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_on", "-id"]
        indexes = [
            # Ledger lists and their totals: a region range, then the usual filters; the
            # totals query is answered from this index alone.
            models.Index(
                fields=["region", "status", "grade", "deadline"],
                name="hazards_hz_region_status",
            ),
            models.Index(fields=["region", "found_on"], name="hazards_hz_region_found"),
            models.Index(fields=["found_on", "id"], name="hazards_hz_found_id"),
            models.Index(fields=["sector", "region"], name="hazards_hz_sector_region"),
            models.Index(fields=["organisation", "status"], name="hazards_hz_org_status"),
            models.Index(fields=["site", "status"], name="hazards_hz_site_status"),
            models.Index(fields=["status", "deadline"], name="hazards_hz_status_deadline"),
            # Sorting a large ledger by deadline walks this index instead of sorting.
            models.Index(fields=["deadline", "id"], name="hazards_hz_deadline_id"),
            # The ledger's heaviest filters and the dashboards' worst cases (issue 15,
            # docs/reporting.md): each partial index holds only the hazards its filter can
            # match, with the region (and what else the filter tests) in the entry, so a city's
            # or a district's page reads a few hundred entries in its sort order.
            # Overdue (the party's move): the page sorted by date found; the capped count and
            # totals by region; the most overdue first. The sector is there for departments,
            # whose scope is a region and some sectors.
            models.Index(
                fields=["found_on", "id", "region", "deadline", "status", "sector"],
                name="hazards_hz_party_found",
                condition=Q(status__in=PARTY_MOVE_STATUSES),
            ),
            models.Index(
                fields=["region", "deadline"],
                name="hazards_hz_party_region",
                condition=Q(status__in=PARTY_MOVE_STATUSES),
            ),
            models.Index(
                fields=["deadline", "id", "region", "sector"],
                name="hazards_hz_party_deadline",
                condition=Q(status__in=PARTY_MOVE_STATUSES),
            ),
            # Review overdue: submitted hazards by region and review due date.
            models.Index(
                fields=["region", "review_due"],
                name="hazards_hz_review_region",
                condition=Q(status=HazardStatus.SUBMITTED),
            ),
            # A status and a grade, sorted by date found.
            models.Index(
                fields=["status", "grade", "found_on", "id", "region"],
                name="hazards_hz_status_grade_found",
            ),
            # Open major hazards, oldest first.
            models.Index(
                fields=["found_on", "id", "region", "sector"],
                name="hazards_hz_open_major_found",
                condition=Q(grade=HazardGrade.MAJOR, status__in=OPEN_STATUSES),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade=HazardGrade.GENERAL) | ~Q(grade_basis=""),
                name="hazards_hazard_major_has_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.description[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("hazards:hazard-detail", kwargs={"pk": self.pk})

    @property
    def is_major(self) -> bool:
        return self.grade == HazardGrade.MAJOR

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Overdue now: rectification is the party's move and the deadline has passed."""
        from .deadlines import is_overdue

        return is_overdue(status=self.status, deadline=self.deadline)

    @property
    def is_review_overdue(self) -> bool:
        """Submitted and the regulator's review due date has passed."""
        from .deadlines import is_review_overdue

        return is_review_overdue(status=self.status, review_due=self.review_due)

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def interim_measure_labels(self) -> list[str]:
        labels = dict(InterimMeasure.choices)
        return [str(labels.get(code, code)) for code in self.interim_measures or []]


class RectificationPlan(models.Model):
    """The rectification plan with its five implementations (五落实).

    Responsible person (and unit), measures, funds, deadline and contingency plan; a major
    hazard's plan also carries its governance programme (治理方案), and its contingency plan is
    mandatory. The responsible person is a user of the enterprise (``responsible_user``, whose
    name is copied) or, for someone without an account, a name only. ``deadline`` mirrors the
    hazard's one deadline while the plan is open. A hazard has at most one open plan
    (``closed_at`` empty); the plan closes with
    the hazard, and a reopened hazard gets a new one.
    """

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="plans"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_column="region_code"
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=200, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=100)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    measures = models.TextField(_("measures"), max_length=4000)
    funds = models.DecimalField(_("funds (yuan)"), max_digits=14, decimal_places=2)
    deadline = models.DateField(_("deadline"))
    contingency_plan = models.TextField(_("contingency plan"), blank=True, max_length=4000)
    governance_programme = models.TextField(_("governance programme"), blank=True, max_length=8000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("filed at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(closed_at__isnull=True),
                name="hazards_rectificationplan_one_open_per_hazard",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.responsible_person} {self.deadline}"


class ExtensionRequest(models.Model):
    """A request to move a hazard's deadline, and its decision.

    At most one request per hazard is pending at a time. Decided by whoever set the deadline:
    the enterprise principal for a general hazard, the regulator for a major one; a request by
    one who would decide it goes up (``policies.py``), which ``requested_by_role`` tells.
    """

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="extensions"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_column="region_code"
    )
    current_deadline = models.DateField(_("current deadline"))
    requested_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    requested_by_name = models.CharField(max_length=100, blank=True)
    requested_by_role = models.CharField(_("requested by role"), max_length=30, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    decided_by_name = models.CharField(max_length=100, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("deadline extension request")
        verbose_name_plural = _("deadline extension requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="hazards_extensionrequest_one_pending_per_hazard",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.current_deadline} → {self.requested_deadline}"


class HazardEvent(models.Model):
    """One step in a hazard's history. Append-only and hash-chained.

    Each event carries ``seq`` (1, 2, 3 … per hazard), the hash of the event before it
    (``prev_hash``; the first event's is all zeros) and its own ``hash``: SHA-256 over a
    canonical JSON of its fields and ``prev_hash`` (``history.event_hash``). Changing, inserting
    or deleting an event breaks the chain, and ``manage.py verify_history`` names where. On
    PostgreSQL a trigger refuses UPDATE and DELETE on this table.

    ``format`` is the chain format the event was written in: 1 for events written before
    events carried their changes (their hash covers what it always did), 2 for events that
    record ``changes``, the hazard fields the step changed as ``{field: [old, new]}`` (JSON
    values; the first event lists every initial field with ``None`` as old), so that the
    hazard's fields can be replayed from its chain (``history.replay``). Format 2 hashes cover
    the format and the changes too.
    """

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="events"
    )
    # The division, for partitioning a large deployment by region; no query reads events by
    # division, so no index (two on the largest table, the second for LIKE, were pure cost).
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_column="region_code",
        db_index=False,
    )
    seq = models.PositiveIntegerField(_("number"))
    action = models.CharField(_("action"), max_length=30, choices=HazardAction.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=HazardStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=HazardStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor"), max_length=150)
    actor_role = models.CharField(_("role"), max_length=30, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"))
    reason = models.TextField(_("reason or comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    format = models.PositiveSmallIntegerField(_("chain format"), default=1, editable=False)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, editable=False, encoder=DjangoJSONEncoder
    )
    prev_hash = models.CharField(max_length=64)
    # Unique through Meta.constraints: a unique=True CharField also gets a second index for
    # LIKE on PostgreSQL, which nothing asks of a hash (2.5 GB at 27 million events).
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard history")
        ordering = ["hazard_id", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "seq"], name="hazards_hazardevent_unique_seq"
            ),
            models.UniqueConstraint(fields=["hash"], name="hazards_hazardevent_unique_hash"),
        ]
        indexes = [
            # The events the rollups and the ledger's "escalated" filter read (issue 15):
            # listings, delistings and escalation steps, a small part of the history.
            models.Index(
                fields=["hazard", "action"],
                name="hazards_he_reporting",
                condition=Q(action__in=["list", "delist", "escalate"]),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.hazard_id}.{self.seq} {self.action}"


class Evidence(models.Model):
    """A photo or PDF attached to a hazard (or to a quick report before triage).

    The type is decided from the file's content, never its name. ``sha256`` is the hash of the
    stored bytes (a photo without its location, ``metadata.strip_location``) and
    ``original_sha256`` that of the upload; both are recorded in the history event that
    attached it, so a swapped file or a repointed row is detectable (``verify_history``).
    ``taken_at`` and the GPS position come from a photo's EXIF when it has them.
    """

    hazard = models.ForeignKey(
        Hazard,
        verbose_name=_("hazard"),
        on_delete=models.PROTECT,
        related_name="evidence",
        null=True,
        blank=True,
    )
    quick_report = models.ForeignKey(
        "QuickReport",
        on_delete=models.PROTECT,
        related_name="evidence",
        null=True,
        blank=True,
    )
    event = models.ForeignKey(
        HazardEvent, on_delete=models.PROTECT, related_name="evidence", null=True, blank=True
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_column="region_code"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=EvidenceStage.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(
        _("file"),
        upload_to=RandomName("hazards/evidence", [*PHOTO_EXTENSIONS, "pdf"]),
        max_length=255,
    )
    thumbnail = models.FileField(
        upload_to=RandomName("hazards/thumbs", ["jpg"]), blank=True, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    original_sha256 = models.CharField(_("hash of the upload"), max_length=64, blank=True)
    taken_at = models.DateTimeField(_("photo taken at"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_photo(self) -> bool:
        return self.kind == EvidenceKind.PHOTO


class QuickReport(TimeStampedModel, TenantRow):
    """A hazard reported in a minute from a phone: a photo, the place, a sentence.

    Any user of an enterprise or township may report; the responsible party (the enterprise's
    safety officer or principal; the township for a site without an enterprise) triages it into
    the ledger or rejects it with a reason the reporter sees. Scoped like hazards, by the
    site's region, sector and enterprise (``TenantRow``).
    """

    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("where"), max_length=200, blank=True)
    description = models.TextField(_("what is wrong"), max_length=1000)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    reporter_name = models.CharField(_("reported by"), max_length=100)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=QuickReportStatus.choices,
        default=QuickReportStatus.NEW,
    )
    hazard = models.OneToOneField(
        Hazard,
        verbose_name=_("hazard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quick_report",
    )
    triaged_by_name = models.CharField(max_length=100, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("quick report")
        verbose_name_plural = _("quick reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="hazards_qr_org_status"),
            models.Index(fields=["region", "status"], name="hazards_qr_region_status"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    def get_absolute_url(self) -> str:
        return reverse("hazards:report-detail", kwargs={"pk": self.pk})
