"""Permission policies of inspections, checklists and draws (``InspectionsConfig.ready``).

Enterprises inspect their own sites (self-inspection); the supervising side inspects in its
scope. Which kinds each side runs is ``INSPECTION_POLICY.kinds_for(user)``.
"""

from __future__ import annotations

from typing import Any

from hazardledger.access.policy import (
    ALL_ROLES,
    ENTERPRISE_MANAGERS,
    REGULATORS,
    TENANT_SCOPE,
    ModelPolicy,
    ScopeSpec,
)
from hazardledger.accounts.choices import OrganisationKind, Role

from .choices import ENTERPRISE_KINDS, REGULATORY_KINDS

INSPECTORS = REGULATORS | ENTERPRISE_MANAGERS | {Role.GRID_WORKER}
DRAWERS = frozenset({Role.INSPECTOR, Role.OFFICE, Role.ADMINISTRATOR})


class InspectionPolicy(ModelPolicy):
    """Adds which kinds of inspection a user may run."""

    def kinds_for(self, user: Any) -> list[str]:
        """Enterprises inspect themselves; everyone else inspects as a regulator (a township's
        grid worker included)."""
        org = getattr(user, "organisation", None)
        if org is not None and org.kind == OrganisationKind.ENTERPRISE:
            return [k.value for k in ENTERPRISE_KINDS]
        return [k.value for k in REGULATORY_KINDS]


INSPECTION_POLICY = InspectionPolicy(
    "inspections.Inspection",
    scope=TENANT_SCOPE,
    permissions={"view": ALL_ROLES, "add": INSPECTORS, "conduct": INSPECTORS},
)

POLICIES = [
    INSPECTION_POLICY,
    ModelPolicy("inspections.ItemResult", scope=TENANT_SCOPE, permissions={"view": ALL_ROLES}),
    ModelPolicy(
        "inspections.HazardDraft",
        scope=TENANT_SCOPE,
        permissions={"view": ALL_ROLES, "confirm": INSPECTORS},
    ),
    ModelPolicy("inspections.RecheckDecision", scope=TENANT_SCOPE, permissions={"view": ALL_ROLES}),
    # Checklists are reference data: everyone reads them, administrators load new versions.
    ModelPolicy(
        "inspections.Checklist",
        scope=None,
        permissions={"view": ALL_ROLES, "add": frozenset({Role.ADMINISTRATOR})},
    ),
    # Draws are published to the supervising side of their region; enterprises do not see them.
    ModelPolicy(
        "inspections.Draw",
        scope=ScopeSpec(region="region", sector="sector", organisation=None),
        permissions={
            "view": REGULATORS | {Role.GRID_WORKER, Role.LEADER},
            "add": DRAWERS,
            "perform": DRAWERS,
        },
    ),
]
