"""Permission policy of sites (registered in ``RegistryConfig.ready``)."""

from __future__ import annotations

from hazardledger.access.policy import (
    ALL_ROLES,
    ENTERPRISE_MANAGERS,
    REGULATORS,
    TENANT_SCOPE,
    ModelPolicy,
)
from hazardledger.accounts.choices import Role

SITE_POLICY = ModelPolicy(
    "registry.Site",
    scope=TENANT_SCOPE,
    permissions={
        "view": ALL_ROLES,
        # Townships register self-built houses and small venues they find.
        "add": REGULATORS | {Role.GRID_WORKER},
        "change": REGULATORS | {Role.GRID_WORKER} | ENTERPRISE_MANAGERS,
        # Moving a site (region, sector, responsible enterprise) moves it between scopes: the
        # supervising side only, never the enterprise itself.
        "change_scope": REGULATORS | {Role.GRID_WORKER},
        "import": REGULATORS,
        "export": ALL_ROLES - {Role.ENTERPRISE_WORKER},
    },
)
