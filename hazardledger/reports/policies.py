"""Permission policies of the reports app (registered in ``ReportsConfig.ready``).

- **Generated reports** belong to the body that asked for them: its users follow and download
  them, nobody else (an office's report shows its own scope's figures). Every supervising role
  may ask for one and open the rankings; enterprises file statistics returns instead.
- **Statistics returns** are the enterprise's (its officers prepare them, its principal signs
  and submits) and are seen by every regulator of one of its sites: the regulators whose scope
  holds one of the enterprise's sites, the same ones that list it as due to file
  (``selectors.returns_due_enterprises``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hazardledger.access.policy import (
    ENTERPRISE_MANAGERS,
    REGULATORS,
    ModelPolicy,
    ScopeSpec,
    is_unrestricted,
)
from hazardledger.accounts.choices import OrganisationKind, Role

# Everyone who supervises rather than is supervised.
SUPERVISORS = REGULATORS | {Role.LEADER, Role.GRID_WORKER}


class ReportPolicy(ModelPolicy):
    """A generated report is its requesting body's."""

    def scope_q(self, user: Any) -> Q | None:
        if is_unrestricted(user):
            return Q()
        organisation_id = getattr(user, "organisation_id", None)
        if organisation_id is None:
            return None
        return Q(organisation_id=organisation_id)

    def users_with_permission_for_instance(self, action: str, obj: Any) -> QuerySet[Any]:
        from hazardledger.accounts.models import User

        roles = self.roles_for(action)
        return User.objects.filter(is_active=True).filter(
            Q(organisation_id=obj.organisation_id, role__in=roles)
            | Q(role=Role.ADMINISTRATOR)
            | Q(is_superuser=True)
        )


REPORT_POLICY = ReportPolicy(
    "reports.GeneratedReport",
    scope=ScopeSpec(region="region", sector=None, organisation="organisation"),
    permissions={
        "view": SUPERVISORS,
        "add": SUPERVISORS,
        # The rankings page (no row of its own: the figures are the rollups').
        "rank": SUPERVISORS,
    },
)


def supervised_enterprises(user: Any) -> QuerySet[Any]:
    """The ids of the enterprises running a site in ``user``'s scope (the site policy)."""
    from hazardledger.access.scope import restrict
    from hazardledger.registry.models import Site

    return (
        restrict(Site.objects.all(), user, "view")
        .filter(organisation__isnull=False)
        .values("organisation_id")
    )


class ReturnPolicy(ModelPolicy):
    """A statistics return is seen by its enterprise and by the regulators of its sites."""

    def scope_q(self, user: Any) -> Q | None:
        if is_unrestricted(user):
            return Q()
        organisation = getattr(user, "organisation", None)
        if organisation is None:
            return None
        if organisation.kind == OrganisationKind.ENTERPRISE:
            return Q(organisation_id=organisation.pk)
        return Q(organisation_id__in=supervised_enterprises(user))

    def users_with_permission_for_instance(self, action: str, obj: Any) -> QuerySet[Any]:
        """The enterprise's users with the action's role, the regulators with it whose scope
        holds one of the enterprise's sites (the inverse of ``scope_q``: their region is one of
        the site's divisions and they cover its sector), and administrators."""
        from hazardledger.accounts.models import User
        from hazardledger.registry.models import Site

        roles = self.roles_for(action)
        covering = Q(organisation_id=obj.organisation_id)
        pairs = (
            Site.objects.filter(organisation_id=obj.organisation_id)
            .values_list("region_id", "sector_id")
            .distinct()
        )
        for region, sector in pairs:
            ancestors = [region[:n] for n in (2, 4, 6, 9, 12) if len(region) >= n]
            covering |= (
                Q(organisation__region_id__in=ancestors)
                & ~Q(organisation__kind=OrganisationKind.ENTERPRISE)
                & (Q(organisation__all_sectors=True) | Q(organisation__sectors=sector))
            )
        admins = Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True)
        return (
            User.objects.filter(is_active=True)
            .filter((covering & Q(role__in=roles)) | admins)
            .distinct()
        )


RETURN_POLICY = ReturnPolicy(
    "reports.StatisticsReturn",
    scope=ScopeSpec(region="region", sector=None, organisation="organisation"),
    permissions={
        "view": ENTERPRISE_MANAGERS | SUPERVISORS,
        "prepare": ENTERPRISE_MANAGERS,
        "sign": frozenset({Role.ENTERPRISE_PRINCIPAL}),
        # The regulator's list of who has and has not filed, and its export.
        "track": SUPERVISORS,
    },
)

POLICIES = [REPORT_POLICY, RETURN_POLICY]
