"""Permission policies of the responsibility app (``ResponsibilityConfig.ready``).

- The **responsibility list** follows its divisions and sectors: regulators, offices, leaders
  and townships see the entries under their region (in their sectors); safety committee
  offices maintain them (page and spreadsheet). Enterprises see their chain only on their
  hazards' pages (the three lines of responsibility), not the list.
- **Escalation steps** are seen by the levels under whose region they landed; leaders and
  offices read them as the accountability view (``accountability``).
- A level's **decisions** (enforcement ordered) follow the deciding body's region; offices,
  inspectors and leaders at a level a hazard was escalated to take them (``decide``).
- The per-hazard **escalation row** follows its hazard.
"""

from __future__ import annotations

from hazardledger.access.policy import ALL_ROLES, ModelPolicy, ScopeSpec
from hazardledger.accounts.choices import Role

OFFICIALS = frozenset({Role.INSPECTOR, Role.OFFICE, Role.LEADER})
LIST_READERS = OFFICIALS | {Role.GRID_WORKER}

# No ``organisation`` column: an enterprise's scope holds none of these rows.
LEVEL_SCOPE = ScopeSpec(region="region", sector="sector", organisation=None)

ENTRY_POLICY = ModelPolicy(
    "responsibility.ResponsibilityEntry",
    scope=LEVEL_SCOPE,
    permissions={
        "view": LIST_READERS,
        "export": LIST_READERS,
        "add": frozenset({Role.OFFICE}),
        "change": frozenset({Role.OFFICE}),
        "delete": frozenset({Role.OFFICE}),
        "import": frozenset({Role.OFFICE}),
    },
)

OFFICIAL_POLICY = ModelPolicy(
    "responsibility.ResponsibleOfficial",
    scope=ScopeSpec(region="entry__region", sector="entry__sector", organisation=None),
    permissions={"view": LIST_READERS},
)

STEP_POLICY = ModelPolicy(
    "responsibility.EscalationStep",
    scope=LEVEL_SCOPE,
    permissions={
        "view": LIST_READERS,
        "accountability": frozenset({Role.OFFICE, Role.LEADER}),
        "export": frozenset({Role.OFFICE, Role.LEADER}),
    },
)

DECISION_POLICY = ModelPolicy(
    "responsibility.EscalationDecision",
    scope=LEVEL_SCOPE,
    permissions={"view": OFFICIALS, "decide": OFFICIALS},
)

ESCALATION_POLICY = ModelPolicy(
    "responsibility.Escalation",
    scope=ScopeSpec(
        region="hazard__region", sector="hazard__sector", organisation="hazard__organisation"
    ),
    permissions={"view": ALL_ROLES},
)

POLICIES = [ENTRY_POLICY, OFFICIAL_POLICY, STEP_POLICY, DECISION_POLICY, ESCALATION_POLICY]
