"""Reads of sites, always through the user's scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from hazardledger.access.scope import is_unrestricted, restrict
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.accounts.models import Organisation
from hazardledger.regions.models import Sector
from hazardledger.regions.selectors import under_region

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


def _enterprises_for(user: Any) -> tuple[QuerySet[Organisation], Q, Q]:
    """Enterprises, the filter for those registered under the user's region, and the filter for
    those the user already knows: responsible for a site the user may see. Unrestricted users
    know every enterprise."""
    enterprises = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
    if is_unrestricted(user):
        return enterprises, Q(), Q()
    known = restrict(Site.objects.all(), user, "view").values("organisation_id")
    return enterprises, under_region("region", user.organisation.region_id), Q(pk__in=known)


def enterprise_match(*, user: Any, texts: Iterable[str]) -> dict[str, Organisation]:
    """The enterprise each text names, for a site ``user`` registers: the one rule the site
    form and the sites import share.

    An enterprise the user knows (it runs a site the user may see) is named by its exact
    unified social credit code or its exact name; one registered under the user's region but
    not known yet, only by its exact credit code. Enterprises have no sectors of their own, so
    their sites say whose they are. Keys are the stripped texts; texts that name none are left
    out; when several enterprises match one text, the oldest wins. Two queries per call.
    """
    wanted = {text.strip() for text in texts} - {""}
    if not wanted:
        return {}
    enterprises, in_region, known = _enterprises_for(user)
    candidates = [
        *(
            (o.pk, o.credit_code, o)
            for o in enterprises.filter(in_region | known).filter(credit_code__in=wanted)
        ),
        *((o.pk, o.name, o) for o in enterprises.filter(known, name__in=wanted)),
    ]
    found: dict[str, Organisation] = {}
    for _pk, key, organisation in sorted(candidates, key=lambda candidate: candidate[0]):
        found.setdefault(key, organisation)
    return found


def enterprise_options(*, user: Any, text: str, limit: int = 20) -> QuerySet[Organisation]:
    """Enterprises to suggest while ``user`` types ``text`` into a site's enterprise field.

    The same rule as ``enterprise_match``, with "name contains" for "exact name": enterprises
    the user knows whose name contains the text, and the one whose credit code is exactly the
    text. An enterprise without a site in the user's scope is never listed by name, so the list
    cannot be used to enumerate enterprises outside the user's sectors.
    """
    text = text.strip()
    enterprises, in_region, known = _enterprises_for(user)
    by_code = Q(credit_code=text) & (in_region | known)
    return enterprises.filter(by_code | (Q(name__icontains=text) & known)).order_by("name")[:limit]
