"""Permission policies of the risk register (registered in ``RisksConfig.ready``).

Enterprises keep their own register; regulators view it and may assess.
"""

from __future__ import annotations

from hazardledger.access.policy import (
    ALL_ROLES,
    ENTERPRISE_MANAGERS,
    REGULATORS,
    TENANT_SCOPE,
    ModelPolicy,
)
from hazardledger.accounts.choices import Role

_KEEPERS = ENTERPRISE_MANAGERS | {Role.ADMINISTRATOR}

POLICIES = [
    ModelPolicy(
        "risks.RiskPoint",
        scope=TENANT_SCOPE,
        permissions={
            "view": ALL_ROLES,
            "add": _KEEPERS,
            "change": _KEEPERS,
            "assess": ENTERPRISE_MANAGERS | REGULATORS,
            "export": ALL_ROLES - {Role.ENTERPRISE_WORKER},
        },
    ),
    ModelPolicy(
        "risks.RiskAssessment",
        scope=TENANT_SCOPE,
        permissions={"view": ALL_ROLES, "add": ENTERPRISE_MANAGERS | REGULATORS},
    ),
    ModelPolicy(
        "risks.ControlMeasure",
        scope=TENANT_SCOPE,
        permissions={"view": ALL_ROLES, "add": _KEEPERS, "change": _KEEPERS, "delete": _KEEPERS},
    ),
    ModelPolicy(
        "risks.RiskPointPhoto",
        scope=TENANT_SCOPE,
        permissions={"view": ALL_ROLES, "add": _KEEPERS},
    ),
    # Which sites are due for inspection: the supervising side only.
    ModelPolicy(
        "risks.SiteInspectionSchedule",
        scope=TENANT_SCOPE,
        permissions={
            "view": REGULATORS | {Role.GRID_WORKER, Role.LEADER},
            "change": REGULATORS | {Role.GRID_WORKER},
        },
    ),
]
