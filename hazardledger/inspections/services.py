"""Writes on inspections: plan, start, turn failed items into hazards, re-check, finish.

Hazards are recorded only through the hazards app's ``hazard_record`` and moved only through
its ``hazard_transition``; this app never writes a hazard row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardledger.access.scope import ensure_in_scope, restrict, user_can
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.audit.services import record as audit_record
from hazardledger.hazards.choices import (
    OPEN_STATUSES,
    HazardAction,
    HazardCategory,
    HazardGrade,
    HazardSource,
)
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.workflow import hazard_transition
from hazardledger.registry.models import Site

from .choices import (
    ENTERPRISE_KINDS,
    REGULATORY_KINDS,
    DraftStatus,
    InspectionKind,
    InspectionStatus,
    RecheckOutcome,
)
from .clauses import clauses_load
from .models import Checklist, HazardDraft, Inspection, RecheckDecision


class InspectionError(Exception):
    """The inspection is not in a state that allows this; nothing was written."""

    def __init__(self, message: Any = None) -> None:
        self.message = message or gettext_lazy("This is not possible in the inspection's state.")
        super().__init__(str(self.message))


def kinds_for(user: Any) -> list[str]:
    """The inspection kinds the user may run: enterprises inspect themselves, everyone else
    inspects as a regulator (a township's grid worker included)."""
    org = getattr(user, "organisation", None)
    if org is not None and org.kind == OrganisationKind.ENTERPRISE:
        return [k.value for k in ENTERPRISE_KINDS]
    return [k.value for k in REGULATORY_KINDS]


def _check_can_conduct(*, actor: Any, site: Site, kind: str) -> None:
    if not user_can(actor, Inspection, "conduct"):
        raise PermissionDenied
    if kind not in kinds_for(actor):
        raise ValidationError({"kind": [_("You may not run this kind of inspection.")]})
    if not restrict(Site.objects.filter(pk=site.pk), actor, "view").exists():
        raise ValidationError({"site": [_("Choose a site in your area.")]})


def _check_checklist(*, kind: str, checklist: Checklist | None, site: Site) -> None:
    if kind == InspectionKind.RECHECK:
        if checklist is not None:
            raise ValidationError(
                {"checklist": [_("A re-check acts on hazards, not a checklist.")]}
            )
        return
    if checklist is None or not checklist.is_current or not checklist.applies_to(site):
        raise ValidationError({"checklist": [_("Choose a current checklist for this site.")]})


def inspection_plan(
    *,
    actor: Any,
    site: Site,
    kind: str,
    checklist: Checklist | None,
    planned_on: date,
    inspectors: Sequence[Any] = (),
    start: bool = False,
) -> Inspection:
    """Plan an inspection of ``site`` (and, with ``start``, start it at once).

    The scope columns are copied from the site; the actor is among the inspectors. Raises
    ``PermissionDenied`` when the actor's role may not inspect, ``ValidationError`` for a
    site outside the actor's scope, a kind the actor may not run or a checklist that is not
    current or does not fit the site.
    """
    _check_can_conduct(actor=actor, site=site, kind=kind)
    _check_checklist(kind=kind, checklist=checklist, site=site)
    now = timezone.now()
    with transaction.atomic():
        inspection = Inspection(
            site=site,
            kind=kind,
            checklist=checklist,
            planned_on=planned_on,
            created_by=actor,
            status=InspectionStatus.IN_PROGRESS if start else InspectionStatus.PLANNED,
            started_at=now if start else None,
        )
        inspection.copy_scope_from(site)
        inspection.save()
        inspection.inspectors.set({actor.pk, *(u.pk for u in inspectors)})
        ensure_in_scope(inspection, actor)
        audit_record(
            actor=actor,
            action="inspections.inspection.start" if start else "inspections.inspection.plan",
            obj=inspection,
            after={"status": inspection.status, "kind": kind, "site": site.pk},
        )
    return inspection


def inspection_start(*, actor: Any, inspection: Inspection) -> Inspection:
    """Start a planned inspection (a conditional update, so two starts cannot both win).

    Starting an inspection already in progress is a no-op. Raises ``InspectionError`` for a
    submitted or cancelled one.
    """
    _check_can_conduct(actor=actor, site=inspection.site, kind=inspection.kind)
    if inspection.status == InspectionStatus.IN_PROGRESS:
        return inspection
    with transaction.atomic():
        updated = Inspection.objects.filter(
            pk=inspection.pk, status=InspectionStatus.PLANNED
        ).update(status=InspectionStatus.IN_PROGRESS, started_at=timezone.now())
        if updated != 1:
            raise InspectionError
        inspection.inspectors.add(actor)
        audit_record(
            actor=actor,
            action="inspections.inspection.start",
            obj=inspection,
            before={"status": InspectionStatus.PLANNED},
            after={"status": InspectionStatus.IN_PROGRESS},
        )
    inspection.refresh_from_db()
    return inspection


def hazard_source_for(kind: str) -> str:
    """The ledger's source for hazards an inspection of ``kind`` finds."""
    if kind == InspectionKind.SELF:
        return HazardSource.SELF_INSPECTION
    if kind == InspectionKind.CAMPAIGN:
        return HazardSource.CAMPAIGN
    return HazardSource.REGULATORY_INSPECTION


def hazard_basis(*, draft: HazardDraft, grade: str, override_reason: str) -> str:
    """The basis written into the hazard: for a major hazard the clause of the determination
    standard (with its identifier), else the inspector's reason; then the item's legal basis."""
    item = draft.result.item
    parts = []
    if grade == HazardGrade.MAJOR and draft.clause:
        clause = clauses_load().get(draft.clause)
        label = clause.label_zh if clause else item.clause_label
        parts.append(f"{label}（{draft.clause}）：{item.text_zh}")
    elif grade == HazardGrade.MAJOR:
        parts.append(
            _("Determined major by the inspector: %(reason)s") % {"reason": override_reason}
        )
    if item.basis:
        parts.append(item.basis)
    return "；".join(parts)[:1000]


def _draft_values(draft: HazardDraft, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    grade = data.get("grade") or draft.checklist_grade
    if grade not in HazardGrade.values:
        errors["grade"] = [_("Choose the grade.")]
    override_reason = (data.get("override_reason") or "").strip()
    if grade != draft.checklist_grade and not override_reason:
        errors["override_reason"] = [
            _("The checklist determines a different grade: say why you change it.")
        ]
    category = data.get("category") or draft.category
    if category not in HazardCategory.values:
        errors["category"] = [_("Choose a category.")]
    if errors:
        raise ValidationError(errors)
    return {
        "grade": grade,
        "override_reason": override_reason if grade != draft.checklist_grade else "",
        "category": category,
        "description": (data.get("description") or draft.description).strip(),
        "location": (data.get("location") or draft.location or "").strip(),
    }


def hazard_draft_confirm(*, actor: Any, draft: HazardDraft, data: Mapping[str, Any]) -> Hazard:
    """Record a failed item's hazard in the ledger, as the inspector confirmed or edited it.

    Steps: validate the grade (a grade other than the checklist's needs a reason); claim the
    draft with a conditional update (a second confirmation finds it taken:
    ``InspectionError``); call ``hazard_record`` with the grade, the basis citing the clause,
    the source and the item's photos as evidence; link the hazard and write the audit entry
    (the override, if any, in it). All in one transaction. ``ValidationError`` from the
    ledger (e.g. missing interim measures for a major hazard) passes through unchanged.
    """
    inspection = draft.inspection
    if inspection.status != InspectionStatus.SUBMITTED:
        raise InspectionError
    values = _draft_values(draft, data)
    basis = hazard_basis(
        draft=draft, grade=values["grade"], override_reason=values["override_reason"]
    )
    found_on = timezone.localdate(inspection.submitted_at or timezone.now())
    photos = [
        ContentFile(photo.file.open("rb").read(), name=photo.file.name.rsplit("/", 1)[-1])
        for photo in draft.result.photos.all()
    ]
    with transaction.atomic():
        claimed = HazardDraft.objects.filter(pk=draft.pk, status=DraftStatus.DRAFT).update(
            status=DraftStatus.RECORDED,
            decided_by_name=actor.display_name[:150],
            decided_at=timezone.now(),
            **{
                k: values[k]
                for k in ("grade", "override_reason", "category", "description", "location")
            },
            basis=basis,
        )
        if claimed != 1:
            raise InspectionError(_("This item was already decided."))
        hazard = hazard_record(
            actor=actor,
            site_id=inspection.site_id,
            data={
                "location": values["location"]
                or draft.result.item.section_zh
                or inspection.site.name,
                "description": values["description"],
                "category": values["category"],
                "grade": values["grade"],
                "grade_basis": basis,
                "source": hazard_source_for(inspection.kind),
                "found_on": found_on,
                "found_by_name": inspection.submitted_by_name,
                "interim_measures": list(data.get("interim_measures") or []),
                "interim_note": data.get("interim_note") or "",
            },
            files=photos[:10],
        )
        HazardDraft.objects.filter(pk=draft.pk).update(hazard=hazard)
        audit_record(
            actor=actor,
            action="inspections.hazarddraft.confirm",
            obj=draft,
            after={"hazard": hazard.pk, "grade": values["grade"]},
            data={
                "inspection": inspection.pk,
                "item": draft.result.item.code,
                "checklist_grade": draft.checklist_grade,
                "override_reason": values["override_reason"],
                "clause": draft.clause,
            },
        )
    draft.refresh_from_db()
    return hazard


def hazard_draft_dismiss(*, actor: Any, draft: HazardDraft, reason: str) -> HazardDraft:
    """Decide that a failed item is not a hazard after all (the reason is kept)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why this failed item is not a hazard.")]})
    if not user_can(actor, Inspection, "conduct"):
        raise PermissionDenied
    with transaction.atomic():
        claimed = HazardDraft.objects.filter(pk=draft.pk, status=DraftStatus.DRAFT).update(
            status=DraftStatus.DISMISSED,
            override_reason=reason,
            decided_by_name=actor.display_name[:150],
            decided_at=timezone.now(),
        )
        if claimed != 1:
            raise InspectionError(_("This item was already decided."))
        audit_record(
            actor=actor,
            action="inspections.hazarddraft.dismiss",
            obj=draft,
            data={"inspection": draft.inspection_id, "reason": reason},
        )
    draft.refresh_from_db()
    return draft


RECHECK_ACTIONS: dict[str, str] = {
    RecheckOutcome.ACCEPT: HazardAction.ACCEPT,
    RecheckOutcome.REJECT: HazardAction.REJECT,
}


def recheck_decide(
    *, actor: Any, inspection: Inspection, hazard: Hazard, outcome: str, comment: str = ""
) -> RecheckDecision:
    """Accept or reject a hazard's rectification during a re-check inspection.

    The move goes through the ledger's state machine (``hazard_transition``), which checks
    the actor's role, side and scope and the hazard's status; its errors pass through and
    nothing is written. The decision is kept on the inspection.
    """
    if not inspection.is_recheck or inspection.status != InspectionStatus.IN_PROGRESS:
        raise InspectionError
    if hazard.site_id != inspection.site_id or hazard.status not in OPEN_STATUSES:
        raise InspectionError(_("This hazard is not open at the inspected site."))
    if outcome not in RECHECK_ACTIONS:
        raise ValidationError({"outcome": [_("Choose accept or reject.")]})
    with transaction.atomic():
        hazard_transition(
            hazard=hazard,
            action=RECHECK_ACTIONS[outcome],
            actor=actor,
            expected_version=hazard.version,
            comment=comment,
        )
        decision = RecheckDecision(
            inspection=inspection,
            hazard=hazard,
            outcome=outcome,
            comment=(comment or "").strip(),
            decided_by_name=actor.display_name[:150],
            decided_at=timezone.now(),
        )
        decision.copy_scope_from(inspection.site)
        decision.save()
        audit_record(
            actor=actor,
            action="inspections.recheck.decide",
            obj=inspection,
            data={"hazard": hazard.pk, "outcome": outcome},
        )
    return decision


def recheck_finish(*, actor: Any, inspection: Inspection) -> Inspection:
    """Close a re-check inspection (its decisions are already applied)."""
    if not inspection.is_recheck:
        raise InspectionError
    _check_can_conduct(actor=actor, site=inspection.site, kind=inspection.kind)
    now = timezone.now()
    with transaction.atomic():
        updated = Inspection.objects.filter(
            pk=inspection.pk, status=InspectionStatus.IN_PROGRESS
        ).update(
            status=InspectionStatus.SUBMITTED,
            submitted_at=now,
            finished_at=now,
            submitted_by=actor,
            submitted_by_name=actor.display_name[:150],
        )
        if updated != 1:
            raise InspectionError
        audit_record(
            actor=actor,
            action="inspections.inspection.submit",
            obj=inspection,
            after={"status": InspectionStatus.SUBMITTED},
        )
        inspection_record_visit(actor=actor, inspection=inspection, on=timezone.localdate(now))
    inspection.refresh_from_db()
    return inspection


def inspection_record_visit(*, actor: Any, inspection: Inspection, on: date) -> None:
    """Tell the risks app a regulator inspected the site (it schedules the next inspection).

    Self-inspections do not count, and a risks app without the service is skipped.
    """
    if inspection.kind == InspectionKind.SELF:
        return
    try:
        from hazardledger.risks.models import SiteInspectionSchedule
        from hazardledger.risks.services import site_inspection_record
    except ImportError:
        return
    if user_can(actor, SiteInspectionSchedule, "change"):
        site_inspection_record(actor=actor, site=inspection.site, inspected_on=on)
