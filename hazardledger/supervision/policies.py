"""Permission policies of the supervision app (``SupervisionConfig.ready``).

A rectification order follows its site's scope: regulators see the orders in their region and
sectors, an enterprise the orders naming its own sites (read-only). Only an inspector in scope
issues one (``add``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hazardledger.access.policy import ALL_ROLES, TENANT_SCOPE, ModelPolicy, is_unrestricted
from hazardledger.accounts.choices import OrganisationKind, Role

ORDER_POLICY = ModelPolicy(
    "supervision.RectificationOrder",
    scope=TENANT_SCOPE,
    permissions={
        "view": ALL_ROLES,
        "add": frozenset({Role.INSPECTOR}),
    },
)


class ListingPolicy(ModelPolicy):
    """Supervision listings follow their hazard's scope. A proposal and its refusal stay
    between the regulators: an enterprise sees the listings of its own hazards once published
    (listed or delisted), read-only. A sector department's inspector proposes (in its region
    and sectors); the safety committee office confirms, refuses and delists."""

    def scope_q(self, user: Any) -> Q | None:
        q = super().scope_q(user)
        if q is None or is_unrestricted(user):
            return q
        org = getattr(user, "organisation", None)
        if org is not None and org.kind == OrganisationKind.ENTERPRISE:
            return q & Q(status__in=LISTING_PUBLISHED)
        return q


# Statuses of a listing the public of its scope (the enterprise) may see.
LISTING_PUBLISHED = ("listed", "delisted")

LISTING_POLICY = ListingPolicy(
    "supervision.Listing",
    scope=TENANT_SCOPE,
    permissions={
        "view": ALL_ROLES,
        "export": ALL_ROLES - {Role.ENTERPRISE_WORKER},
        "propose": frozenset({Role.INSPECTOR, Role.OFFICE}),
        "confirm": frozenset({Role.OFFICE}),
        "refuse": frozenset({Role.OFFICE}),
        "delist": frozenset({Role.OFFICE}),
    },
)

POLICIES = [
    ORDER_POLICY,
    LISTING_POLICY,
]
