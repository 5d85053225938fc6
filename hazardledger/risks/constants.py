"""Scales, threshold sets and schedules of risk grading, as data (domain.md 0.1 and 3).

Every set carries a code and a version; an assessment stores both, so that a later change of a
set never re-grades history. To change a set, add a new version rather than editing one in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import DangerClass, RiskGrade


@dataclass(frozen=True)
class ScaleStep:
    """One allowed value of a factor and what it means."""

    value: Decimal
    label: Promise


@dataclass(frozen=True)
class Band:
    """Values from ``lower`` (inclusive) up to the next band's lower bound map to ``code``."""

    lower: Decimal
    code: str


def _steps(*pairs: tuple[str, Promise]) -> tuple[ScaleStep, ...]:
    return tuple(ScaleStep(Decimal(value), label) for value, label in pairs)


@dataclass(frozen=True)
class LecScaleSet:
    """The L, E and C scales of LEC and the D bands (highest band first)."""

    code: str
    version: int
    label: Promise
    likelihood: tuple[ScaleStep, ...]
    exposure: tuple[ScaleStep, ...]
    consequence: tuple[ScaleStep, ...]
    grade_bands: tuple[Band, ...]
    danger_bands: tuple[Band, ...]


@dataclass(frozen=True)
class MatrixThresholdSet:
    """The R = L × S bands of a risk matrix (highest band first)."""

    code: str
    version: int
    label: Promise
    grade_bands: tuple[Band, ...]


LEC_LIKELIHOOD = _steps(
    ("10", _("Fully expected")),
    ("6", _("Quite possible")),
    ("3", _("Possible but unusual")),
    ("1", _("Unlikely, would be a complete surprise")),
    ("0.5", _("Very unlikely but imaginable")),
    ("0.2", _("Extremely unlikely")),
    ("0.1", _("Practically impossible")),
)
LEC_EXPOSURE = _steps(
    ("10", _("Continuous")),
    ("6", _("Daily during working hours")),
    ("3", _("Weekly, or now and then")),
    ("2", _("Monthly")),
    ("1", _("A few times a year")),
    ("0.5", _("Very rare")),
)
LEC_CONSEQUENCE_CLASSIC = _steps(
    ("100", _("Catastrophe, many deaths")),
    ("40", _("Disaster, several deaths")),
    ("15", _("Very serious, one death")),
    ("7", _("Serious injury")),
    ("3", _("Major, disability")),
    ("1", _("Noticeable, needs first aid")),
)

# D bands, lower bound inclusive (domain.md 0.1): 320 red, 160 orange, 70 yellow, else blue.
LEC_GRADE_BANDS = (
    Band(Decimal(320), RiskGrade.MAJOR),
    Band(Decimal(160), RiskGrade.LARGE),
    Band(Decimal(70), RiskGrade.GENERAL),
    Band(Decimal(0), RiskGrade.LOW),
)
LEC_DANGER_BANDS = (
    Band(Decimal(320), DangerClass.EXTREME),
    Band(Decimal(160), DangerClass.HIGH),
    Band(Decimal(70), DangerClass.SIGNIFICANT),
    Band(Decimal(20), DangerClass.SOME),
    Band(Decimal(0), DangerClass.SLIGHT),
)

LEC_SCALE_SETS: dict[str, LecScaleSet] = {
    "classic": LecScaleSet(
        code="classic",
        version=1,
        label=_("Classic Graham–Kinney scales"),
        likelihood=LEC_LIKELIHOOD,
        exposure=LEC_EXPOSURE,
        consequence=LEC_CONSEQUENCE_CLASSIC,
        grade_bands=LEC_GRADE_BANDS,
        danger_bands=LEC_DANGER_BANDS,
    ),
}
DEFAULT_LEC_SCALE_SET = "classic"

MATRIX_LIKELIHOOD = _steps(
    ("1", _("Very unlikely (once in 50+ years)")),
    ("2", _("Unlikely (once in 10+ years)")),
    ("3", _("Possible (within 10 years)")),
    ("4", _("Likely (within 5 years)")),
    ("5", _("Very likely (yearly)")),
)
MATRIX_SEVERITY = _steps(
    ("1", _("One minor injury")),
    ("2", _("Injury needing first aid, or several minor")),
    ("3", _("One seriously injured")),
    ("4", _("Several seriously injured")),
    ("5", _("One death, very serious impact")),
)

MATRIX_THRESHOLD_SETS: dict[str, MatrixThresholdSet] = {
    "A": MatrixThresholdSet(
        code="A",
        version=1,
        label=_("Set A: 20–25 red, 9–16 orange, 4–8 yellow, 1–3 blue"),
        grade_bands=(
            Band(Decimal(20), RiskGrade.MAJOR),
            Band(Decimal(9), RiskGrade.LARGE),
            Band(Decimal(4), RiskGrade.GENERAL),
            Band(Decimal(1), RiskGrade.LOW),
        ),
    ),
    "B": MatrixThresholdSet(
        code="B",
        version=1,
        label=_("Set B: 20–25 red, 10–16 orange, 4–9 yellow, 1–3 blue"),
        grade_bands=(
            Band(Decimal(20), RiskGrade.MAJOR),
            Band(Decimal(10), RiskGrade.LARGE),
            Band(Decimal(4), RiskGrade.GENERAL),
            Band(Decimal(1), RiskGrade.LOW),
        ),
    ),
}
DEFAULT_MATRIX_THRESHOLD_SET = "A"

# How often regulators should inspect a site of each risk level, in months (domain.md 0.1).
# Override with the RISK_INSPECTION_INTERVAL_MONTHS setting (a dict of grade code → months).
DEFAULT_INSPECTION_INTERVAL_MONTHS: dict[str, int] = {
    RiskGrade.MAJOR: 1,
    RiskGrade.LARGE: 3,
    RiskGrade.GENERAL: 6,
    RiskGrade.LOW: 12,
}
# A site is "due soon" this many days before its due date (setting RISK_INSPECTION_DUE_SOON_DAYS).
DEFAULT_INSPECTION_DUE_SOON_DAYS = 14


def inspection_interval_months() -> dict[str, int]:
    """The configured months between inspections per site risk level."""
    configured = getattr(settings, "RISK_INSPECTION_INTERVAL_MONTHS", None) or {}
    return {**DEFAULT_INSPECTION_INTERVAL_MONTHS, **configured}


def inspection_due_soon_days() -> int:
    return int(getattr(settings, "RISK_INSPECTION_DUE_SOON_DAYS", DEFAULT_INSPECTION_DUE_SOON_DAYS))


# Public emergency numbers printed on every risk notice card, after the site's own.
PUBLIC_EMERGENCY_NUMBERS: tuple[tuple[Promise, str], ...] = (
    (_("Fire"), "119"),
    (_("Ambulance"), "120"),
    (_("Police"), "110"),
    (_("Work-safety hotline"), "12350"),
)

# The ``kind`` of an enterprise's self-inspection in ``inspections.inspection.*`` events (the
# event contract's value): it is not a regulatory visit, so it does not reset the schedule.
SELF_INSPECTION_KIND = "self"

# The audit actions of risk grading (registered in ``apps.RisksConfig.ready``).
AUDIT_ACTIONS: dict[str, Promise] = {
    "risks.riskpoint.create": _("Risk point added"),
    "risks.riskpoint.update": _("Risk point changed"),
    "risks.riskpoint.assess": _("Risk point assessed"),
    "risks.riskpoint.add_photo": _("Risk point photo added"),
    "risks.controlmeasure.create": _("Control measure added"),
    "risks.controlmeasure.update": _("Control measure changed"),
    "risks.controlmeasure.delete": _("Control measure removed"),
    "risks.site.level_change": _("Site risk level changed"),
    "risks.site.inspection_record": _("Regulatory inspection date recorded"),
}
