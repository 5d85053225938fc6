"""Reads of sites, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from hazardledger.access.scope import restrict
from hazardledger.regions.models import Sector

from .models import Site


def site_list(*, user: Any, action: str = "view") -> QuerySet[Site]:
    """Sites the user may ``action``, with the relations every list shows."""
    qs = Site.objects.select_related("sector", "region", "organisation")
    return restrict(qs, user, action)


def site_summary(*, user: Any) -> dict[str, Any]:
    """Counts of the user's sites: total, by sector (every sector listed), by status and risk.

    Three aggregate queries; sectors with no site show 0 so the table shape never changes.
    """
    sites = restrict(Site.objects.all(), user, "view")
    by_sector = dict(sites.values_list("sector").annotate(n=Count("id")).order_by())
    by_status = dict(sites.values_list("status").annotate(n=Count("id")).order_by())
    by_risk = dict(sites.values_list("risk_level").annotate(n=Count("id")).order_by())
    return {
        "total": sum(by_sector.values()),
        "by_sector": [(sector, by_sector.get(sector.code, 0)) for sector in Sector.objects.all()],
        "by_status": by_status,
        "by_risk": by_risk,
    }
