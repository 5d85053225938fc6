"""Choices of risk grading: assessment methods, accident types, control kinds and levels.

The four grades themselves are ``registry.choices.RiskGrade`` (a site carries one too); they are
re-exported here so that this app's code imports them from one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardledger.registry.choices import RISK_COLOURS, RiskGrade

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

__all__ = [
    "GRADE_RANK",
    "RISK_COLOURS",
    "AssessmentMethod",
    "ControlKind",
    "ControlLevel",
    "DangerClass",
    "HazardType",
    "InspectionDueStatus",
    "RiskGrade",
    "RiskPointKind",
]

# Higher is worse; used to take "the highest grade" of a site's risk points.
GRADE_RANK: dict[str, int] = {
    RiskGrade.LOW: 1,
    RiskGrade.GENERAL: 2,
    RiskGrade.LARGE: 3,
    RiskGrade.MAJOR: 4,
}


class AssessmentMethod(models.TextChoices):
    LEC = "lec", _("LEC (D = L × E × C)")
    MATRIX = "matrix", _("Risk matrix (R = L × S)")


# The method in a word, shown beside a risk value in lists.
METHOD_SHORT: dict[str, StrPromise] = {
    AssessmentMethod.LEC: _("LEC"),
    AssessmentMethod.MATRIX: _("Matrix"),
}


class DangerClass(models.TextChoices):
    """The classic five-class LEC danger wording, shown beside the four-colour grade."""

    EXTREME = "extreme", _("Extremely dangerous, stop work")
    HIGH = "high", _("Highly dangerous, fix immediately")
    SIGNIFICANT = "significant", _("Significantly dangerous, needs fixing")
    SOME = "some", _("Some danger, needs attention")
    SLIGHT = "slight", _("Slight danger, acceptable")


class RiskPointKind(models.TextChoices):
    PLACE = "place", _("Place or facility")
    ACTIVITY = "activity", _("Work activity")


class HazardType(models.TextChoices):
    """Accident types of the national classification GB 6441 (企业职工伤亡事故分类)."""

    STRUCK_BY_OBJECT = "struck_by_object", _("Struck by object")
    VEHICLE = "vehicle", _("Vehicle injury")
    MECHANICAL = "mechanical", _("Mechanical injury")
    LIFTING = "lifting", _("Lifting injury")
    ELECTRIC_SHOCK = "electric_shock", _("Electric shock")
    DROWNING = "drowning", _("Drowning")
    SCALD = "scald", _("Scald and burn")
    FIRE = "fire", _("Fire")
    FALL_FROM_HEIGHT = "fall_from_height", _("Fall from height")
    COLLAPSE = "collapse", _("Collapse")
    ROOF_FALL = "roof_fall", _("Roof fall and rib spalling")
    WATER_INRUSH = "water_inrush", _("Water inrush (flooding)")
    BLASTING = "blasting", _("Blasting injury")
    EXPLOSIVES = "explosives", _("Explosives explosion")
    GAS_EXPLOSION = "gas_explosion", _("Gas (firedamp) explosion")
    BOILER_EXPLOSION = "boiler_explosion", _("Boiler explosion")
    VESSEL_EXPLOSION = "vessel_explosion", _("Pressure vessel explosion")
    OTHER_EXPLOSION = "other_explosion", _("Other explosion")
    POISONING = "poisoning", _("Poisoning and asphyxiation")
    OTHER = "other", _("Other injury")


class ControlKind(models.TextChoices):
    ENGINEERING = "engineering", _("Engineering")
    MANAGEMENT = "management", _("Management")
    TRAINING = "training", _("Training and education")
    PERSONAL_PROTECTION = "personal_protection", _("Personal protection")
    EMERGENCY = "emergency", _("Emergency measures")


class ControlLevel(models.TextChoices):
    """The level that owns a control (分级管控); higher risks belong to higher levels."""

    COMPANY = "company", _("Company")
    WORKSHOP = "workshop", _("Workshop")
    TEAM = "team", _("Team")
    POST = "post", _("Post")


class InspectionDueStatus(models.TextChoices):
    NEVER = "never", _("Never inspected")
    OVERDUE = "overdue", _("Overdue")
    DUE = "due", _("Due soon")
    OK = "ok", _("Not due")
