"""Outbox handlers of the responsibility app (registered in ``ResponsibilityConfig.ready``).

- ``responsibility.escalation_sync`` (``hazards.hazard.*``): a hazard recorded, or an event
  that changed its status, deadline, review due date, grade or sector, brings the hazard's
  escalation row up to date (its track, next step and due date). Idempotent.
- ``responsibility.listing_acted`` (``supervision.listing.propose`` and ``.confirm``): a
  listing proposed or confirmed by a body marks that level's first action on the steps that
  reached it. Idempotent (only steps without an action are marked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hazardledger.core.models import OutboxEvent


def escalation_sync_handler(event: OutboxEvent) -> None:
    from .services.escalation import TRACKED_FIELDS, escalation_sync

    changes = (event.data or {}).get("changes") or {}
    if event.topic != "hazards.hazard.record" and not TRACKED_FIELDS & set(changes):
        return
    escalation_sync(hazard_id=int(event.object_id))


def listing_acted_handler(event: OutboxEvent) -> None:
    from hazardledger.accounts.models import User

    from .choices import ActionKind
    from .services.actions import level_acted

    hazard_id = (event.data or {}).get("hazard_id")
    actor = (
        User.objects.select_related("organisation").filter(pk=event.actor_id).first()
        if event.actor_id
        else None
    )
    if not hazard_id or actor is None or actor.organisation is None:
        return
    level_acted(
        hazard_id=int(hazard_id),
        region_code=actor.organisation.region_id,
        kind=ActionKind.LISTING,
        by_name=f"{actor.organisation.name} · {actor.display_name}",
        at=event.created_at,
    )


def register() -> None:
    from hazardledger.core.outbox import register_handler

    register_handler(
        name="responsibility.escalation_sync",
        topics=["hazards.hazard.*"],
        func=escalation_sync_handler,
    )
    register_handler(
        name="responsibility.listing_acted",
        topics=["supervision.listing.propose", "supervision.listing.confirm"],
        func=listing_acted_handler,
    )
