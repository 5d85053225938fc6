"""Permission policies of the rollups (registered in ``ReportingConfig.ready``).

Rollup rows carry a division code and a sector, so scope works on them as on any tenant row:
a user sees the rows at or under their region (never the province's row when their scope is a
city) and, unless their organisation covers every sector, only their sectors' rows (never the
all-sector rows, ``sector = ""``). Enterprises see no bucket: their figures are their own
hazards' states (``HazardState``, scoped by the responsible enterprise).
"""

from __future__ import annotations

from hazardledger.access.policy import ALL_ROLES, ModelPolicy, ScopeSpec

BUCKET_SCOPE = ScopeSpec(region="region", sector="sector", organisation=None)
STATE_SCOPE = ScopeSpec(region="region", sector="sector", organisation="organisation")

POLICIES = [
    ModelPolicy("reporting.DailyTotal", scope=BUCKET_SCOPE, permissions={"view": ALL_ROLES}),
    ModelPolicy("reporting.MonthlyTotal", scope=BUCKET_SCOPE, permissions={"view": ALL_ROLES}),
    ModelPolicy("reporting.CurrentCount", scope=BUCKET_SCOPE, permissions={"view": ALL_ROLES}),
    ModelPolicy("reporting.SiteCount", scope=BUCKET_SCOPE, permissions={"view": ALL_ROLES}),
    ModelPolicy("reporting.HazardState", scope=STATE_SCOPE, permissions={"view": ALL_ROLES}),
    ModelPolicy(
        "reporting.SiteState",
        scope=ScopeSpec(region="region", sector="sector", organisation="site__organisation"),
        permissions={"view": ALL_ROLES},
    ),
]
