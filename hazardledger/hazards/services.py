"""Writes that are not moves of the state machine: recording a hazard, quick reports.

Moves between statuses go through ``workflow.hazard_transition`` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardledger.access.policy import REGULATORS
from hazardledger.access.scope import restrict
from hazardledger.accounts.choices import Role
from hazardledger.audit.services import record as audit_record
from hazardledger.core.errors import Invalid
from hazardledger.core.outbox import outbox_write
from hazardledger.registry.models import Site

from .choices import (
    EvidenceKind,
    EvidenceStage,
    HazardAction,
    HazardGrade,
    HazardSource,
    HazardStatus,
    QuickReportStatus,
)
from .deadlines import default_deadline, local_today
from .evidence import CheckedFile, evidence_build
from .history import creation_changes
from .models import Evidence, Hazard, QuickReport
from .policies import HAZARD_POLICY, QUICK_REPORT_POLICY
from .workflow import (
    ConcurrentEditError,
    HazardInput,
    TransitionNotAllowed,
    check_files,
    history_append,
)

# The fields a hazard is recorded with (``workflow.HazardInput``).
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
    "deadline",
)


def is_regulator(actor: Any) -> bool:
    """True for a regulator's user (inspector, office; not an administrator): the deadline
    they set when recording stands, and the hazards they find are theirs to accept."""
    return getattr(actor, "role", "") in REGULATORS - {Role.ADMINISTRATOR}


def _site_in_scope(*, actor: Any, site_id: Any) -> Site:
    site = restrict(Site.objects.all(), actor, "view").filter(pk=site_id).first()
    if site is None:
        raise Invalid({"site": [_("Choose a site in your area.")]})
    return site


def _hazard_create(
    *,
    actor: Any,
    site: Site,
    value: HazardInput,
    now: Any,
    event_data: dict[str, Any],
    checked: Sequence[CheckedFile],
    stage: str = EvidenceStage.FOUND,
) -> Hazard:
    """Save the hazard and its first event (every initial field in its changes) with the
    audit entry and the outbox event, then its evidence rows (files stored on commit). Runs
    in the caller's transaction."""
    assert value.found_on is not None  # validated
    regulator = is_regulator(actor)
    if value.deadline is not None and not regulator:
        raise Invalid({"deadline": [_("A regulator sets the deadline; yours is the default.")]})
    hazard = Hazard(
        site=site,
        found_by=actor,
        recorded_by=actor,
        status=HazardStatus.RECORDED,
        reported_at=now if value.grade == HazardGrade.MAJOR else None,
        deadline=value.deadline or default_deadline(grade=value.grade, found_on=value.found_on),
        regulator_found=regulator or value.source == HazardSource.REGULATORY_INSPECTION,
        **value.hazard_fields(),
    )
    hazard.copy_scope_from(site)
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
        changes=creation_changes(hazard),
    )
    for item in checked:
        evidence_build(
            checked=item,
            stage=stage,
            actor=actor,
            region_id=hazard.region_id,
            hazard=hazard,
            event=event,
        ).save()
    hazard.refresh_from_db()
    return hazard


def _record_event_data(value: HazardInput, possible_duplicates: Sequence[int]) -> dict[str, Any]:
    data: dict[str, Any] = {"grade": value.grade}
    if value.interim_measures:
        data["interim_measures"] = list(value.interim_measures)
    if possible_duplicates:
        data["possible_duplicates"] = sorted(int(pk) for pk in possible_duplicates)
    return data


def hazard_record(
    *,
    actor: Any,
    site_id: Any,
    data: HazardInput | Mapping[str, Any],
    files: Sequence[Any] = (),
    possible_duplicates: Sequence[int] = (),
) -> Hazard:
    """Record a new hazard at a site in the actor's scope and return it.

    ``data`` is a ``workflow.HazardInput`` (what the record form builds) or a mapping of its
    fields. Region, sector and enterprise are copied from the site. The deadline is the one a
    regulator gives, else the default for the grade from the date found (a deadline given by
    anyone else is an ``Invalid``); a hazard a regulator records, or one from a regulatory
    inspection, is marked ``regulator_found`` (a regulator accepts it). A major hazard needs the
    basis of its grade and its interim measures; it is stamped "reported to the regulator" at
    once and appears in the queue of every regulator whose scope covers its region and sector.
    ``possible_duplicates`` are the hazards the user was shown and chose to record past; they
    are kept in the event. A plain ``atomic()`` block (an inspection records its findings
    inside its own transaction). Raises ``Invalid`` per field, ``TransitionNotAllowed`` when
    the actor may not record hazards.
    """
    if not HAZARD_POLICY.user_has_permission(actor, "add"):
        raise TransitionNotAllowed
    site = _site_in_scope(actor=actor, site_id=site_id)
    now = timezone.now()
    value = HazardInput.from_data(data)
    value.validate(today=local_today(now))
    checked = check_files(files)
    with transaction.atomic():
        return _hazard_create(
            actor=actor,
            site=site,
            value=value,
            now=now,
            event_data=_record_event_data(value, possible_duplicates),
            checked=checked,
        )


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
    """A quick report from a phone: a photo, the site and a sentence (photos stored when the
    transaction commits).

    Raises ``TransitionNotAllowed`` when the actor's role may not report, ``Invalid`` when the
    site is outside the actor's area, the sentence is empty or no photo is attached.
    """
    if not QUICK_REPORT_POLICY.user_has_permission(actor, "add"):
        raise TransitionNotAllowed
    site = _site_in_scope(actor=actor, site_id=site_id)
    description = (description or "").strip()
    if not description:
        raise Invalid({"description": [_("Say in a sentence what is wrong.")]})
    checked = check_files(files)
    if not any(c.kind == EvidenceKind.PHOTO for c in checked):
        raise Invalid({"files": [_("Take or attach at least one photo.")]})
    with transaction.atomic():
        report = QuickReport(
            site=site,
            location=(location or "").strip()[:200],
            description=description,
            latitude=latitude,
            longitude=longitude,
            reporter=actor,
            reporter_name=actor.display_name[:100],
        )
        report.copy_scope_from(site)
        report.save()
        for item in checked:
            evidence_build(
                checked=item,
                stage=EvidenceStage.REPORT,
                actor=actor,
                region_id=site.region_id,
                quick_report=report,
            ).save()
        audit_record(
            actor=actor,
            action="hazards.quickreport.create",
            obj=report,
            after={"status": report.status},
            data={"files": [c.describe() for c in checked]},
        )
        outbox_write(
            topic="hazards.quickreport.create", obj=report, actor=actor, data={"site_id": site.pk}
        )
        return report


def quick_report_can_triage(*, actor: Any, report: QuickReport) -> bool:
    """True when ``actor`` may triage ``report`` now: it is new, and the quick-report policy
    lets the actor triage it (the triage role, acting for the responsible party of its site:
    the enterprise; the township for a site without one)."""
    if report.status != QuickReportStatus.NEW:
        return False
    return QUICK_REPORT_POLICY.user_has_permission_for_instance(actor, "triage", report)


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
    data: HazardInput | Mapping[str, Any],
    possible_duplicates: Sequence[int] = (),
) -> Hazard:
    """Triage a quick report into the ledger: record the hazard with the report's photos.

    The new hazard's first event names the report and the hashes of its photos. Raises
    ``ConcurrentEditError`` when someone triaged it first, ``TransitionNotAllowed`` or
    ``Invalid`` as ``hazard_record`` does.
    """
    now = timezone.now()
    value = HazardInput.from_data(data)
    value.validate(today=local_today(now))
    with transaction.atomic():
        _claim_report(
            actor=actor,
            report=report,
            expected_version=expected_version,
            status=QuickReportStatus.ACCEPTED,
        )
        photos = list(report.evidence.all())
        event_data = _record_event_data(value, possible_duplicates)
        event_data.update(
            quick_report=report.pk,
            reported_by=report.reporter_name,
            files=[
                {
                    "name": e.original_name,
                    "type": e.content_type,
                    "size": e.size,
                    "sha256": e.sha256,
                    "original_sha256": e.original_sha256 or e.sha256,
                }
                for e in photos
            ],
        )
        hazard = _hazard_create(
            actor=actor,
            site=report.site,
            value=value,
            now=now,
            event_data=event_data,
            checked=[],
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
    """Reject a quick report with a reason the reporter sees on their list. Raises
    ``Invalid`` without a reason, ``ConcurrentEditError`` when someone triaged it first,
    ``TransitionNotAllowed`` when the actor may not triage it."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": [_("Give a reason the reporter will see.")]})
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
