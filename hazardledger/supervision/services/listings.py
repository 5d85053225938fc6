"""Supervision listings (挂牌督办, domain.md 4.5): proposing, confirming, refusing, delisting.

A sector department's inspector proposes a major hazard for listing; the safety committee
office of a province, city or county confirms (which lists it) or refuses. The office may also
list a hazard directly (``listing_create``: its own proposal, confirmed at once). The hazard
itself changes only through the workflow's actions: ``list`` on confirmation (the required
completion date becomes its deadline, the production stop and the level are recorded on it)
and ``delist`` once it is closed; both appear in its verified history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardledger.access.scope import restrict
from hazardledger.audit.services import record
from hazardledger.core.errors import Invalid, InvalidTransition, NotAllowed, NotFound
from hazardledger.core.outbox import outbox_write
from hazardledger.hazards import workflow
from hazardledger.hazards.choices import (
    FINAL_STATUSES,
    HazardGrade,
    HazardStatus,
    ListingLevel,
    ProductionStop,
)
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard
from hazardledger.regions.choices import LEVEL_BY_CODE_LENGTH, RegionLevel

from ..models import Listing
from ..policies import LISTING_POLICY

__all__ = [
    "ListingProposal",
    "listing_confirm",
    "listing_create",
    "listing_delist",
    "listing_propose",
    "listing_refuse",
    "office_listing_level",
]

# The divisions whose safety committee offices list hazards, and the level each gives.
LISTING_LEVELS = {
    RegionLevel.PROVINCE: ListingLevel.PROVINCE,
    RegionLevel.CITY: ListingLevel.CITY,
    RegionLevel.COUNTY: ListingLevel.COUNTY,
}


@dataclass(frozen=True)
class ListingProposal:
    """What a proposal (or an office's direct listing) says: the required completion date,
    the production stop, the officials responsible (``{"name", "post"}``) and the grounds."""

    required_by: date
    stop: str
    officials: tuple[Mapping[str, str], ...]
    grounds: str


def office_listing_level(organisation: Any) -> str | None:
    """The listing level of ``organisation``'s division (province, city or county), or None
    for an organisation that cannot list (a township's, or none)."""
    if organisation is None:
        return None
    level = LEVEL_BY_CODE_LENGTH.get(len(str(organisation.region_id)))
    return LISTING_LEVELS.get(level) if level else None


def _clean_officials(officials: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    cleaned = []
    for official in officials:
        name = str(official.get("name") or "").strip()
        post = str(official.get("post") or "").strip()
        if name:
            cleaned.append({"name": name[:100], "post": post[:100]})
    if not cleaned:
        raise Invalid({"officials": [_("Name at least one official responsible.")]})
    return cleaned


def _check_proposal(proposal: ListingProposal, today: date) -> list[dict[str, str]]:
    if proposal.required_by < today:
        raise Invalid({"required_by": [_("The required completion date cannot be in the past.")]})
    if proposal.stop not in ProductionStop.values:
        raise Invalid({"stop": [_("Choose how production is stopped.")]})
    if not proposal.grounds.strip():
        raise Invalid({"grounds": [_("Give the grounds for listing.")]})
    return _clean_officials(proposal.officials)


def _check_document_number(value: str, field: str = "document_number") -> str:
    number = (value or "").strip()
    if not number:
        raise Invalid({field: [_("Enter the document number.")]})
    if len(number) > 60:
        raise Invalid({field: [_("At most 60 characters.")]})
    return number


def _visible_listing(*, actor: Any, listing: Listing, action: str) -> Listing:
    """The listing locked and re-read, if ``actor`` may see it and take ``action`` by role.

    Raises ``NotFound`` out of scope and ``NotAllowed`` when the role may not."""
    found = (
        restrict(Listing.objects.filter(pk=listing.pk), actor, "view").select_for_update().first()
    )
    if found is None:
        raise NotFound
    if not LISTING_POLICY.user_has_permission(actor, action):
        raise NotAllowed
    return found


def _record(*, actor: Any, listing: Listing, action: str, at: Any) -> None:
    data = {
        "hazard_id": listing.hazard_id,
        "status": listing.status,
        "level": listing.level,
        "document_number": listing.document_number,
        "required_by": listing.required_by.isoformat(),
        "stop": listing.stop,
    }
    record(actor=actor, action=f"supervision.listing.{action}", obj=listing, data=data, at=at)
    outbox_write(topic=f"supervision.listing.{action}", obj=listing, actor=actor, data=data, at=at)


def listing_propose(*, actor: Any, hazard: Hazard, proposal: ListingProposal) -> Listing:
    """Propose ``hazard`` for listing, for ``actor`` (an inspector or an office in scope).

    Raises ``NotFound`` when the hazard is outside the actor's scope (a department's scope is
    its region and sectors), ``NotAllowed`` when the role may not propose, ``InvalidTransition``
    when the hazard is not an open major hazard or already has a listing proposed or in force,
    and ``Invalid`` (per field) for the proposal. Writes the listing, an audit entry and the
    outbox event ``supervision.listing.propose``; the hazard itself does not change.
    """
    if not LISTING_POLICY.user_has_permission(actor, "propose"):
        raise NotAllowed
    with transaction.atomic():
        current = restrict(Hazard.objects.filter(pk=hazard.pk), actor, "view").first()
        if current is None:
            raise NotFound
        if current.grade != HazardGrade.MAJOR or current.status in FINAL_STATUSES:
            raise InvalidTransition(_("Only an open major hazard can be listed for supervision."))
        if Listing.objects.filter(
            hazard=current, status__in=[Listing.Status.PROPOSED, Listing.Status.LISTED]
        ).exists():
            raise InvalidTransition(_("This hazard is already proposed or listed."))
        now = timezone.now()
        officials = _check_proposal(proposal, local_today(now))
        organisation = actor.organisation
        listing = Listing(
            hazard=current,
            required_by=proposal.required_by,
            stop=proposal.stop,
            officials=officials,
            grounds=proposal.grounds.strip(),
            proposing_body=organisation,
            proposing_body_name=organisation.name,
            proposed_by=actor,
            proposed_by_name=actor.get_full_name() or actor.username,
            proposed_at=now,
        )
        listing.region_id = current.region_id
        listing.sector_id = current.sector_id
        listing.organisation_id = current.organisation_id
        listing.full_clean(exclude=["hazard", "proposing_body"])
        listing.save()
        _record(actor=actor, listing=listing, action="propose", at=now)
    return listing


def listing_confirm(
    *,
    actor: Any,
    listing: Listing,
    document_number: str,
    required_by: date | None = None,
    stop: str | None = None,
) -> Listing:
    """Confirm a proposed listing for ``actor``'s safety committee office, which becomes the
    listing body; the level follows the office's division. ``required_by`` and ``stop`` may
    revise the proposal's.

    Steps, in one transaction: lock the listing (``NotFound`` out of scope, ``NotAllowed`` for
    a role other than the office, or an office below county level; ``InvalidTransition`` when
    it is no longer proposed); mark it listed; then the hazard's ``list`` action, which moves
    its deadline to the required completion date and records the listing in its history (the
    workflow refuses a hazard that is no longer open and major, or an office out of scope).
    Writes an audit entry and the outbox event ``supervision.listing.confirm``.
    """
    number = _check_document_number(document_number)
    with transaction.atomic():
        current = _visible_listing(actor=actor, listing=listing, action="confirm")
        level = office_listing_level(actor.organisation)
        if level is None:
            raise NotAllowed(_("Only an office of a province, city or county lists hazards."))
        if current.status != Listing.Status.PROPOSED:
            raise InvalidTransition(_("This listing is no longer a proposal."))
        now = timezone.now()
        if required_by is not None:
            current.required_by = required_by
        if stop is not None:
            current.stop = stop
        _check_proposal(
            ListingProposal(
                required_by=current.required_by,
                stop=current.stop,
                officials=tuple(current.officials),
                grounds=current.grounds,
            ),
            local_today(now),
        )
        organisation = actor.organisation
        current.status = Listing.Status.LISTED
        current.level = level
        current.body = organisation
        current.body_name = organisation.name
        current.document_number = number
        current.decided_by = actor
        current.decided_by_name = actor.get_full_name() or actor.username
        current.decided_at = now
        current.save()
        hazard = Hazard.objects.get(pk=current.hazard_id)
        workflow.hazard_transition(
            hazard=hazard,
            action="list",
            actor=actor,
            expected_version=hazard.version,
            data=workflow.ListInput(
                listing_id=current.pk,
                level=level,
                body=current.body_name,
                document_number=number,
                required_by=current.required_by,
                stop=current.stop,
            ),
        )
        _record(actor=actor, listing=current, action="confirm", at=now)
    return current


def listing_create(
    *, actor: Any, hazard: Hazard, proposal: ListingProposal, document_number: str
) -> Listing:
    """An office lists ``hazard`` on its own initiative: its proposal, confirmed at once by
    the same office (both steps are in the record). Raises what ``listing_propose`` and
    ``listing_confirm`` raise; nothing is written unless both succeed."""
    _check_document_number(document_number)
    if not LISTING_POLICY.user_has_permission(actor, "confirm"):
        raise NotAllowed
    with transaction.atomic():
        listing = listing_propose(actor=actor, hazard=hazard, proposal=proposal)
        return listing_confirm(actor=actor, listing=listing, document_number=document_number)


def listing_refuse(*, actor: Any, listing: Listing, reason: str) -> Listing:
    """The office refuses a proposal, with ``reason``; the hazard does not change.

    Raises ``NotFound`` out of scope, ``NotAllowed`` for another role, ``InvalidTransition``
    when it is no longer proposed and ``Invalid`` without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": [_("Give the reason for refusing.")]})
    with transaction.atomic():
        current = _visible_listing(actor=actor, listing=listing, action="refuse")
        if current.status != Listing.Status.PROPOSED:
            raise InvalidTransition(_("This listing is no longer a proposal."))
        now = timezone.now()
        current.status = Listing.Status.REFUSED
        current.refusal_reason = reason[:2000]
        current.decided_by = actor
        current.decided_by_name = actor.get_full_name() or actor.username
        current.decided_at = now
        current.save()
        _record(actor=actor, listing=current, action="refuse", at=now)
    return current


def listing_delist(*, actor: Any, listing: Listing, document_number: str) -> Listing:
    """Delist (摘牌) a listed hazard once it is closed; only its listing body does.

    Raises ``NotFound`` out of scope; ``NotAllowed`` for another role or another office than
    the listing body; ``InvalidTransition`` when the listing is not in force or the hazard is
    not closed; ``Invalid`` without a document number. In one transaction: the listing is
    marked delisted and the hazard's ``delist`` action records it in the hazard's history.
    """
    number = _check_document_number(document_number, "delist_document_number")
    with transaction.atomic():
        current = _visible_listing(actor=actor, listing=listing, action="delist")
        if current.body_id != getattr(actor, "organisation_id", None):
            raise NotAllowed(_("Only the listing body delists a hazard."))
        if current.status != Listing.Status.LISTED:
            raise InvalidTransition(_("This hazard is not listed."))
        hazard = Hazard.objects.get(pk=current.hazard_id)
        if hazard.status != HazardStatus.CLOSED:
            raise InvalidTransition(_("A hazard is delisted only after it is closed."))
        now = timezone.now()
        current.status = Listing.Status.DELISTED
        current.delist_document_number = number
        current.delisted_by = actor
        current.delisted_by_name = actor.get_full_name() or actor.username
        current.delisted_at = now
        current.save()
        workflow.hazard_transition(
            hazard=hazard,
            action="delist",
            actor=actor,
            expected_version=hazard.version,
            data=workflow.DelistInput(listing_id=current.pk, document_number=number),
        )
        _record(actor=actor, listing=current, action="delist", at=now)
    return current
