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

from .choices import ExtensionStatus

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
    "approve_plan": frozenset({Role.ENTERPRISE_PRINCIPAL, Role.GRID_WORKER}),
    "fix": RECTIFIERS,
    # A worker submits the evidence of a hazard assigned to them (``HazardPolicy``).
    "submit": RECTIFIERS | {Role.ENTERPRISE_WORKER},
    "request_extension": RECTIFIERS,
    # "Who inspects, re-checks": the party accepts only what it found itself, an inspector
    # what a regulator found (``HazardPolicy``).
    "accept_general": RECTIFIERS | {Role.INSPECTOR},
    "accept_major": frozenset({Role.INSPECTOR}),
    # A request by one who would decide it goes up (``HazardPolicy``).
    "decide_extension_general": frozenset(
        {Role.ENTERPRISE_PRINCIPAL, Role.GRID_WORKER, Role.INSPECTOR, Role.OFFICE}
    ),
    "decide_extension_major": frozenset({Role.INSPECTOR, Role.OFFICE}),
    # The party voids only what it recorded itself (``HazardPolicy``).
    "void_general": RECTIFIERS | {Role.INSPECTOR, Role.OFFICE},
    "void_major": frozenset({Role.INSPECTOR, Role.OFFICE}),
    "reopen": frozenset({Role.INSPECTOR, Role.OFFICE}),
    "update_interim": RECTIFIERS,
    "notify_workforce": ENTERPRISE_MANAGERS,
    "regrade": frozenset({Role.INSPECTOR, Role.OFFICE}),
    "sign_off": frozenset({Role.INSPECTOR, Role.OFFICE}),
    # The supervision app's actions.
    "order": frozenset({Role.INSPECTOR, Role.OFFICE}),
    "list": frozenset({Role.OFFICE}),
    "delist": frozenset({Role.OFFICE}),
    # The responsibility app's actions: the escalation job acts as a system user with the
    # administrator's role; officials urge at the level a hazard reached (``rules._can_urge``).
    "escalate": frozenset({Role.ADMINISTRATOR}),
    "urge": frozenset({Role.OFFICE, Role.LEADER, Role.INSPECTOR}),
}

# Roles whose own extension request goes up, and the regulator's role that then decides it:
# the enterprise principal's to the sector department's inspector, a grid worker's to the
# safety committee office (the township's own office is one, the county's covers it too).
EXTENSION_ESCALATION: dict[str, str] = {
    Role.ENTERPRISE_PRINCIPAL: Role.INSPECTOR,
    Role.GRID_WORKER: Role.OFFICE,
}


def _pending_by(roles: list[str]) -> Q:
    """Hazards with an extension request pending that a user of one of ``roles`` made."""
    return Q(extensions__status=ExtensionStatus.PENDING, extensions__requested_by_role__in=roles)


class HazardPolicy(PartyPolicy):
    """The hazard policy: the party narrowing, and the workflow's rules about who acts:

    - ``submit``: an enterprise worker only on a hazard assigned to them;
    - ``accept_general``: the party only on hazards it found, an inspector only on hazards a
      regulator found (``regulator_found``: "who inspects, re-checks");
    - ``void_general``: the party only on hazards it found;
    - ``decide_extension_general``: the party unless the request was made by one of its
      deciders (then it went up); a regulator only on a request that went up to their role.
    """

    def instance_q(self, user: Any, action: str) -> Q | None:
        base = super().instance_q(user, action)
        if base is None or is_unrestricted(user):
            return base
        role = getattr(user, "role", "")
        party = role in RECTIFIERS or role == Role.ENTERPRISE_WORKER
        if action == "submit" and role == Role.ENTERPRISE_WORKER:
            return base & Q(assignee_id=user.pk)
        if action == "accept_general":
            return base & Q(regulator_found=not party)
        if action == "void_general" and party:
            return base & Q(regulator_found=False)
        if action == "decide_extension_general":
            if party:
                return base & ~_pending_by(list(EXTENSION_ESCALATION))
            escalated = [k for k, v in EXTENSION_ESCALATION.items() if v == role]
            return base & _pending_by(escalated)
        return base

    def user_has_permission_for_visible_instance(self, user: Any, action: str, obj: Any) -> bool:
        if not super().user_has_permission_for_visible_instance(user, action, obj):
            return False
        if is_unrestricted(user):
            return True
        role = getattr(user, "role", "")
        party = role in RECTIFIERS or role == Role.ENTERPRISE_WORKER
        if action == "submit" and role == Role.ENTERPRISE_WORKER:
            return bool(obj.assignee_id == user.pk)
        if action == "accept_general":
            return bool(obj.regulator_found) != party
        if action == "void_general" and party:
            return not obj.regulator_found
        # ``decide_extension_general`` also depends on who made the pending request: the
        # workflow's precondition asks ``may_decide_general_extension`` with the request it
        # already read, so a page needs no query per action.
        return True

    def may_decide_general_extension(self, user: Any, requested_by_role: str) -> bool:
        """``instance_q``'s rule for ``decide_extension_general``, for one pending request: a
        request by one of the party's deciders went up to the regulator's role that decides
        it; any other request is the party's to decide."""
        if is_unrestricted(user):
            return True
        role = getattr(user, "role", "")
        escalated_to = EXTENSION_ESCALATION.get(requested_by_role)
        if escalated_to is None:
            return role in RECTIFIERS
        return role == escalated_to


HAZARD_POLICY = HazardPolicy(
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
