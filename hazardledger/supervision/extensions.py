"""What supervision adds to shared pages (``core.extensions``): the rectification orders
naming a hazard, on the hazard page, and the orders issued for a site, on the site page."""

from __future__ import annotations

from typing import Any

from hazardledger.core.extensions import Panel, register_panel


def _awaiting(request: Any, **lookup: Any) -> list[Any]:
    """The inspections matching ``lookup`` from which the user may issue an order now."""
    from hazardledger.access.scope import user_can

    from .models import RectificationOrder
    from .selectors import inspections_awaiting_order

    if not user_can(request.user, RectificationOrder, "add"):
        return []
    return list(inspections_awaiting_order(user=request.user).filter(**lookup)[:5])


def _hazard_orders(request: Any, hazard: Any) -> dict[str, Any] | None:
    from .selectors import order_list

    orders = list(order_list(fetched_by=request.user).filter(items__hazard=hazard))
    awaiting = _awaiting(request, drafts__hazard=hazard)
    if not orders and not awaiting:
        return None
    return {"orders": orders, "awaiting": awaiting}


def _site_orders(request: Any, site: Any) -> dict[str, Any] | None:
    from .selectors import order_list

    orders = list(order_list(fetched_by=request.user).filter(site=site)[:10])
    awaiting = _awaiting(request, site=site)
    if not orders and not awaiting:
        return None
    return {"orders": orders, "awaiting": awaiting}


def _hazard_listings(request: Any, hazard: Any) -> dict[str, Any] | None:
    """The hazard's listings the viewer may see, and whether they may propose (or, as an
    office, list) it now; None for a general hazard never listed."""
    from hazardledger.hazards.choices import FINAL_STATUSES, HazardGrade
    from hazardledger.hazards.deadlines import local_today

    from .policies import LISTING_POLICY
    from .selectors import hazard_listings
    from .services.listings import office_listing_level

    user, today = request.user, local_today()
    listings = hazard_listings(fetched_by=user, hazard=hazard)
    for listing in listings:
        listing.left = listing.days_left(today)  # type: ignore[attr-defined]  # template only
    can_propose = (
        hazard.grade == HazardGrade.MAJOR
        and hazard.status not in FINAL_STATUSES
        and not any(listing.is_active for listing in listings)
        and LISTING_POLICY.user_has_permission(user, "propose")
    )
    if not listings and not can_propose:
        return None
    direct = LISTING_POLICY.user_has_permission(user, "confirm") and bool(
        office_listing_level(getattr(user, "organisation", None))
    )
    return {"hazard": hazard, "listings": listings, "can_propose": can_propose, "direct": direct}


def _site_listings(request: Any, site: Any) -> dict[str, Any] | None:
    """The site's hazards listed for supervision now, in the viewer's scope."""
    from .selectors import listings_in_force

    listings = list(listings_in_force(fetched_by=request.user).filter(hazard__site_id=site.pk))
    return {"listings": listings} if listings else None


def _listed(user: Any) -> Any:
    from .selectors import listed_hazards

    return listed_hazards(user=user)


def _proposed(user: Any) -> Any:
    from .selectors import hazards_with_listing_proposed

    return hazards_with_listing_proposed(user=user)


def _register_listings() -> None:
    from django.utils.translation import gettext_lazy as _

    from hazardledger.core.extensions import QueueSection, register_queue_section

    register_panel(
        Panel(
            name="listings",
            page="hazard",
            template="supervision/partials/_hazard_listing.html",
            context=_hazard_listings,
            order=30,
        )
    )
    register_panel(
        Panel(
            name="listings",
            page="site",
            template="supervision/partials/_site_listings.html",
            context=_site_listings,
            order=35,
        )
    )
    register_queue_section(
        QueueSection(
            name="listing_proposals",
            title=_("Listing proposals to decide"),
            queryset=_proposed,
            order=45,
        )
    )
    register_queue_section(
        QueueSection(name="listed", title=_("Listed for supervision"), queryset=_listed, order=55)
    )


def register() -> None:
    from hazardledger.core.extensions import DemoStep, register_demo_step

    from .demo import demo_clear, demo_step

    _register_listings()
    register_demo_step(
        DemoStep(
            name="supervision",
            run=demo_step,
            order=40,
            after=("hazards", "inspections"),
            clear=demo_clear,
        )
    )
    register_panel(
        Panel(
            name="orders",
            page="hazard",
            template="supervision/partials/_hazard_orders.html",
            context=_hazard_orders,
            order=40,
        )
    )
    register_panel(
        Panel(
            name="orders",
            page="site",
            template="supervision/partials/_site_orders.html",
            context=_site_orders,
            order=40,
        )
    )
