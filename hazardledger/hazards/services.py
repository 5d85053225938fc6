"""Writes that are not moves of the state machine: recording a hazard, quick reports.

Moves between statuses go through ``workflow.hazard_transition`` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardledger.access.scope import restrict, user_can
from hazardledger.audit.services import record as audit_record
from hazardledger.registry.models import Site

from .choices import (
    EvidenceKind,
    EvidenceStage,
    HazardAction,
    HazardCategory,
    HazardGrade,
    HazardSource,
    HazardStatus,
    InterimMeasure,
    QuickReportStatus,
)
from .deadlines import local_today
from .evidence import evidence_build, evidence_discard
from .models import Evidence, Hazard, QuickReport
from .workflow import (
    ConcurrentEditError,
    TransitionNotAllowed,
    check_files,
    history_append,
    is_responsible_party,
    schedule_risk_refresh,
)

HAZARD_FIELDS = (
    "location",
    "description",
    "category",
    "grade",
    "grade_basis",
    "source",
    "found_on",
    "found_by_name",
    "interim_measures",
    "interim_note",
)


def _site_in_scope(*, actor: Any, site_id: Any) -> Site:
    site = restrict(Site.objects.all(), actor, "view").filter(pk=site_id).first()
    if site is None:
        raise ValidationError({"site": [_("Choose a site in your area.")]})
    return site


def _validate_hazard_data(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values = {key: data.get(key) for key in HAZARD_FIELDS}
    for key in ("location", "description", "grade_basis", "found_by_name", "interim_note"):
        values[key] = (values[key] or "").strip()
    for key in ("location", "description"):
        if not values[key]:
            errors.setdefault(key, []).append(_("This field is required."))
    if values["category"] not in HazardCategory.values:
        errors.setdefault("category", []).append(_("Choose a category."))
    if values["grade"] not in HazardGrade.values:
        errors.setdefault("grade", []).append(_("Choose the grade."))
    if values["source"] not in HazardSource.values:
        errors.setdefault("source", []).append(_("Choose the source."))
    found_on = values["found_on"]
    if not isinstance(found_on, date):
        errors.setdefault("found_on", []).append(_("Enter the date it was found."))
    elif found_on > today:
        errors.setdefault("found_on", []).append(_("The date found cannot be in the future."))
    measures = list(values["interim_measures"] or [])
    if any(m not in InterimMeasure.values for m in measures):
        errors.setdefault("interim_measures", []).append(_("Unknown interim measure."))
    values["interim_measures"] = measures
    if values["grade"] == HazardGrade.MAJOR:
        if not values["grade_basis"]:
            errors.setdefault("grade_basis", []).append(
                _("A major hazard needs its basis: the clause of the determination standard.")
            )
        if not measures:
            errors.setdefault("interim_measures", []).append(
                _("Record the interim measures taken for a major hazard.")
            )
    if errors:
        raise ValidationError(errors)
    return values


def _hazard_create(
    *,
    actor: Any,
    site: Site,
    values: dict[str, Any],
    now: Any,
    event_data: dict[str, Any],
    checked: list[Any],
    stored: list[Evidence],
    stage: str = EvidenceStage.FOUND,
) -> Hazard:
    hazard = Hazard(
        site=site,
        region_id=site.region_id,
        sector_id=site.sector_id,
        organisation_id=site.organisation_id,
        found_by=actor,
        recorded_by=actor,
        status=HazardStatus.RECORDED,
        reported_at=now if values["grade"] == HazardGrade.MAJOR else None,
        **values,
    )
    hazard.found_by_name = hazard.found_by_name or actor.display_name[:100]
    hazard.save()
    if checked:
        event_data["files"] = [c.describe() for c in checked]
    event = history_append(
        hazard=hazard,
        action=HazardAction.RECORD,
        from_status="",
        to_status=HazardStatus.RECORDED,
        actor=actor,
        at=now,
        data=event_data,
    )
    for item in checked:
        evidence = evidence_build(
            checked=item,
            stage=stage,
            actor=actor,
            region_id=hazard.region_id,
            hazard=hazard,
            event=event,
        )
        stored.append(evidence)
        evidence.save()
    schedule_risk_refresh(hazard=hazard, action=HazardAction.RECORD)
    hazard.refresh_from_db()
    return hazard


def hazard_record(
    *,
    actor: Any,
    site_id: Any,
    data: Mapping[str, Any],
    files: Sequence[Any] = (),
    possible_duplicates: Sequence[int] = (),
) -> Hazard:
    """Record a new hazard at a site in the actor's scope and return it.

    Region, sector and enterprise are copied from the site. A major hazard needs the basis of
    its grade and its interim measures; it is stamped "reported to the regulator" at once and
    appears in the queue of every regulator whose scope covers its region and sector.
    ``possible_duplicates`` are the hazards the user was shown and chose to record past; they
    are kept in the event. Raises ``ValidationError`` per field, ``TransitionNotAllowed`` when
    the actor may not record hazards.
    """
    if not user_can(actor, Hazard, "add"):
        raise TransitionNotAllowed
    site = _site_in_scope(actor=actor, site_id=site_id)
    now = timezone.now()
    values = _validate_hazard_data(data, local_today(now))
    checked = check_files(files)
    event_data: dict[str, Any] = {"grade": values["grade"]}
    if values["interim_measures"]:
        event_data["interim_measures"] = values["interim_measures"]
    if possible_duplicates:
        event_data["possible_duplicates"] = sorted(int(pk) for pk in possible_duplicates)
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            return _hazard_create(
                actor=actor,
                site=site,
                values=values,
                now=now,
                event_data=event_data,
                checked=checked,
                stored=stored,
            )
    except Exception:
        evidence_discard(stored)
        raise


def quick_report_create(
    *,
    actor: Any,
    site_id: Any,
    description: str,
    files: Sequence[Any],
    location: str = "",
    latitude: Any = None,
    longitude: Any = None,
) -> QuickReport:
    """A quick report from a phone: a photo, the site and a sentence.

    Raises ``TransitionNotAllowed`` when the actor's role may not report, ``ValidationError``
    when the site is outside the actor's area, the sentence is empty or no photo is attached.
    """
    if not user_can(actor, QuickReport, "add"):
        raise TransitionNotAllowed
    site = _site_in_scope(actor=actor, site_id=site_id)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": [_("Say in a sentence what is wrong.")]})
    checked = check_files(files)
    if not any(c.kind == EvidenceKind.PHOTO for c in checked):
        raise ValidationError({"files": [_("Take or attach at least one photo.")]})
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            report = QuickReport.objects.create(
                site=site,
                region_id=site.region_id,
                sector_id=site.sector_id,
                organisation_id=site.organisation_id,
                location=(location or "").strip()[:200],
                description=description,
                latitude=latitude,
                longitude=longitude,
                reporter=actor,
                reporter_name=actor.display_name[:100],
            )
            for item in checked:
                evidence = evidence_build(
                    checked=item,
                    stage=EvidenceStage.REPORT,
                    actor=actor,
                    region_id=site.region_id,
                    quick_report=report,
                )
                stored.append(evidence)
                evidence.save()
            audit_record(
                actor=actor,
                action="hazards.quickreport.create",
                obj=report,
                after={"status": report.status},
                data={"files": [c.describe() for c in checked]},
            )
            return report
    except Exception:
        evidence_discard(stored)
        raise


def quick_report_can_triage(*, actor: Any, report: QuickReport) -> bool:
    """True when ``actor`` may triage ``report``: the triage role, acting for the responsible
    party of its site (the enterprise; the township for a site without one)."""
    if report.status != QuickReportStatus.NEW:
        return False
    if not user_can(actor, QuickReport, "triage"):
        return False
    return is_responsible_party(actor=actor, hazard=report)  # type: ignore[arg-type]


def _claim_report(
    *, actor: Any, report: QuickReport, expected_version: int, **changes: Any
) -> None:
    if report.version != expected_version:
        raise ConcurrentEditError
    if not quick_report_can_triage(actor=actor, report=report):
        raise TransitionNotAllowed
    now = timezone.now()
    updated = QuickReport.objects.filter(
        pk=report.pk, version=expected_version, status=QuickReportStatus.NEW
    ).update(
        version=F("version") + 1,
        triaged_by_name=actor.display_name[:100],
        triaged_at=now,
        updated_at=now,
        **changes,
    )
    if updated != 1:
        raise ConcurrentEditError


def quick_report_accept(
    *,
    actor: Any,
    report: QuickReport,
    expected_version: int,
    data: Mapping[str, Any],
    possible_duplicates: Sequence[int] = (),
) -> Hazard:
    """Triage a quick report into the ledger: record the hazard with the report's photos.

    The new hazard's first event names the report and the hashes of its photos. Raises
    ``ConcurrentEditError`` when someone triaged it first, ``TransitionNotAllowed`` or
    ``ValidationError`` as ``hazard_record`` does.
    """
    now = timezone.now()
    values = _validate_hazard_data(data, local_today(now))
    with transaction.atomic():
        _claim_report(
            actor=actor,
            report=report,
            expected_version=expected_version,
            status=QuickReportStatus.ACCEPTED,
        )
        photos = list(report.evidence.all())
        event_data: dict[str, Any] = {
            "grade": values["grade"],
            "quick_report": report.pk,
            "reported_by": report.reporter_name,
            "files": [
                {
                    "name": e.original_name,
                    "type": e.content_type,
                    "size": e.size,
                    "sha256": e.sha256,
                }
                for e in photos
            ],
        }
        if values["interim_measures"]:
            event_data["interim_measures"] = values["interim_measures"]
        if possible_duplicates:
            event_data["possible_duplicates"] = sorted(int(pk) for pk in possible_duplicates)
        hazard = _hazard_create(
            actor=actor,
            site=report.site,
            values=values,
            now=now,
            event_data=event_data,
            checked=[],
            stored=[],
        )
        first_event = hazard.events.get(seq=1)
        Evidence.objects.filter(quick_report=report).update(hazard=hazard, event=first_event)
        QuickReport.objects.filter(pk=report.pk).update(hazard=hazard)
        audit_record(
            actor=actor,
            action="hazards.quickreport.accept",
            obj=report,
            before={"status": QuickReportStatus.NEW},
            after={"status": QuickReportStatus.ACCEPTED, "hazard": hazard.pk},
        )
    report.refresh_from_db()
    return hazard


def quick_report_reject(
    *, actor: Any, report: QuickReport, expected_version: int, reason: str
) -> QuickReport:
    """Reject a quick report with a reason the reporter sees on their list."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason the reporter will see.")]})
    with transaction.atomic():
        _claim_report(
            actor=actor,
            report=report,
            expected_version=expected_version,
            status=QuickReportStatus.REJECTED,
            rejection_reason=reason,
        )
        audit_record(
            actor=actor,
            action="hazards.quickreport.reject",
            obj=report,
            before={"status": QuickReportStatus.NEW},
            after={"status": QuickReportStatus.REJECTED},
            data={"reason": reason},
        )
    report.refresh_from_db()
    return report
