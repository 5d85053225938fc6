"""Outbox handlers of risk grading (registered in ``RisksConfig.ready``).

They run after the change that wrote the event has committed, in the task worker, each in its
own savepoint; they are idempotent (an event may be handled again after a crash or a retry), and
one that raises leaves the saved change alone and is retried by the outbox sweep.

- ``site_risk_refresh`` (``hazards.hazard.*``, ``risks.riskassessment.*``): the site's risk level
  is the worst current grade of its risk points, or major while it has an open major hazard, so
  it is recomputed when a major hazard changes or an assessment changes a grade.
- ``record_visit`` (``inspections.inspection.submit``): a regulator's submitted inspection is a
  visit, which schedules the site's next inspection; self-inspections do not count.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hazardledger.access.policy import policy_for
from hazardledger.access.scope import restrict
from hazardledger.accounts.models import User
from hazardledger.core.models import OutboxEvent
from hazardledger.registry.models import Site

from .choices import RiskGrade
from .constants import SELF_INSPECTION_KIND
from .models import SiteInspectionSchedule
from .services import site_inspection_record, site_risk_level_refresh


def _actor(event: OutboxEvent) -> Any:
    """The user who made the change, or None (the system, or a user since deleted)."""
    if event.actor_id is None:
        return None
    return User.objects.filter(pk=event.actor_id).select_related("organisation").first()


def _may_move_level(event: OutboxEvent) -> bool:
    """True when the event's change can move its site's risk level.

    A hazard counts only while major, so a hazard event can move the level when the hazard is
    major or was regraded from major (a move that keeps a major hazard open costs one
    recomputation that changes nothing; a general hazard's record, which lists its grade among
    its changes, none). An assessment moves it when the risk point's grade changed, or when
    the grade is major. The hazard and risk grades share the code "major".
    """
    data = event.data
    changes = data.get("changes") or {}
    grades = {data.get("grade"), *(changes.get("grade") or ())}
    if event.topic.startswith("risks.riskassessment."):
        return "grade" in changes or RiskGrade.MAJOR in grades
    return RiskGrade.MAJOR in grades


def site_risk_refresh(event: OutboxEvent) -> None:
    """Recompute the risk level of the event's site when the change can move it
    (``_may_move_level``).

    Idempotent: the level is written (and audited, as the event's actor's doing) only when it
    differs. A site deleted since is skipped.
    """
    if not _may_move_level(event):
        return
    data = event.data
    site = Site.objects.filter(pk=data.get("site_id")).first()
    if site is None:
        return
    site_risk_level_refresh(site=site, actor=_actor(event))


def record_visit(event: OutboxEvent) -> None:
    """Record a submitted inspection as a regulatory visit of its site.

    Skipped (the inspection stays submitted; there is nothing to retry) for a self-inspection,
    an event without an inspection day, an actor who may not keep the inspection schedule
    (the schedule policy's "change") or who no longer sees the site, and a day not later than
    the one already recorded, which also makes the handler idempotent.
    """
    data = event.data
    if data.get("kind") == SELF_INSPECTION_KIND or not data.get("inspected_on"):
        return
    actor = _actor(event)
    if actor is None or not policy_for(SiteInspectionSchedule).user_has_permission(actor, "change"):
        return
    site = restrict(Site.objects.filter(pk=data.get("site_id")), actor).first()
    if site is None:
        return
    inspected_on = date.fromisoformat(data["inspected_on"])
    known = (
        SiteInspectionSchedule.objects.filter(site=site)
        .values_list("last_inspected_on", flat=True)
        .first()
    )
    if known is not None and known >= inspected_on:
        return
    site_inspection_record(actor=actor, site=site, inspected_on=inspected_on)
