"""Writes of risk grading. Every write runs in a transaction and re-checks scope after saving
(save, then check): a row that would land outside the actor's scope rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardledger.access.scope import ensure_in_scope
from hazardledger.audit.services import record
from hazardledger.registry.models import Site
from hazardledger.registry.services import site_scope_resync

from .choices import GRADE_RANK, HazardType, RiskGrade
from .grading import Result, assess
from .models import (
    ControlMeasure,
    RiskAssessment,
    RiskPoint,
    RiskPointPhoto,
    SiteInspectionSchedule,
)

RISK_POINT_FIELDS = ("name", "kind", "location", "hazard_types", "consequences", "emergency_phone")
CONTROL_FIELDS = (
    "kind",
    "description",
    "level",
    "responsible_person",
    "responsible_phone",
    "check_item",
)
_SCOPE_FIELDS = ["region", "sector", "organisation"]


def _validate_hazard_types(codes: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(codes))  # keep order, drop repeats
    if not codes:
        raise ValidationError({"hazard_types": _("Choose at least one hazard type.")})
    unknown = [code for code in codes if code not in HazardType.values]
    if unknown:
        raise ValidationError(
            {"hazard_types": _("Unknown hazard type: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    return codes


def _fields(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _set_fields(obj: Any, data: Mapping[str, Any], names: Iterable[str]) -> None:
    """Copy onto ``obj`` those of ``names`` that ``data`` holds (a partial update)."""
    for name in names:
        if name in data:
            setattr(obj, name, data[name])


def _save_in_scope(
    obj: Any, *, actor: Any, exclude: Iterable[str], update_fields: Iterable[str] | None = None
) -> None:
    """Validate (the scope columns and ``exclude`` aside), save, then check the row is still
    visible to ``actor``. Raises ``ValidationError`` before the write, ``ScopeViolation`` after
    it; callers run in a transaction so either leaves nothing behind."""
    obj.full_clean(exclude=[*_SCOPE_FIELDS, *exclude])
    obj.save(update_fields=update_fields)
    ensure_in_scope(obj, actor)


# --- Risk points --------------------------------------------------------------------------------


@transaction.atomic
def risk_point_create(*, actor: Any, site: Site, data: Mapping[str, Any]) -> RiskPoint:
    """Add a risk point to ``site`` from validated ``data`` (keys in ``RISK_POINT_FIELDS``).

    The scope columns are copied from the site. Raises ``ValidationError`` on bad data and
    ``ScopeViolation`` when the actor may not see the result; either way nothing is written.
    The new point is "not assessed", so the site's level does not change.
    """
    point = RiskPoint(site=site, created_by=actor)
    _set_fields(point, data, RISK_POINT_FIELDS)
    point.copy_scope_from(site)
    point.hazard_types = _validate_hazard_types(point.hazard_types)
    _save_in_scope(point, actor=actor, exclude=["site", "created_by"])
    record(
        actor=actor,
        action="risks.riskpoint.create",
        obj=point,
        after=_fields(point, RISK_POINT_FIELDS),
        data={"site": site.pk},
    )
    return point


@transaction.atomic
def risk_point_update(*, actor: Any, risk_point: RiskPoint, data: Mapping[str, Any]) -> RiskPoint:
    """Change a risk point's description (never its grade: only assessment sets that).

    Raises ``ValidationError`` (nothing saved) on bad data, ``ScopeViolation`` out of scope.
    """
    before = _fields(risk_point, RISK_POINT_FIELDS)
    _set_fields(risk_point, data, RISK_POINT_FIELDS)
    risk_point.hazard_types = _validate_hazard_types(risk_point.hazard_types)
    _save_in_scope(
        risk_point,
        actor=actor,
        exclude=["site", "created_by"],
        update_fields=[*RISK_POINT_FIELDS, "updated_at"],
    )
    record(
        actor=actor,
        action="risks.riskpoint.update",
        obj=risk_point,
        before=before,
        after=_fields(risk_point, RISK_POINT_FIELDS),
    )
    return risk_point


@transaction.atomic
def risk_point_assess(
    *, actor: Any, risk_point: RiskPoint, method: str, factors: Mapping[str, Any], note: str = ""
) -> RiskAssessment:
    """Assess ``risk_point`` and make the new assessment its current one.

    Steps:
    1. grade the factors (``grading.assess``); an ``InvalidFactor`` propagates before any write;
    2. lock the risk point row, so two assessors cannot both become "current";
    3. mark the previous current assessment as history and insert the new one;
    4. copy grade, value and time onto the risk point;
    5. refresh the site's risk level;
    6. write the audit entry (before: the previous grade and value).
    """
    result = assess(method, **factors)
    now = timezone.now()
    locked = RiskPoint.objects.select_for_update().get(pk=risk_point.pk)
    before = {"grade": locked.grade, "value": locked.risk_value}
    RiskAssessment.objects.filter(risk_point=locked, is_current=True).update(is_current=False)
    assessment = assessment_from_result(locked, result, actor=actor, at=now, note=note)
    assessment.save()
    ensure_in_scope(assessment, actor)
    RiskPoint.objects.filter(pk=locked.pk).update(
        grade=result.grade, risk_value=result.value, assessed_at=now, updated_at=now
    )
    risk_point.grade, risk_point.risk_value, risk_point.assessed_at = (
        result.grade,
        result.value,
        now,
    )
    record(
        actor=actor,
        action="risks.riskpoint.assess",
        obj=risk_point,
        before=before,
        after={"grade": result.grade, "value": result.value},
        data={
            "assessment": assessment.pk,
            "method": result.method,
            "factors": result.factors,
            "threshold_set": result.threshold_set,
            "threshold_version": result.threshold_version,
        },
        at=now,
    )
    site_risk_level_refresh(site=risk_point.site, actor=actor)
    return assessment


def assessment_from_result(
    point: RiskPoint,
    result: Result,
    *,
    at: datetime,
    actor: Any = None,
    assessed_by_name: str | None = None,
    note: str = "",
    is_current: bool = True,
) -> RiskAssessment:
    """An unsaved assessment of ``point`` holding everything ``result`` says.

    Pure (no query): ``risk_point_assess`` saves it, the demo bulk-creates many.
    ``assessed_by_name`` defaults to the actor's display name ("" without an actor).
    """
    if assessed_by_name is None:
        assessed_by_name = actor.display_name if actor is not None else ""
    assessment = RiskAssessment(
        risk_point=point,
        method=result.method,
        l=result.factors["l"],
        e=result.factors.get("e"),
        c=result.factors.get("c"),
        s=result.factors.get("s"),
        value=result.value,
        grade=result.grade,
        danger_class=result.danger_class,
        threshold_set=result.threshold_set,
        threshold_version=result.threshold_version,
        note=note,
        is_current=is_current,
        assessed_at=at,
        assessed_by=actor,
        assessed_by_name=assessed_by_name,
    )
    assessment.copy_scope_from(point)
    return assessment


@transaction.atomic
def risk_point_photo_add(
    *, actor: Any, risk_point: RiskPoint, image: Any, caption: str = ""
) -> RiskPointPhoto:
    """Attach a photo (an uploaded image already validated by the form)."""
    photo = RiskPointPhoto(risk_point=risk_point, image=image, caption=caption, uploaded_by=actor)
    photo.copy_scope_from(risk_point)
    _save_in_scope(photo, actor=actor, exclude=["risk_point", "uploaded_by", "image"])
    record(
        actor=actor,
        action="risks.riskpoint.add_photo",
        obj=risk_point,
        data={"photo": photo.pk, "file": photo.image.name},
    )
    return photo


# --- Controls -----------------------------------------------------------------------------------


@transaction.atomic
def control_measure_create(
    *, actor: Any, risk_point: RiskPoint, data: Mapping[str, Any]
) -> ControlMeasure:
    """Add a control to ``risk_point``. Raises ``ValidationError`` on bad data (nothing saved)."""
    control = ControlMeasure(risk_point=risk_point)
    _set_fields(control, data, CONTROL_FIELDS)
    control.copy_scope_from(risk_point)
    _save_in_scope(control, actor=actor, exclude=["risk_point"])
    record(
        actor=actor,
        action="risks.controlmeasure.create",
        obj=control,
        after=_fields(control, CONTROL_FIELDS),
        data={"risk_point": risk_point.pk},
    )
    return control


@transaction.atomic
def control_measure_update(
    *, actor: Any, control: ControlMeasure, data: Mapping[str, Any]
) -> ControlMeasure:
    """Change a control. Raises ``ValidationError`` on bad data (nothing saved)."""
    before = _fields(control, CONTROL_FIELDS)
    _set_fields(control, data, CONTROL_FIELDS)
    _save_in_scope(
        control,
        actor=actor,
        exclude=["risk_point"],
        update_fields=[*CONTROL_FIELDS, "updated_at"],
    )
    record(
        actor=actor,
        action="risks.controlmeasure.update",
        obj=control,
        before=before,
        after=_fields(control, CONTROL_FIELDS),
    )
    return control


@transaction.atomic
def control_measure_delete(*, actor: Any, control: ControlMeasure) -> None:
    """Remove a control (the caller has checked the actor may delete it)."""
    record(
        actor=actor,
        action="risks.controlmeasure.delete",
        obj=control,
        before=_fields(control, CONTROL_FIELDS),
        data={"risk_point": control.risk_point_id},
    )
    control.delete()


# --- Site risk level and inspection schedule ----------------------------------------------------


def highest_grade(grades: Iterable[str]) -> str:
    """The worst of ``grades`` ("" when none is a grade: not assessed, never "low")."""
    ranked = [grade for grade in grades if grade in GRADE_RANK]
    return max(ranked, key=GRADE_RANK.__getitem__, default="")


def _site_has_open_major_hazard(site_id: int) -> bool:
    """Ask the hazards app, when it is installed and offers the selector; else False."""
    if not apps.is_installed("hazardledger.hazards"):
        return False
    try:
        from hazardledger.hazards.selectors import site_has_open_major_hazard
    except ImportError:
        return False
    return bool(site_has_open_major_hazard(site_id=site_id))


@transaction.atomic
def site_risk_level_refresh(*, site: Site, actor: Any = None) -> str:
    """Recompute ``site.risk_level`` and store it if it changed; return the level.

    The level is the highest current grade among the site's risk points, or major while the
    site has an open major hazard; "" (not assessed) when neither applies. The write is one
    conditional ``UPDATE … WHERE risk_level <> new`` that touches only that column, so it never
    overwrites a concurrent edit of the site's other fields and does not bump its version.
    The hazards app should call this whenever a major hazard opens or closes. A change of level
    is audited (``actor`` is whoever caused it, or None for the system).
    """
    grades = (
        RiskPoint.objects.filter(site_id=site.pk)
        .exclude(grade="")
        .values_list("grade", flat=True)
        .distinct()
    )
    level = highest_grade(grades)
    if level != RiskGrade.MAJOR and _site_has_open_major_hazard(site.pk):
        level = RiskGrade.MAJOR
    before = site.risk_level
    changed = Site.objects.filter(pk=site.pk).exclude(risk_level=level).update(risk_level=level)
    if changed:
        record(
            actor=actor,
            action="risks.site.level_change",
            obj=site,
            before={"risk_level": before},
            after={"risk_level": level},
            organisation=site.organisation if actor is None else None,
        )
    site.risk_level = level
    return level


def site_risk_levels_refresh(*, site_ids: Iterable[int]) -> int:
    """Bulk form of ``site_risk_level_refresh`` from risk points only (for the demo and for
    repairs): a handful of queries whatever the number of sites. Open major hazards are not
    consulted here; the hazards step refreshes the sites it touches. Returns rows changed.
    """
    ids = list(site_ids)
    rank_to_grade = {rank: grade for grade, rank in GRADE_RANK.items()}
    by_level: dict[str, list[int]] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        worst: dict[int, int] = {}
        for site_id, grade in (
            RiskPoint.objects.filter(site_id__in=chunk)
            .exclude(grade="")
            .values_list("site_id", "grade")
            .distinct()
        ):
            worst[site_id] = max(worst.get(site_id, 0), GRADE_RANK[grade])
        for site_id in chunk:
            level = rank_to_grade.get(worst.get(site_id, 0), "")
            by_level.setdefault(level, []).append(site_id)
    changed = 0
    with transaction.atomic():
        for level, level_ids in by_level.items():
            for start in range(0, len(level_ids), 5000):
                changed += (
                    Site.objects.filter(pk__in=level_ids[start : start + 5000])
                    .exclude(risk_level=level)
                    .update(risk_level=level)
                )
    return changed


@transaction.atomic
def site_risk_rows_resync(*, site: Site) -> int:
    """Copy the site's current region, sector and organisation onto its risk rows.

    Called when a site's region, sector or responsible enterprise changes (the registry's
    ``site_relocated`` signal) so that scope keeps following the site. Returns the number of
    rows changed.
    """
    return site_scope_resync(
        site=site,
        rows=[
            (RiskPoint, "site_id"),
            (RiskAssessment, "risk_point__site_id"),
            (ControlMeasure, "risk_point__site_id"),
            (RiskPointPhoto, "risk_point__site_id"),
            (SiteInspectionSchedule, "site_id"),
        ],
    )


@transaction.atomic
def site_inspection_record(*, actor: Any, site: Site, inspected_on: date) -> SiteInspectionSchedule:
    """Record that regulators inspected ``site`` on ``inspected_on`` (kept only if later than
    the date already known, so an old inspection entered late never resets the schedule).

    Raises ``ValidationError`` for a date in the future.
    """
    if inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": _("The inspection date cannot be in the future.")})
    schedule, created = SiteInspectionSchedule.objects.get_or_create(
        site=site,
        defaults={
            "region_id": site.region_id,
            "sector_id": site.sector_id,
            "organisation_id": site.organisation_id,
            "last_inspected_on": inspected_on,
        },
    )
    if not created:
        SiteInspectionSchedule.objects.filter(
            Q(last_inspected_on__isnull=True) | Q(last_inspected_on__lt=inspected_on),
            pk=schedule.pk,
        ).update(last_inspected_on=inspected_on)
        schedule.refresh_from_db()
    ensure_in_scope(schedule, actor)
    record(
        actor=actor,
        action="risks.site.inspection_record",
        obj=site,
        after={"last_inspected_on": schedule.last_inspected_on},
        data={"inspected_on": inspected_on},
    )
    return schedule
