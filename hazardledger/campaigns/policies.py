"""Permission policies of campaigns and what belongs to them (``CampaignsConfig.ready``).

A campaign is seen by the supervising side of its region and below (its own level and the
levels it cascades to) and by those above its region; a level below sees a campaign issued
above it when the campaign's scope reaches its region (a province campaign for two cities is
seen in those cities, not in a third). A user limited to some sectors sees a campaign when it
covers one of them. An enterprise sees the campaigns in which it has a self-inspection task.

Tasks, counters and links copy their site's region and sector (tasks also the enterprise) and
follow the ordinary scope rule; circulars are seen by the region they were sent to and those
above it; weekly reports by the issuing level and those above it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hazardledger.access.policy import (
    ALL_ROLES,
    REGULATORS,
    TENANT_SCOPE,
    ModelPolicy,
    ScopeSpec,
    is_unrestricted,
)
from hazardledger.access.scope import user_sector_codes
from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.regions.selectors import is_under, under_region

# The supervising side: everyone but enterprises.
SUPERVISING = REGULATORS | {Role.GRID_WORKER, Role.LEADER}
# Offices issue campaigns, take them up for their region and send circulars.
OFFICES = frozenset({Role.OFFICE, Role.ADMINISTRATOR})
# Who gives tasks to people or to a draw: the bodies the tasks are for.
ASSIGNERS = frozenset({Role.OFFICE, Role.INSPECTOR, Role.GRID_WORKER, Role.ADMINISTRATOR})

REGION_ONLY = ScopeSpec(region="region", sector=None, organisation=None)
REGION_SECTOR = ScopeSpec(region="region", sector="sector", organisation=None)


def ancestors(code: str) -> list[str]:
    """The division codes above ``code`` (the province first), without ``code`` itself."""
    return [code[:n] for n in (2, 4, 6, 9) if n < len(code)]


class CampaignPolicy(ModelPolicy):
    """Scope by the campaign's level, its scope regions and sectors (see the module
    docstring); ``scope_q`` and ``users_with_permission_for_instance`` answer alike."""

    def scope_q(self, user: Any) -> Q | None:
        if is_unrestricted(user):
            return Q()
        org = getattr(user, "organisation", None)
        if org is None:
            return None
        if org.kind == OrganisationKind.ENTERPRISE:
            from .models import Task

            tasks = Task.objects.filter(organisation=org, self_due_on__isnull=False)
            return Q(pk__in=tasks.values("campaign_id")) | Q(pk__in=tasks.values("root_id"))
        region = str(org.region_id)
        through = self.model._meta.get_field("regions").remote_field.through  # type: ignore[union-attr]
        reaching = through.objects.filter(
            Q(region_id__in=[*ancestors(region), region]) | under_region("region_id", region)
        ).values("campaign_id")
        q = under_region("region", region) | (
            Q(region_id__in=ancestors(region)) & Q(pk__in=reaching)
        )
        sectors = user_sector_codes(user)
        if sectors is not None:
            sector_through = self.model._meta.get_field("sectors").remote_field.through  # type: ignore[union-attr]
            q &= Q(
                pk__in=sector_through.objects.filter(sector_id__in=sorted(sectors)).values(
                    "campaign_id"
                )
            )
        return q

    def users_with_permission_for_instance(self, action: str, obj: Any) -> QuerySet[Any]:
        """Active users with the role ``action`` needs who see ``obj``: the supervising side
        at or above its level, below it where its scope reaches them (in one of its sectors),
        the enterprises with a self-inspection task in it, and administrators."""
        from hazardledger.accounts.models import Organisation, User

        from .models import Task

        region = str(obj.region_id)
        scope = list(obj.regions.values_list("code", flat=True))
        sectors = list(obj.sectors.values_list("code", flat=True))
        below = [
            pk
            for pk, code in Organisation.objects.filter(under_region("region", region))
            .exclude(kind=OrganisationKind.ENTERPRISE)
            .values_list("pk", "region_id")
            if any(is_under(code, s) or is_under(s, code) for s in scope)
        ]
        supervising = (
            Q(organisation__region_id__in=[*ancestors(region), region])
            | Q(organisation_id__in=below)
        ) & ~Q(organisation__kind=OrganisationKind.ENTERPRISE)
        supervising &= Q(organisation__all_sectors=True) | Q(organisation__sectors__in=sectors)
        tasks = Task.objects.filter(Q(campaign=obj) | Q(root=obj), self_due_on__isnull=False)
        enterprise = Q(
            organisation_id__in=tasks.values("organisation_id"),
            organisation__kind=OrganisationKind.ENTERPRISE,
        )
        admins = Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True)
        users = User.objects.filter(is_active=True)
        return users.filter(
            ((supervising | enterprise) & Q(role__in=self.roles_for(action))) | admins
        ).distinct()


class LinkedToCampaignPolicy(ModelPolicy):
    """Rows seen by whoever sees their campaign (weekly reports also need the issuing level or
    above: ``REGION_ONLY`` on the report's region)."""

    def scope_q(self, user: Any) -> Q | None:
        own = super().scope_q(user)
        if own is None:
            return None
        visible = CAMPAIGN_POLICY.instances_user_has_permission_for(user, "view")
        return own & Q(campaign_id__in=visible.values("pk"))


CAMPAIGN_POLICY = CampaignPolicy(
    "campaigns.Campaign",
    scope=REGION_ONLY,  # the rule itself is ``scope_q``
    permissions={
        "view": ALL_ROLES,
        "progress": SUPERVISING,
        "export": SUPERVISING,
        "add": OFFICES,
        "take_up": OFFICES,
        "circulate": OFFICES,
        "draw": frozenset({Role.OFFICE, Role.INSPECTOR, Role.ADMINISTRATOR}),
    },
)

TASK_POLICY = ModelPolicy(
    "campaigns.Task",
    scope=TENANT_SCOPE,
    permissions={"view": ALL_ROLES, "assign": ASSIGNERS},
)

CIRCULAR_POLICY = ModelPolicy(
    "campaigns.Circular",
    scope=REGION_ONLY,
    permissions={
        "view": frozenset({Role.OFFICE, Role.LEADER, Role.GRID_WORKER, Role.ADMINISTRATOR}),
        "add": OFFICES,
    },
)

REPORT_POLICY = LinkedToCampaignPolicy(
    "campaigns.CampaignReport",
    scope=REGION_ONLY,
    permissions={"view": frozenset({Role.OFFICE, Role.LEADER, Role.ADMINISTRATOR})},
)

POLICIES = [
    CAMPAIGN_POLICY,
    TASK_POLICY,
    CIRCULAR_POLICY,
    REPORT_POLICY,
    ModelPolicy("campaigns.Progress", scope=REGION_SECTOR, permissions={"view": SUPERVISING}),
    ModelPolicy("campaigns.CampaignHazard", scope=REGION_SECTOR, permissions={"view": SUPERVISING}),
    ModelPolicy(
        "campaigns.CampaignInspection", scope=REGION_SECTOR, permissions={"view": SUPERVISING}
    ),
    ModelPolicy("campaigns.CampaignPhase", scope=None, permissions={"view": ALL_ROLES}),
    # Links between a campaign and a draw: read through the campaign and the draw.
    ModelPolicy("campaigns.CampaignDraw", scope=None, permissions={"view": SUPERVISING}),
]
