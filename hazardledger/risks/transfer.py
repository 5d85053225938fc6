"""The risk register (风险点登记台账) as a spreadsheet: one row per risk point."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardledger.core.text import join_list

from .choices import HazardType
from .models import ControlMeasure, RiskAssessment, RiskPoint

EXPORT_TITLE = _("Risk register")

HEADERS = (
    _("Site"),
    _("Region"),
    _("Sector"),
    _("Risk point"),
    _("Kind"),
    _("Place or activity"),
    _("Hazard types"),
    _("Possible consequences"),
    _("Method"),
    _("L"),
    _("E"),
    _("C"),
    _("S"),
    _("Threshold set"),
    _("Risk value"),
    _("Grade"),
    _("Colour"),
    _("Assessed on"),
    _("Assessed by"),
    _("Control measures"),
    _("Controlling levels"),
    _("Responsible persons"),
)

COLOUR_LABELS = {
    "red": _("Red"),
    "orange": _("Orange"),
    "yellow": _("Yellow"),
    "blue": _("Blue"),
}


def _number(value: Decimal | None) -> int | float | None:
    """A factor or value as a spreadsheet number (whole numbers without ".0")."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def export_headers() -> list[str]:
    return [str(header) for header in HEADERS]


def register_queryset(points: QuerySet[RiskPoint]) -> QuerySet[RiskPoint]:
    """``points`` with everything a row needs, in three queries per chunk."""
    return points.select_related("site", "region", "sector").prefetch_related(
        Prefetch("controls", queryset=ControlMeasure.objects.order_by("kind", "id")),
        Prefetch(
            "assessments",
            queryset=RiskAssessment.objects.filter(is_current=True),
            to_attr="current_assessments",
        ),
    )


def risk_register_rows(points: QuerySet[RiskPoint]) -> Iterator[list[Any]]:
    """Rows of the register for ``points`` (already scoped and filtered), streamed in chunks."""
    hazard_labels = dict(HazardType.choices)
    for point in register_queryset(points).iterator(chunk_size=1000):
        # ``current_assessments`` is set by the Prefetch's to_attr, which django-stubs cannot see.
        assessments = point.current_assessments  # type: ignore[attr-defined]
        current = assessments[0] if assessments else None
        controls = list(point.controls.all())
        yield [
            point.site.name,
            point.region.full_name or point.region_id,
            point.sector.name,
            point.name,
            str(point.get_kind_display()),
            point.location,
            join_list(hazard_labels.get(code, code) for code in point.hazard_types),
            point.consequences,
            str(current.get_method_display()) if current else "",
            _number(current.l) if current else None,
            _number(current.e) if current else None,
            _number(current.c) if current else None,
            _number(current.s) if current else None,
            current.threshold_set if current else "",
            _number(current.value) if current else None,
            str(point.get_grade_display()) if point.grade else str(_("Not assessed")),
            str(COLOUR_LABELS.get(point.colour, "")),
            timezone.localtime(current.assessed_at).date() if current else None,
            current.assessed_by_name if current else "",
            "\n".join(f"[{c.get_kind_display()}] {c.description}" for c in controls),
            "\n".join(str(c.get_level_display()) for c in controls),
            "\n".join(c.responsible_person for c in controls),
        ]
