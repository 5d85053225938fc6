"""Permission policies of hazards and quick reports (registered in ``HazardsConfig.ready``).

Besides the role, who may act on a hazard depends on the actor's side:

- enterprise and township users act only as the hazard's **responsible party**: users of the
  hazard's enterprise, or the township when the site has no responsible enterprise;
- regulators (sector departments and safety committee offices) act on hazards in their scope.

``PartyPolicy`` says so once; the workflow, the queue and the menus all ask it. Administrators
see everything but take no step of the workflow: its actions go by role alone.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hazardledger.access.policy import (
    ALL_ROLES,
    ENTERPRISE_MANAGERS,
    REGULATORS,
    TENANT_SCOPE,
    ModelPolicy,
    is_unrestricted,
)
from hazardledger.accounts.choices import OrganisationKind, Role

# Organisations whose users act for the party that must rectify.
PARTY_KINDS = frozenset({OrganisationKind.ENTERPRISE, OrganisationKind.TOWNSHIP})
RECTIFIERS = ENTERPRISE_MANAGERS | {Role.GRID_WORKER}


def responsible_q(user: Any) -> Q | None:
    """The hazards (or quick reports) ``user`` answers for as the responsible party: their
    enterprise's, or, for a township, those without a responsible enterprise (scope already
    keeps them in the township). None when the user is not on a party's side."""
    org = getattr(user, "organisation", None)
    if org is None:
        return None
    if org.kind == OrganisationKind.ENTERPRISE:
        return Q(organisation_id=org.pk)
    if org.kind == OrganisationKind.TOWNSHIP:
        return Q(organisation__isnull=True)
    return None


def is_responsible_for(user: Any, obj: Any) -> bool:
    """``responsible_q`` for one row already known to be in the user's scope, without a query
    (the two say the same; keep them side by side)."""
    org = getattr(user, "organisation", None)
    if org is None:
        return False
    if org.kind == OrganisationKind.ENTERPRISE:
        return bool(obj.organisation_id == org.pk)
    if org.kind == OrganisationKind.TOWNSHIP:
        return obj.organisation_id is None
    return False


class PartyPolicy(ModelPolicy):
    """Actions in ``party_actions`` are narrowed to the responsible party for users on a
    party's side; regulators act in their scope."""

    def __init__(self, *args: Any, party_actions: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.party_actions = party_actions

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in self.party_actions:
            # By role alone: being unrestricted (an administrator) does not make one a party.
            return bool(getattr(user, "is_authenticated", False)) and (
                getattr(user, "role", "") in self.roles_for(action)
            )
        return super().user_has_permission(user, action)

    def instance_q(self, user: Any, action: str) -> Q | None:
        if action not in self.party_actions or is_unrestricted(user):
            return Q()
        org = getattr(user, "organisation", None)
        if org is None:
            return None
        if org.kind in PARTY_KINDS:
            return responsible_q(user)
        return Q()

    def user_has_permission_for_visible_instance(self, user: Any, action: str, obj: Any) -> bool:
        """``user_has_permission_for_instance`` for an object the caller fetched through the
        user's scope (a page showing it): the role and the party narrowing, without a query.
        The same answer as ``instance_q``, evaluated on the row in memory."""
        if not self.user_has_permission(user, action):
            return False
        if action not in self.party_actions or is_unrestricted(user):
            return True
        org = getattr(user, "organisation", None)
        if org is None:
            return False
        if org.kind in PARTY_KINDS:
            return is_responsible_for(user, obj)
        return True


# The workflow's permissions (workflow.table names them per grade); a new action's permission
# is granted here.
WORKFLOW_PERMISSIONS = {
    "plan": RECTIFIERS,
    "fix": RECTIFIERS,
    "submit": RECTIFIERS,
    "request_extension": RECTIFIERS,
    "accept_general": RECTIFIERS,
    "accept_major": frozenset({Role.INSPECTOR}),
    "decide_extension_general": frozenset({Role.ENTERPRISE_PRINCIPAL, Role.GRID_WORKER}),
    "decide_extension_major": frozenset({Role.INSPECTOR, Role.OFFICE}),
    "void_general": RECTIFIERS | {Role.INSPECTOR, Role.OFFICE},
    "void_major": frozenset({Role.INSPECTOR, Role.OFFICE}),
    "reopen": frozenset({Role.INSPECTOR, Role.OFFICE}),
}

HAZARD_POLICY = PartyPolicy(
    "hazards.Hazard",
    scope=TENANT_SCOPE,
    permissions={
        "view": ALL_ROLES,
        "add": REGULATORS | ENTERPRISE_MANAGERS | {Role.GRID_WORKER},
        "export": ALL_ROLES - {Role.ENTERPRISE_WORKER},
        **WORKFLOW_PERMISSIONS,
    },
    party_actions=frozenset(WORKFLOW_PERMISSIONS),
)

QUICK_REPORT_POLICY = PartyPolicy(
    "hazards.QuickReport",
    scope=TENANT_SCOPE,
    permissions={
        "view": ALL_ROLES,
        "add": ENTERPRISE_MANAGERS | {Role.ENTERPRISE_WORKER, Role.GRID_WORKER},
        "triage": RECTIFIERS,
    },
    party_actions=frozenset({"triage"}),
)

POLICIES = [HAZARD_POLICY, QUICK_REPORT_POLICY]
