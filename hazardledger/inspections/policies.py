"""Permission policies of inspections, checklists and draws (``InspectionsConfig.ready``).

Enterprises inspect their own sites (self-inspection); the supervising side inspects in its
scope. Which kinds each side runs is ``INSPECTION_POLICY.kinds_for(user)``, and conducting an
inspection (or confirming its drafts) is narrowed to those kinds, for administrators too: an
administrator inspects as a regulator, never as the enterprise.

Draws are published to the supervising side of their region, in their sectors: a user limited
to some sectors sees a draw when it covers none but theirs (``DrawPolicy``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hazardledger.access.policy import (
    ALL_ROLES,
    ENTERPRISE_MANAGERS,
    REGULATORS,
    TENANT_SCOPE,
    ModelPolicy,
    ScopeSpec,
    is_unrestricted,
)
from hazardledger.access.scope import user_sector_codes
from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.regions.selectors import under_region

from .choices import ENTERPRISE_KINDS, REGULATORY_KINDS

INSPECTORS = REGULATORS | ENTERPRISE_MANAGERS | {Role.GRID_WORKER}
DRAWERS = frozenset({Role.INSPECTOR, Role.OFFICE, Role.ADMINISTRATOR})


class InspectionPolicy(ModelPolicy):
    """Adds which kinds of inspection a user may run, and narrows ``kind_actions`` to them.

    ``kind_field`` is where the model keeps the inspection's kind (``kind`` on an inspection,
    ``inspection__kind`` on a hazard draft).
    """

    def __init__(
        self,
        *args: Any,
        kind_field: str = "kind",
        kind_actions: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind_field = kind_field
        self.kind_actions = kind_actions

    def kinds_for(self, user: Any) -> list[str]:
        """The inspection kinds ``user`` may run: enterprises inspect themselves; everyone else
        inspects as a regulator (a township's grid worker and an administrator included)."""
        org = getattr(user, "organisation", None)
        if org is not None and org.kind == OrganisationKind.ENTERPRISE:
            return [k.value for k in ENTERPRISE_KINDS]
        return [k.value for k in REGULATORY_KINDS]

    def kind_q(self, user: Any) -> Q:
        """The rows whose inspection is of a kind ``user`` runs."""
        return Q(**{f"{self.kind_field}__in": self.kinds_for(user)})

    def instance_q(self, user: Any, action: str) -> Q | None:
        return self.kind_q(user) if action in self.kind_actions else Q()

    def instances_user_has_permission_for(
        self, user: Any, action: str, queryset: QuerySet[Any] | None = None
    ) -> QuerySet[Any]:
        qs = super().instances_user_has_permission_for(user, action, queryset)
        if action in self.kind_actions and is_unrestricted(user):
            # The base lets administrators past ``instance_q``; the kind still binds them.
            qs = qs.filter(self.kind_q(user))
        return qs


class DrawPolicy(ModelPolicy):
    """Draws are seen in their region by the supervising side, and by a user limited to some
    sectors only when every sector of the draw is one of theirs (a draw keeps its sectors in
    ``Draw.sectors``). Enterprises see none."""

    def scope_q(self, user: Any) -> Q | None:
        if is_unrestricted(user):
            return Q()
        org = getattr(user, "organisation", None)
        if org is None or org.kind == OrganisationKind.ENTERPRISE:
            return None
        q = under_region("region", org.region_id)
        sectors = user_sector_codes(user)
        if sectors is not None:
            q &= ~Q(pk__in=self._draws_with_a_sector_outside(sorted(sectors)))
        return q

    def _draws_with_a_sector_outside(self, sectors: list[str]) -> QuerySet[Any]:
        through = self.model._meta.get_field("sectors").remote_field.through  # type: ignore[union-attr]
        return through.objects.exclude(sector_id__in=sectors).values("draw_id")

    def users_with_permission_for_instance(self, action: str, obj: Any) -> QuerySet[Any]:
        """Active users of the supervising side whose organisation covers the draw's region
        and every one of its sectors, with the role ``action`` needs, plus administrators."""
        from hazardledger.accounts.models import Organisation, User

        region = str(obj.region_id)
        ancestors = [region[:n] for n in (2, 4, 6, 9, 12) if len(region) >= n]
        covering = (
            Q(organisation__region_id__in=ancestors)
            & ~Q(organisation__kind=OrganisationKind.ENTERPRISE)
            & Q(role__in=self.roles_for(action))
        )
        through = Organisation.sectors.through
        for sector in obj.sectors.values_list("code", flat=True):
            covering &= Q(organisation__all_sectors=True) | Q(
                organisation_id__in=through.objects.filter(sector_id=sector).values(
                    "organisation_id"
                )
            )
        admins = Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True)
        return User.objects.filter(is_active=True).filter(covering | admins).distinct()


INSPECTION_POLICY = InspectionPolicy(
    "inspections.Inspection",
    scope=TENANT_SCOPE,
    permissions={"view": ALL_ROLES, "add": INSPECTORS, "conduct": INSPECTORS},
    kind_actions=frozenset({"conduct"}),
)

HAZARD_DRAFT_POLICY = InspectionPolicy(
    "inspections.HazardDraft",
    scope=TENANT_SCOPE,
    permissions={"view": ALL_ROLES, "confirm": INSPECTORS},
    kind_field="inspection__kind",
    kind_actions=frozenset({"confirm"}),
)

DRAW_POLICY = DrawPolicy(
    "inspections.Draw",
    # Region only: the sectors are a list (``Draw.sectors``), which ``scope_q`` handles.
    scope=ScopeSpec(region="region", sector=None, organisation=None),
    permissions={
        "view": REGULATORS | {Role.GRID_WORKER, Role.LEADER},
        "add": DRAWERS,
        "perform": DRAWERS,
    },
)

POLICIES = [
    INSPECTION_POLICY,
    HAZARD_DRAFT_POLICY,
    ModelPolicy("inspections.ItemResult", scope=TENANT_SCOPE, permissions={"view": ALL_ROLES}),
    ModelPolicy("inspections.RecheckDecision", scope=TENANT_SCOPE, permissions={"view": ALL_ROLES}),
    # Checklists are reference data: everyone reads them, administrators load new versions.
    ModelPolicy(
        "inspections.Checklist",
        scope=None,
        permissions={"view": ALL_ROLES, "add": frozenset({Role.ADMINISTRATOR})},
    ),
    DRAW_POLICY,
]
