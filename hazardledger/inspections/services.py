"""Writes on inspections: plan, start, turn failed items into hazards, re-check, finish.

Hazards are recorded only through the hazards app's ``hazard_record`` and moved only through
its ``hazard_transition``, called inside this app's own transactions; this app never writes a
hazard row. Every service is a plain ``atomic()`` block that composes with its caller's (the
entry point holds the durable one) and writes the change's outbox event (``events.py``) in it.
Errors are the ``core.errors`` family: ``Invalid``, ``NotAllowed``, ``InspectionError`` (an
``InvalidTransition``); the hazards app's errors pass through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardledger.access.policy import policy_for
from hazardledger.access.scope import ensure_in_scope
from hazardledger.audit.services import record as audit_record
from hazardledger.core.errors import Invalid, InvalidTransition, NotAllowed
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

from .choices import DraftStatus, InspectionKind, InspectionStatus, RecheckOutcome
from .clauses import clauses_load
from .events import creation_changes, inspection_event_write
from .models import Checklist, HazardDraft, Inspection, RecheckDecision
from .policies import HAZARD_DRAFT_POLICY, INSPECTION_POLICY


class InspectionError(InvalidTransition):
    """The inspection is not in a state that allows this; nothing was written."""

    default_message = gettext_lazy("This is not possible in the inspection's state.")


def _check_can_conduct(*, actor: Any, site: Site, kind: str) -> None:
    """Refuse an actor whose role may not inspect (``NotAllowed``), a kind they may not run
    or a site outside their scope (``Invalid``), as ``INSPECTION_POLICY`` and the site's
    policy say."""
    if not INSPECTION_POLICY.user_has_permission(actor, "conduct"):
        raise NotAllowed
    if kind not in INSPECTION_POLICY.kinds_for(actor):
        raise Invalid({"kind": [_("You may not run this kind of inspection.")]})
    if not policy_for(Site).user_has_permission_for_instance(actor, "view", site):
        raise Invalid({"site": [_("Choose a site in your area.")]})


def _check_may_conduct(*, actor: Any, inspection: Inspection) -> None:
    """Refuse an actor who may not conduct this inspection (its kind, their role, their
    scope): ``NotAllowed``."""
    if not INSPECTION_POLICY.user_has_permission_for_instance(actor, "conduct", inspection):
        raise NotAllowed


def _check_checklist(*, kind: str, checklist: Checklist | None, site: Site) -> None:
    if kind == InspectionKind.RECHECK:
        if checklist is not None:
            raise Invalid({"checklist": [_("A re-check acts on hazards, not a checklist.")]})
        return
    if checklist is None or not checklist.is_current or not checklist.applies_to(site):
        raise Invalid({"checklist": [_("Choose a current checklist for this site.")]})


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

    The scope columns are copied from the site; the actor is among the inspectors. Writes
    the audit entry and the outbox event (``plan``, or ``begin`` when started at once).
    Raises ``NotAllowed`` when the actor's role may not inspect, ``Invalid`` for a site
    outside the actor's scope, a kind the actor may not run or a checklist that is not
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
        inspector_ids = {actor.pk, *(u.pk for u in inspectors)}
        inspection.inspectors.set(inspector_ids)
        ensure_in_scope(inspection, actor)
        audit_record(
            actor=actor,
            action="inspections.inspection.start" if start else "inspections.inspection.plan",
            obj=inspection,
            after={"status": inspection.status, "kind": kind, "site": site.pk},
        )
        inspection_event_write(
            inspection=inspection,
            action="begin" if start else "plan",
            actor=actor,
            changes=creation_changes(inspection, inspector_ids=inspector_ids),
        )
    return inspection


def inspection_start(*, actor: Any, inspection: Inspection) -> Inspection:
    """Start a planned inspection (a conditional update, so two starts cannot both win).

    Starting an inspection already in progress is a no-op. The actor joins the inspectors.
    Writes the audit entry and the ``begin`` event. Raises ``NotAllowed`` when the actor may
    not conduct it and ``InspectionError`` for a submitted or cancelled one.
    """
    _check_may_conduct(actor=actor, inspection=inspection)
    if inspection.status == InspectionStatus.IN_PROGRESS:
        return inspection
    now = timezone.now()
    with transaction.atomic():
        updated = Inspection.objects.filter(
            pk=inspection.pk, status=InspectionStatus.PLANNED
        ).update(status=InspectionStatus.IN_PROGRESS, started_at=now)
        if updated != 1:
            raise InspectionError
        before = sorted(inspection.inspectors.values_list("pk", flat=True))
        inspection.inspectors.add(actor)
        inspection.refresh_from_db()
        audit_record(
            actor=actor,
            action="inspections.inspection.start",
            obj=inspection,
            before={"status": InspectionStatus.PLANNED},
            after={"status": InspectionStatus.IN_PROGRESS},
        )
        changes: dict[str, list[Any]] = {
            "status": [InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS],
            "started_at": [None, now],
        }
        if actor.pk not in before:
            changes["inspector_ids"] = [before, sorted({*before, actor.pk})]
        inspection_event_write(inspection=inspection, action="begin", actor=actor, changes=changes)
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
        raise Invalid(errors)
    return {
        "grade": grade,
        "override_reason": override_reason if grade != draft.checklist_grade else "",
        "category": category,
        "description": (data.get("description") or draft.description).strip(),
        "location": (data.get("location") or draft.location or "").strip(),
    }


def hazard_draft_confirm(*, actor: Any, draft: HazardDraft, data: Mapping[str, Any]) -> Hazard:
    """Record a failed item's hazard in the ledger, as the inspector confirmed or edited it.

    Steps: check the actor may confirm this draft (``NotAllowed``); validate the grade (a
    grade other than the checklist's needs a reason: ``Invalid``); claim the draft with a
    conditional update (a second confirmation finds it taken: ``InspectionError``); call
    ``hazard_record`` with the grade, the basis citing the clause, the source and the item's
    photos as evidence; link the hazard, write the audit entry (the override, if any, in it)
    and the inspection's ``draft_confirm`` event. All in one transaction, the caller's if it
    has one. Validation errors from the ledger (e.g. missing interim measures for a major
    hazard) pass through unchanged.
    """
    inspection = draft.inspection
    if not HAZARD_DRAFT_POLICY.user_has_permission_for_instance(actor, "confirm", draft):
        raise NotAllowed
    if inspection.status != InspectionStatus.SUBMITTED:
        raise InspectionError
    values = _draft_values(draft, data)
    basis = hazard_basis(
        draft=draft, grade=values["grade"], override_reason=values["override_reason"]
    )
    found_on = timezone.localdate(inspection.submitted_at or timezone.now())
    # The ledger's evidence keeps each photo's own name (the one it had on the phone).
    photos = [
        ContentFile(photo.file.open("rb").read(), name=photo.download_name)
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
                # Callers without a place (the page requires one) get the site's name: the
                # checklist's section is not a place at the site.
                "location": values["location"] or inspection.site.name,
                "description": values["description"],
                "category": values["category"],
                "grade": values["grade"],
                "grade_basis": basis,
                "source": hazard_source_for(inspection.kind),
                "found_on": found_on,
                "found_by_name": inspection.submitted_by_name,
                "interim_measures": list(data.get("interim_measures") or []),
                "interim_note": data.get("interim_note") or "",
                # A regulator's deadline at the inspection (None: the grade's default).
                "deadline": data.get("deadline"),
            },
            files=photos[:10],
        )
        HazardDraft.objects.filter(pk=draft.pk).update(hazard=hazard)
        key = f"drafts.{draft.pk}"
        changes: dict[str, list[Any]] = {
            f"{key}.status": [DraftStatus.DRAFT, DraftStatus.RECORDED],
            f"{key}.hazard_id": [None, hazard.pk],
            **{
                f"{key}.{field}": [getattr(draft, field), values[field]]
                for field in ("grade", "category", "description", "location")
                if getattr(draft, field) != values[field]
            },
        }
        inspection_event_write(
            inspection=inspection, action="draft_confirm", actor=actor, changes=changes
        )
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
    """Decide that a failed item is not a hazard after all (the reason is kept).

    Writes the audit entry and the inspection's ``draft_dismiss`` event. Raises
    ``NotAllowed`` when the actor may not decide this draft, ``Invalid`` without a reason and
    ``InspectionError`` when the draft was already decided.
    """
    if not HAZARD_DRAFT_POLICY.user_has_permission_for_instance(actor, "confirm", draft):
        raise NotAllowed
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": [_("Say why this failed item is not a hazard.")]})
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
        inspection_event_write(
            inspection=draft.inspection,
            action="draft_dismiss",
            actor=actor,
            changes={f"drafts.{draft.pk}.status": [DraftStatus.DRAFT, DraftStatus.DISMISSED]},
        )
    draft.refresh_from_db()
    return draft


RECHECK_ACTIONS: dict[str, str] = {
    RecheckOutcome.ACCEPT: HazardAction.ACCEPT,
    RecheckOutcome.REJECT: HazardAction.REJECT,
}


def recheck_decide(
    *,
    actor: Any,
    inspection: Inspection,
    hazard: Hazard,
    outcome: str,
    expected_version: int,
    comment: str = "",
) -> RecheckDecision:
    """Accept or reject a hazard's rectification during a re-check inspection.

    ``expected_version`` is the hazard's version when the inspector's page showed it: if the
    hazard changed since (another decision, a new submission), the ledger refuses the stale
    decision as a conflict and nothing is written. The move goes through the ledger's state
    machine (``hazard_transition``, inside this transaction), which checks the actor's role,
    side and scope and the hazard's status; its errors pass through. The decision is kept on
    the inspection, with the audit entry and the inspection's ``recheck_decide`` event.
    Raises ``NotAllowed`` when the actor may not conduct the inspection, ``InspectionError``
    when it is not a re-check in progress or the hazard is not open at its site, ``Invalid``
    for an outcome other than accept or reject.
    """
    _check_may_conduct(actor=actor, inspection=inspection)
    if not inspection.is_recheck or inspection.status != InspectionStatus.IN_PROGRESS:
        raise InspectionError
    if hazard.site_id != inspection.site_id or hazard.status not in OPEN_STATUSES:
        raise InspectionError(_("This hazard is not open at the inspected site."))
    if outcome not in RECHECK_ACTIONS:
        raise Invalid({"outcome": [_("Choose accept or reject.")]})
    with transaction.atomic():
        hazard_transition(
            hazard=hazard,
            action=RECHECK_ACTIONS[outcome],
            actor=actor,
            expected_version=expected_version,
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
        inspection_event_write(
            inspection=inspection,
            action="recheck_decide",
            actor=actor,
            changes={f"recheck_decisions.{hazard.pk}": [None, outcome]},
        )
    return decision


def recheck_finish(*, actor: Any, inspection: Inspection) -> Inspection:
    """Close a re-check inspection (its decisions are already applied).

    A conditional update submits it once; the audit entry and the ``submit`` event (with the
    day the site was inspected, which the risks app counts as a regulator's visit) are
    written with it. Raises ``InspectionError`` for an inspection that is not a re-check in
    progress and ``NotAllowed`` when the actor may not conduct it.
    """
    if not inspection.is_recheck:
        raise InspectionError
    _check_may_conduct(actor=actor, inspection=inspection)
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
        finished_before = inspection.finished_at
        inspection.refresh_from_db()
        audit_record(
            actor=actor,
            action="inspections.inspection.submit",
            obj=inspection,
            after={"status": InspectionStatus.SUBMITTED},
        )
        inspection_event_write(
            inspection=inspection,
            action="submit",
            actor=actor,
            changes={
                "status": [InspectionStatus.IN_PROGRESS, InspectionStatus.SUBMITTED],
                "submitted_at": [None, now],
                "finished_at": [finished_before, now],
            },
            inspected_on=timezone.localdate(now),
        )
    return inspection
