"""Risk grading as pure functions: LEC and the risk matrix (domain.md 0.1 and 3).

Nothing here touches the database. Factors are checked against the exact scales in
``constants``; a value off the scale raises ``InvalidFactor`` with a message for the user.
Arithmetic is decimal, so 0.1 × 0.5 × 1 is exactly 0.05 and a boundary such as D = 70 is never
lost to binary rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import RISK_COLOURS, AssessmentMethod, DangerClass, RiskGrade
from .constants import (
    DEFAULT_LEC_SCALE_SET,
    DEFAULT_MATRIX_THRESHOLD_SET,
    LEC_SCALE_SETS,
    MATRIX_LIKELIHOOD,
    MATRIX_SEVERITY,
    MATRIX_THRESHOLD_SETS,
    Band,
    ScaleStep,
)

FACTOR_NAMES: dict[str, Promise] = {
    "l": _("L (likelihood)"),
    "e": _("E (exposure)"),
    "c": _("C (consequence)"),
    "s": _("S (severity)"),
    "threshold_set": _("threshold set"),
    "scale_set": _("scale set"),
}


class InvalidFactor(ValueError):
    """A factor value is not on its scale (or not a number); ``message`` is for the user."""

    def __init__(self, factor: str, message: Any) -> None:
        super().__init__(str(message))
        self.factor = factor
        self.message = message


@dataclass(frozen=True)
class Result:
    """The outcome of one assessment: the value, the grade and what produced them."""

    method: str
    value: Decimal
    grade: str
    threshold_set: str
    threshold_version: int
    factors: dict[str, Decimal] = field(default_factory=dict)
    danger_class: str = ""

    @property
    def colour(self) -> str:
        return RISK_COLOURS[self.grade]

    @property
    def grade_label(self) -> str:
        return str(dict(RiskGrade.choices)[self.grade])

    @property
    def danger_label(self) -> str:
        """The classic LEC danger wording ("" for the matrix)."""
        return str(dict(DangerClass.choices).get(self.danger_class, ""))


def format_number(value: Decimal | None) -> str:
    """A decimal without trailing zeros and never in exponent form: 70, 0.05, 252."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _as_decimal(factor: str, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidFactor(factor, _not_a_number(factor, value))
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidFactor(factor, _not_a_number(factor, value)) from None
    if not number.is_finite():
        raise InvalidFactor(factor, _not_a_number(factor, value))
    return number


def _not_a_number(factor: str, value: Any) -> str:
    return _("%(factor)s: “%(value)s” is not a number.") % {
        "factor": FACTOR_NAMES[factor],
        "value": value,
    }


def _on_scale(factor: str, value: Any, steps: Sequence[ScaleStep]) -> Decimal:
    """The scale's value equal to ``value``; raises ``InvalidFactor`` when there is none."""
    number = _as_decimal(factor, value)
    for step in steps:
        if step.value == number:
            return step.value
    allowed = ", ".join(format_number(step.value) for step in steps)
    raise InvalidFactor(
        factor,
        _("%(value)s is not on the %(factor)s scale. Allowed values: %(allowed)s.")
        % {"value": format_number(number), "factor": FACTOR_NAMES[factor], "allowed": allowed},
    )


def band_for(value: Decimal, bands: Sequence[Band]) -> str:
    """The code of the first band (highest first) whose lower bound ``value`` reaches."""
    for band in bands:
        if value >= band.lower:
            return band.code
    return bands[-1].code


def lec_assess(l: Any, e: Any, c: Any, scale_set: str = DEFAULT_LEC_SCALE_SET) -> Result:  # noqa: E741
    """Grade by LEC: D = L × E × C, lower bound inclusive (320 red, 160 orange, 70 yellow).

    Raises ``InvalidFactor`` when the scale set is unknown or a factor is not on its scale.
    """
    scales = LEC_SCALE_SETS.get(scale_set)
    if scales is None:
        raise InvalidFactor(
            "scale_set", _("Unknown LEC scale set “%(code)s”.") % {"code": scale_set}
        )
    factors = {
        "l": _on_scale("l", l, scales.likelihood),
        "e": _on_scale("e", e, scales.exposure),
        "c": _on_scale("c", c, scales.consequence),
    }
    value = factors["l"] * factors["e"] * factors["c"]
    return Result(
        method=AssessmentMethod.LEC,
        value=value,
        grade=band_for(value, scales.grade_bands),
        threshold_set=scales.code,
        threshold_version=scales.version,
        factors=factors,
        danger_class=band_for(value, scales.danger_bands),
    )


def matrix_assess(l: Any, s: Any, threshold_set: str = DEFAULT_MATRIX_THRESHOLD_SET) -> Result:  # noqa: E741
    """Grade by the risk matrix: R = L × S with L and S in 1–5, banded by ``threshold_set``.

    Raises ``InvalidFactor`` when the threshold set is unknown or a factor is off the 1–5 scale.
    """
    thresholds = MATRIX_THRESHOLD_SETS.get(threshold_set)
    if thresholds is None:
        raise InvalidFactor(
            "threshold_set",
            _("Unknown risk matrix threshold set “%(code)s”.") % {"code": threshold_set},
        )
    factors = {"l": _on_scale("l", l, MATRIX_LIKELIHOOD), "s": _on_scale("s", s, MATRIX_SEVERITY)}
    value = factors["l"] * factors["s"]
    return Result(
        method=AssessmentMethod.MATRIX,
        value=value,
        grade=band_for(value, thresholds.grade_bands),
        threshold_set=thresholds.code,
        threshold_version=thresholds.version,
        factors=factors,
    )


def assess(method: str, **factors: Any) -> Result:
    """Dispatch to ``lec_assess`` or ``matrix_assess`` by method code (used by forms and
    services that receive the method as data). Raises ``InvalidFactor`` on an unknown method."""
    if method == AssessmentMethod.LEC:
        return lec_assess(
            factors.get("l"),
            factors.get("e"),
            factors.get("c"),
            factors.get("scale_set") or DEFAULT_LEC_SCALE_SET,
        )
    if method == AssessmentMethod.MATRIX:
        return matrix_assess(
            factors.get("l"),
            factors.get("s"),
            factors.get("threshold_set") or DEFAULT_MATRIX_THRESHOLD_SET,
        )
    raise InvalidFactor("method", _("Unknown assessment method “%(code)s”.") % {"code": method})
