"""Campaign phases, circular kinds, the seasonal templates and the states of a task."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PhaseKind(models.TextChoices):
    """The four phases of the 2023 national special action (domain.md 0.5), in order."""

    MOBILISATION = "mobilisation", _("Mobilisation")
    SELF_INSPECTION = "self_inspection", _("Enterprise self-inspection with departments' help")
    ENFORCEMENT = "enforcement", _("Departments' targeted enforcement")
    SUMMING_UP = "summing_up", _("Summing up")


class CircularKind(models.TextChoices):
    CIRCULAR = "circular", _("Circular")
    URGING = "urging", _("Letter urging rectification")


class TemplateKind(models.TextChoices):
    """The seasonal campaigns an office launches every year (``seasonal.py``)."""

    PRE_FLOOD = "pre_flood", _("Pre-flood season: the “three preventions”")
    FIRE_PREVENTION = "fire_prevention", _("Fire-prevention period")
    HOLIDAY = "holiday", _("Major holidays")
    LEARN_FROM_CASE = "learn_from_case", _("“Learn from one case” after an accident")


class TaskState(models.TextChoices):
    """Where a site in scope stands (derived from ``Task``: ``issued`` and ``inspected_on``)."""

    AWAITING = "awaiting", _("Handed down, not taken up yet")
    OPEN = "open", _("Not inspected yet")
    DONE = "done", _("Inspected")


# The figures the campaign keeps per region, sector and site kind (``Progress``), in the order
# tables show them. "dept" hazards were found by regulators (the hazard's ``regulator_found``),
# "self" ones by the enterprise's own checks; "listed" ones were listed for supervision.
FIGURES = (
    "sites",
    "self_inspected",
    "inspected",
    "hazards",
    "major",
    "closed",
    "major_closed",
    "dept_major",
    "dept_major_closed",
    "self_major",
    "self_major_closed",
    "listed",
    "listed_closed",
)
HAZARD_FIGURES = FIGURES[3:]
