"""Risk points, their assessments (with history), control measures, photos and the per-site
inspection schedule.

Every table here is a tenant table: it carries the site's ``region`` (column ``region_code``),
``sector`` and ``organisation``, copied from the site when the row is written, so that scope
filters and region partitioning need no join to ``registry_site``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hazardledger.core.models import TenantRow, TimeStampedModel
from hazardledger.core.uploads import PHOTO_EXTENSIONS, RandomName

from .choices import (
    METHOD_SHORT,
    RISK_COLOURS,
    AssessmentMethod,
    ControlKind,
    ControlLevel,
    DangerClass,
    HazardType,
    RiskGrade,
    RiskPointKind,
)


class RiskPoint(TenantRow, TimeStampedModel):
    """A place or work activity at a site whose risks are identified, graded and controlled.

    ``grade``, ``risk_value``, ``method`` and ``assessed_at`` repeat the current assessment so
    that lists,
    counts and the site's level need no join; they are written only by ``risk_point_assess``.
    An empty ``grade`` means "not assessed", which is never the same as low.
    ``version`` increases on every edit of the description, so that a stale edit page is
    refused, not applied (an assessment does not bump it: it changes no field the form edits).
    ``hazard_types`` is a list of ``HazardType`` codes (JSON, portable to every database).
    """

    site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="risk_points",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=RiskPointKind.choices, default=RiskPointKind.PLACE
    )
    location = models.CharField(
        _("place or activity"),
        max_length=200,
        blank=True,
        help_text=_("Where at the site, or which work step."),
    )
    hazard_types = models.JSONField(_("hazard types"), default=list)
    consequences = models.TextField(_("possible consequences"), blank=True)
    emergency_phone = models.CharField(
        _("emergency phone"),
        max_length=30,
        blank=True,
        help_text=_("The site's own emergency number, printed on the notice card."),
    )
    grade = models.CharField(
        _("grade"), max_length=10, choices=RiskGrade.choices, blank=True, default=""
    )
    risk_value = models.DecimalField(
        _("risk value"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    # The method of the current assessment: a value means nothing without it (20 is a major
    # risk under the matrix, a low one under LEC).
    method = models.CharField(
        _("method"), max_length=10, choices=AssessmentMethod.choices, blank=True, default=""
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
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
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")
        ordering = ["site_id", "name", "id"]
        indexes = [
            models.Index(fields=["region", "sector", "grade"], name="risks_riskpoint_region_grade"),
            models.Index(fields=["organisation", "site"], name="risks_riskpoint_org_site"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__in=["", *RiskGrade.values]), name="risks_riskpoint_grade_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risks:riskpoint-detail", kwargs={"pk": self.pk})

    @property
    def colour(self) -> str:
        """The grade's colour name, or "" when not assessed."""
        return RISK_COLOURS.get(self.grade, "")

    @property
    def method_short(self) -> str:
        """The current assessment's method in a word ("LEC", "Matrix"), or "" when not
        assessed."""
        return str(METHOD_SHORT.get(self.method, ""))

    @property
    def hazard_type_labels(self) -> list[str]:
        labels = dict(HazardType.choices)
        return [str(labels.get(code, code)) for code in self.hazard_types or []]


class RiskAssessment(TenantRow):
    """One assessment of a risk point. Rows are never changed: a re-assessment adds a row and
    moves ``is_current`` to it, so the history stays complete.

    The method, each factor's chosen value, the threshold (or scale) set and its version are
    stored beside the computed value and grade, so an old grade can always be explained.
    LEC rows fill ``l``, ``e`` and ``c``; matrix rows fill ``l`` and ``s``.
    """

    risk_point = models.ForeignKey(
        RiskPoint,
        verbose_name=_("risk point"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    method = models.CharField(_("method"), max_length=10, choices=AssessmentMethod.choices)
    l = models.DecimalField(_("L"), max_digits=6, decimal_places=2)  # noqa: E741
    e = models.DecimalField(_("E"), max_digits=6, decimal_places=2, null=True, blank=True)
    c = models.DecimalField(_("C"), max_digits=6, decimal_places=2, null=True, blank=True)
    s = models.DecimalField(_("S"), max_digits=6, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=3)
    grade = models.CharField(_("grade"), max_length=10, choices=RiskGrade.choices)
    danger_class = models.CharField(
        _("danger class"), max_length=15, choices=DangerClass.choices, blank=True
    )
    threshold_set = models.CharField(_("threshold set"), max_length=20)
    threshold_version = models.PositiveSmallIntegerField(_("threshold set version"))
    note = models.TextField(_("note"), blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    assessed_at = models.DateTimeField(_("assessed at"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    assessed_by_name = models.CharField(_("assessed by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk_point"],
                condition=Q(is_current=True),
                name="risks_riskassessment_one_current",
            ),
            models.CheckConstraint(
                condition=(
                    Q(method=AssessmentMethod.LEC, e__isnull=False, c__isnull=False, s__isnull=True)
                    | Q(
                        method=AssessmentMethod.MATRIX,
                        e__isnull=True,
                        c__isnull=True,
                        s__isnull=False,
                    )
                ),
                name="risks_riskassessment_factors_fit_method",
            ),
            models.CheckConstraint(
                condition=Q(grade__in=RiskGrade.values), name="risks_riskassessment_grade_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["risk_point", "-assessed_at"], name="risks_assess_point_time")
        ]

    def __str__(self) -> str:
        return f"{self.risk_point_id}: {self.get_method_display()} {self.value} {self.grade}"


class ControlMeasure(TenantRow, TimeStampedModel):
    """A control of a risk point: what is done, which level owns it, who answers for it.

    ``check_item`` is what a self-inspection checks (defaults to the measure itself); the
    inspections app reads these through ``selectors.site_check_item_list``. ``version``
    increases on every edit, so that a stale edit page is refused, not applied.
    """

    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("risk point"), on_delete=models.CASCADE, related_name="controls"
    )
    kind = models.CharField(_("kind"), max_length=25, choices=ControlKind.choices)
    description = models.TextField(_("measure"))
    level = models.CharField(_("controlling level"), max_length=10, choices=ControlLevel.choices)
    responsible_person = models.CharField(_("responsible person"), max_length=50)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=30, blank=True)
    check_item = models.CharField(
        _("check item"),
        max_length=300,
        blank=True,
        help_text=_("What a self-inspection checks; leave empty to check the measure itself."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")
        ordering = ["risk_point_id", "kind", "id"]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def check_text(self) -> str:
        return self.check_item or self.description


def _photo_path(instance: RiskPointPhoto, filename: str) -> str:
    """The former ``upload_to`` (region, risk point and the uploader's file name), which made
    photo paths guessable. Only migration 0001 still names it; photos now get random names."""
    return f"risks/{instance.region_id[:4]}/{instance.risk_point_id}/{filename}"


class RiskPointPhoto(TenantRow):
    """A photo of a risk point (the place, its signs, its equipment)."""

    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("risk point"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("photo"), upload_to=RandomName("risks/photos", [*PHOTO_EXTENSIONS, "gif", "bmp", "tif"])
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("risk point photo")
        verbose_name_plural = _("risk point photos")
        ordering = ["risk_point_id", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class SiteInspectionSchedule(TenantRow):
    """When regulators last inspected a site: with the site's risk level, this sets when the
    next inspection is due. Until the inspections app records inspections, the date is entered
    here (``site_inspection_record``). A site without a row has never been inspected.
    """

    site = models.OneToOneField(
        "registry.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="inspection_schedule",
    )
    last_inspected_on = models.DateField(_("last inspected on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("site inspection schedule")
        verbose_name_plural = _("site inspection schedules")

    def __str__(self) -> str:
        return f"{self.site_id}: {self.last_inspected_on}"
