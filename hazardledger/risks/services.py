"""Writes of risk grading. Every write checks the actor's permission (the risks policies), runs
in a transaction and re-checks scope after saving (save, then check): a row that would land
outside the actor's scope rolls back. Edits of a risk point or a control are conditional on the
version the user's page was loaded at, so a stale page is refused, not applied.

Services are plain ``transaction.atomic()`` blocks that compose; the durable transaction is
opened by the entry point (a view, a command, a task). An assessment writes the
``risks.riskassessment.create`` outbox event; the site's risk level follows it after commit
(``handlers.site_risk_refresh``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardledger.access.policy import policy_for
from hazardledger.access.scope import ensure_in_scope
from hazardledger.audit.services import record
from hazardledger.core.errors import Conflict, NotAllowed, NotFound
from hazardledger.core.outbox import outbox_write
from hazardledger.core.uploads import save_on_commit
from hazardledger.hazards.selectors import site_has_open_major_hazard
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


class ConcurrentEditError(Conflict):
    """The risk point or control changed since the user loaded it; nothing was written."""

    default_message = _(
        "Someone else changed this record after you opened it. Nothing was saved: "
        "reload the page to see the current version, then make your change again."
    )


def _require(actor: Any, model: type[models.Model], action: str, obj: Any = None) -> None:
    """Raise ``NotAllowed`` unless the actor's role allows ``action`` on ``model`` (its
    policy), and ``NotFound`` when ``obj`` is given and lies outside the actor's scope."""
    policy = policy_for(model)
    if not policy.user_has_permission(actor, action):
        raise NotAllowed
    if obj is not None and not policy.user_has_permission_for_instance(actor, action, obj):
        raise NotFound


def _conditional_update(
    obj: Any, *, expected_version: int, fields: Iterable[str], now: datetime
) -> None:
    """One ``UPDATE … WHERE id = … AND version = expected`` of ``fields`` that bumps the
    version; ``ConcurrentEditError`` when no row matched (someone saved first)."""
    model = type(obj)
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        **{name: getattr(obj, name) for name in fields},
        version=F("version") + 1,
        updated_at=now,
    )
    if updated != 1:
        raise ConcurrentEditError


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


def _save_in_scope(obj: Any, *, actor: Any, exclude: Iterable[str]) -> None:
    """Validate (the scope columns and ``exclude`` aside), insert, then check the row is
    visible to ``actor``. Raises ``ValidationError`` before the write, ``ScopeViolation`` after
    it; callers run in a transaction so either leaves nothing behind."""
    obj.full_clean(exclude=[*_SCOPE_FIELDS, *exclude])
    obj.save()
    ensure_in_scope(obj, actor)


# --- Risk points --------------------------------------------------------------------------------


@transaction.atomic
def risk_point_create(*, actor: Any, site: Site, data: Mapping[str, Any]) -> RiskPoint:
    """Add a risk point to ``site`` from validated ``data`` (keys in ``RISK_POINT_FIELDS``).

    The scope columns are copied from the site. Raises ``NotAllowed`` when the actor's role may
    not add risk points (only the enterprise keeps its register), ``ValidationError`` on bad
    data and ``ScopeViolation`` when the actor may not see the result; in every case nothing
    is written. The new point is "not assessed", so the site's level does not change.
    """
    _require(actor, RiskPoint, "add")
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
def risk_point_update(
    *, actor: Any, risk_point: RiskPoint, expected_version: int, data: Mapping[str, Any]
) -> RiskPoint:
    """Change a risk point's description (never its grade: only assessment sets that), only
    if it is still at ``expected_version`` (the version the user's page was loaded at).

    Steps: check the actor may change it (``NotAllowed`` / ``NotFound``); validate (a
    ``ValidationError`` before any write); one conditional ``UPDATE … WHERE version =
    expected`` that bumps the version (``ConcurrentEditError`` when someone saved first);
    re-check scope; audit. ``risk_point`` is reloaded in place once the change is written;
    on an error nothing is written and it is left as it was.
    """
    _require(actor, RiskPoint, "change", risk_point)
    edited = RiskPoint.objects.get(pk=risk_point.pk)
    before = _fields(edited, RISK_POINT_FIELDS)
    _set_fields(edited, data, RISK_POINT_FIELDS)
    edited.hazard_types = _validate_hazard_types(edited.hazard_types)
    edited.full_clean(exclude=[*_SCOPE_FIELDS, "site", "created_by"])
    _conditional_update(
        edited, expected_version=expected_version, fields=RISK_POINT_FIELDS, now=timezone.now()
    )
    ensure_in_scope(edited, actor)
    record(
        actor=actor,
        action="risks.riskpoint.update",
        obj=edited,
        before=before,
        after=_fields(edited, RISK_POINT_FIELDS),
    )
    risk_point.refresh_from_db()
    return risk_point


@transaction.atomic
def risk_point_assess(
    *, actor: Any, risk_point: RiskPoint, method: str, factors: Mapping[str, Any], note: str = ""
) -> RiskAssessment:
    """Assess ``risk_point`` and make the new assessment its current one.

    Steps:
    1. check the actor may assess this risk point (``NotAllowed`` / ``NotFound``);
    2. grade the factors (``grading.assess``); an ``InvalidFactor`` propagates before any write;
    3. lock the risk point row, so two assessors cannot both become "current";
    4. mark the previous current assessment as history and insert the new one;
    5. copy grade, value, method and time onto the risk point (not its version: no field of
       the edit page changes);
    6. write the audit entry (before: the previous grade and value) and the
       ``risks.riskassessment.create`` outbox event, whose changes are the risk point's grade
       and value; after commit its handler refreshes the site's risk level.
    """
    _require(actor, RiskPoint, "assess", risk_point)
    result = assess(method, **factors)
    now = timezone.now()
    locked = RiskPoint.objects.select_for_update().get(pk=risk_point.pk)
    before = {"grade": locked.grade, "value": locked.risk_value}
    RiskAssessment.objects.filter(risk_point=locked, is_current=True).update(is_current=False)
    assessment = assessment_from_result(locked, result, actor=actor, at=now, note=note)
    assessment.save()
    ensure_in_scope(assessment, actor)
    RiskPoint.objects.filter(pk=locked.pk).update(
        grade=result.grade,
        risk_value=result.value,
        method=result.method,
        assessed_at=now,
        updated_at=now,
    )
    risk_point.grade, risk_point.risk_value, risk_point.method, risk_point.assessed_at = (
        result.grade,
        result.value,
        result.method,
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
    changes = {
        field: [old, new]
        for field, old, new in (
            ("grade", before["grade"], result.grade),
            ("risk_value", _decimal_text(before["value"]), _decimal_text(result.value)),
        )
        if old != new
    }
    outbox_write(
        topic="risks.riskassessment.create",
        obj=assessment,
        actor=actor,
        data={
            "site_id": locked.site_id,
            "risk_point_id": locked.pk,
            "grade": result.grade,
            "changes": changes,
        },
        at=now,
    )
    return assessment


def _decimal_text(value: Any) -> str | None:
    """A decimal as JSON carries it (normalised text, so 252 and 252.000 compare equal)."""
    return None if value is None else format(value.normalize(), "f")


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
    """Attach a photo (an uploaded image already validated by the form).

    Raises ``NotAllowed`` for a role that may not add photos and ``ScopeViolation`` out of
    scope. The row gets the file's random name at once; the file itself is written when the
    transaction commits, so a rolled-back action leaves no file on disk.
    """
    _require(actor, RiskPointPhoto, "add")
    photo = RiskPointPhoto(risk_point=risk_point, caption=caption, uploaded_by=actor)
    save_on_commit(photo.image, image)
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
    """Add a control to ``risk_point``. Raises ``NotAllowed`` for a role that may not add
    controls, ``ValidationError`` on bad data and ``ScopeViolation`` out of scope (nothing is
    saved)."""
    _require(actor, ControlMeasure, "add")
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
    *, actor: Any, control: ControlMeasure, expected_version: int, data: Mapping[str, Any]
) -> ControlMeasure:
    """Change a control, only if it is still at ``expected_version``.

    Raises ``NotAllowed`` / ``NotFound`` when the actor may not change it, ``ValidationError``
    on bad data and ``ConcurrentEditError`` when someone saved it first (one conditional
    ``UPDATE … WHERE version = expected`` that bumps the version); nothing is saved on error.
    ``control`` is reloaded in place once the change is written; on an error it is left as it
    was.
    """
    _require(actor, ControlMeasure, "change", control)
    edited = ControlMeasure.objects.get(pk=control.pk)
    before = _fields(edited, CONTROL_FIELDS)
    _set_fields(edited, data, CONTROL_FIELDS)
    edited.full_clean(exclude=[*_SCOPE_FIELDS, "risk_point"])
    _conditional_update(
        edited, expected_version=expected_version, fields=CONTROL_FIELDS, now=timezone.now()
    )
    ensure_in_scope(edited, actor)
    record(
        actor=actor,
        action="risks.controlmeasure.update",
        obj=edited,
        before=before,
        after=_fields(edited, CONTROL_FIELDS),
    )
    control.refresh_from_db()
    return control


@transaction.atomic
def control_measure_delete(*, actor: Any, control: ControlMeasure) -> None:
    """Remove a control. Raises ``NotAllowed`` for a role that may not delete controls (only
    the enterprise keeps its register) and ``NotFound`` for one outside the actor's scope."""
    _require(actor, ControlMeasure, "delete", control)
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


@transaction.atomic
def site_risk_level_refresh(*, site: Site, actor: Any = None) -> str:
    """Recompute ``site.risk_level`` and store it if it changed; return the level.

    The level is the highest current grade among the site's risk points, or major while the
    site has an open major hazard; "" (not assessed) when neither applies. The write is one
    conditional ``UPDATE … WHERE risk_level <> new`` that touches only that column, so it never
    overwrites a concurrent edit of the site's other fields and does not bump its version.
    The level is derived, so its change writes no site outbox event. It runs after commit
    whenever a major hazard opens or closes or an assessment changes a grade
    (``handlers.site_risk_refresh``). A change of level is audited (``actor`` is whoever caused
    it, or None for the system).
    """
    grades = (
        RiskPoint.objects.filter(site_id=site.pk)
        .exclude(grade="")
        .values_list("grade", flat=True)
        .distinct()
    )
    level = highest_grade(grades)
    if level != RiskGrade.MAJOR and site_has_open_major_hazard(site_id=site.pk):
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

    Raises ``NotAllowed`` for a role that may not keep the schedule, ``ValidationError`` for a
    date in the future and ``ScopeViolation`` for a site outside the actor's scope.
    """
    _require(actor, SiteInspectionSchedule, "change")
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
