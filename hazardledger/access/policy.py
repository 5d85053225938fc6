"""Which role may do which action on which kind of object: the one table of permissions.

Scope (which rows) lives in ``scope.py``; this module answers only "may this role do this
action at all". Keys are ``"<app_label>.<model_name>"``; actions are short verbs.
"""

from __future__ import annotations

from hazardledger.accounts.choices import Role

ALL_ROLES = frozenset(Role.values)
REGULATORS = frozenset({Role.INSPECTOR, Role.OFFICE, Role.ADMINISTRATOR})
ENTERPRISE_MANAGERS = frozenset({Role.ENTERPRISE_OFFICER, Role.ENTERPRISE_PRINCIPAL})

PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "registry.site": {
        "view": ALL_ROLES,
        # Townships register self-built houses and small venues they find.
        "add": REGULATORS | {Role.GRID_WORKER},
        "change": REGULATORS | {Role.GRID_WORKER} | ENTERPRISE_MANAGERS,
        "import": REGULATORS,
        "export": ALL_ROLES - {Role.ENTERPRISE_WORKER},
    },
    # Risk grading: enterprises keep their own register; regulators view it and may assess.
    "risks.riskpoint": {
        "view": ALL_ROLES,
        "add": ENTERPRISE_MANAGERS | {Role.ADMINISTRATOR},
        "change": ENTERPRISE_MANAGERS | {Role.ADMINISTRATOR},
        "assess": ENTERPRISE_MANAGERS | REGULATORS,
        "export": ALL_ROLES - {Role.ENTERPRISE_WORKER},
    },
    "risks.riskassessment": {
        "view": ALL_ROLES,
        "add": ENTERPRISE_MANAGERS | REGULATORS,
    },
    "risks.controlmeasure": {
        "view": ALL_ROLES,
        "add": ENTERPRISE_MANAGERS | {Role.ADMINISTRATOR},
        "change": ENTERPRISE_MANAGERS | {Role.ADMINISTRATOR},
        "delete": ENTERPRISE_MANAGERS | {Role.ADMINISTRATOR},
    },
    "risks.riskpointphoto": {
        "view": ALL_ROLES,
        "add": ENTERPRISE_MANAGERS | {Role.ADMINISTRATOR},
    },
    # Which sites are due for inspection: the supervising side only.
    "risks.siteinspectionschedule": {
        "view": REGULATORS | {Role.GRID_WORKER, Role.LEADER},
        "change": REGULATORS | {Role.GRID_WORKER},
    },
    # The hazard workflow (hazards/workflow.py adds who acts for which side: enterprise and
    # township users only as the hazard's responsible party, regulators in their scope).
    # Administrators take no step of the workflow.
    "hazards.hazard": {
        "view": ALL_ROLES,
        "add": REGULATORS | ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
        "export": ALL_ROLES - {Role.ENTERPRISE_WORKER},
        "plan": ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
        "fix": ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
        "submit": ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
        "request_extension": ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
        "accept_general": ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
        "accept_major": frozenset({Role.INSPECTOR}),
        "decide_extension_general": frozenset({Role.ENTERPRISE_PRINCIPAL, Role.GRID_WORKER}),
        "decide_extension_major": frozenset({Role.INSPECTOR, Role.OFFICE}),
        "void_general": ENTERPRISE_MANAGERS | {Role.GRID_WORKER, Role.INSPECTOR, Role.OFFICE},
        "void_major": frozenset({Role.INSPECTOR, Role.OFFICE}),
        "reopen": frozenset({Role.INSPECTOR, Role.OFFICE}),
    },
    # Inspections: enterprises inspect their own sites (self-inspection), the supervising side
    # inspects in its scope (inspections/services.py decides which kinds each side may run).
    "inspections.inspection": {
        "view": ALL_ROLES,
        "add": REGULATORS | ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
        "conduct": REGULATORS | ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
    },
    "inspections.itemresult": {"view": ALL_ROLES},
    "inspections.hazarddraft": {
        "view": ALL_ROLES,
        "confirm": REGULATORS | ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
    },
    "inspections.recheckdecision": {"view": ALL_ROLES},
    # Checklists are reference data: everyone reads them, administrators load new versions.
    "inspections.checklist": {
        "view": ALL_ROLES,
        "add": frozenset({Role.ADMINISTRATOR}),
    },
    "inspections.draw": {
        "view": REGULATORS | {Role.GRID_WORKER, Role.LEADER},
        "add": frozenset({Role.INSPECTOR, Role.OFFICE, Role.ADMINISTRATOR}),
        "perform": frozenset({Role.INSPECTOR, Role.OFFICE, Role.ADMINISTRATOR}),
    },
    "hazards.quickreport": {
        "view": ALL_ROLES,
        "add": ENTERPRISE_MANAGERS | {Role.ENTERPRISE_WORKER, Role.GRID_WORKER},
        "triage": ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
    },
}


def role_can(role: str, model_key: str, action: str) -> bool:
    """True when ``role`` may perform ``action`` on objects of ``model_key``.

    Unknown models or actions are refused, so a forgotten table entry fails closed.
    """
    return role in PERMISSIONS.get(model_key, {}).get(action, frozenset())
