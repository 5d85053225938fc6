"""Reads of the supervision app, narrowed to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from hazardledger.access.scope import restrict
from hazardledger.hazards.choices import OPEN_STATUSES, ListingLevel
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.selectors import hazard_list
from hazardledger.inspections.choices import REGULATORY_KINDS, InspectionStatus
from hazardledger.inspections.models import Inspection
from hazardledger.inspections.selectors import inspection_list

from .models import Listing, RectificationOrder
from .policies import LISTING_POLICY


def order_list(*, fetched_by: Any) -> QuerySet[RectificationOrder]:
    """The rectification orders ``fetched_by`` may see (their scope; an enterprise its own),
    newest first."""
    return restrict(RectificationOrder.objects.all(), fetched_by, "view").select_related("site")


def inspections_awaiting_order(*, user: Any) -> QuerySet[Inspection]:
    """Submitted regulatory inspections in ``user``'s scope that recorded open hazards and
    from which no rectification order has been issued yet, newest first: where an inspector
    issues the next order."""
    issued = RectificationOrder.objects.filter(inspection=OuterRef("pk"))
    return (
        inspection_list(user=user)
        .filter(
            kind__in=REGULATORY_KINDS,
            status=InspectionStatus.SUBMITTED,
            drafts__hazard__status__in=OPEN_STATUSES,
        )
        .exclude(Exists(issued))
        .distinct()
        .order_by("-submitted_at", "-id")
    )


# --- supervision listings -------------------------------------------------------------------


def listing_list(*, fetched_by: Any, action: str = "view") -> QuerySet[Listing]:
    """The supervision listings ``fetched_by`` may ``action`` (their scope; an enterprise
    only the published listings of its own hazards), soonest required date first."""
    qs = Listing.objects.select_related(
        "hazard", "hazard__site", "region", "sector", "organisation"
    )
    return restrict(qs, fetched_by, action).order_by("required_by", "id")


def listings_in_force(*, fetched_by: Any, level: str = "") -> QuerySet[Listing]:
    """The listings in force (listed, not yet delisted) ``fetched_by`` may see, of ``level``
    when given: the published list of listed hazards."""
    qs = listing_list(fetched_by=fetched_by).filter(status=Listing.Status.LISTED)
    return qs.filter(level=level) if level else qs


def listing_level_counts(*, listings: QuerySet[Listing]) -> dict[str, int]:
    """How many of ``listings`` there are per level (one query), every level present."""
    counts = dict(
        listings.order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n")
    )
    return {level: counts.get(level, 0) for level in ListingLevel.values}


def hazard_listings(*, fetched_by: Any, hazard: Any) -> list[Listing]:
    """The listings of ``hazard`` that ``fetched_by`` may see, newest first (the hazard's
    page; the caller checked the hazard's scope)."""
    return list(
        listing_list(fetched_by=fetched_by).filter(hazard_id=hazard.pk).order_by("-proposed_at")
    )


def listed_hazards(*, user: Any) -> QuerySet[Hazard]:
    """Open hazards ``user`` may see whose listing is in force (the queue's section "listed
    for supervision")."""
    listed = listings_in_force(fetched_by=user).values("hazard_id")
    return hazard_list(user=user).filter(pk__in=listed, status__in=OPEN_STATUSES)


def hazards_with_listing_proposed(*, user: Any) -> QuerySet[Hazard] | None:
    """Hazards with a listing proposal ``user`` may confirm or refuse, or None when their role
    decides no proposals (the queue leaves the section out)."""
    if not LISTING_POLICY.user_has_permission(user, "confirm"):
        return None
    proposed = listing_list(fetched_by=user, action="confirm").filter(
        status=Listing.Status.PROPOSED
    )
    return hazard_list(user=user).filter(pk__in=proposed.values("hazard_id"))
