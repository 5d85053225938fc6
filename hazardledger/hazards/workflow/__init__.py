"""The hazard workflow, in three parts:

- ``table``: the transition table, data only: moves ``(status, action) -> new status`` and
  status-keeping actions allowed from a set of statuses, with the permission by grade, whether
  the action bumps the version that guards an open page, and whether a hazard waits for it;
- ``rules``: one typed input per action, validated once; who may act (the hazard's policy);
  preconditions;
- ``effects``: the history event with its changes, the audit entry, the outbox event, and the
  side rows (plan, extension request, evidence).

``service.hazard_transition`` applies an action through all three. The names other apps and
the pages use are imported from here.
"""

from .effects import history_append
from .errors import ConcurrentEditError, InvalidTransition, TransitionNotAllowed
from .rules import (
    RULES,
    ActionInput,
    DelistInput,
    EscalateInput,
    FixInput,
    HazardInput,
    InterimInput,
    ListInput,
    NotifyWorkforceInput,
    OrderInput,
    PlanInput,
    ReasonInput,
    RegradeInput,
    RejectInput,
    ReopenInput,
    RequestExtensionInput,
    SignOffInput,
    SubmitInput,
    UrgeInput,
    VoidInput,
    action_input,
    allowed_actions,
    check_files,
    needs_evaluation,
    pending_extension,
    rule_for,
    transition_check,
)
from .service import hazard_transition, hazard_transition_many
from .table import (
    MOVES,
    STATUS_ACTIONS,
    TABLE,
    TRANSITIONS,
    WORKFLOW_ACTIONS,
    Move,
    StatusAction,
    Transition,
)

__all__ = [
    "MOVES",
    "RULES",
    "STATUS_ACTIONS",
    "TABLE",
    "TRANSITIONS",
    "WORKFLOW_ACTIONS",
    "ActionInput",
    "ConcurrentEditError",
    "DelistInput",
    "EscalateInput",
    "FixInput",
    "HazardInput",
    "InterimInput",
    "InvalidTransition",
    "ListInput",
    "Move",
    "NotifyWorkforceInput",
    "OrderInput",
    "PlanInput",
    "ReasonInput",
    "RegradeInput",
    "RejectInput",
    "ReopenInput",
    "RequestExtensionInput",
    "SignOffInput",
    "StatusAction",
    "SubmitInput",
    "Transition",
    "TransitionNotAllowed",
    "UrgeInput",
    "VoidInput",
    "action_input",
    "allowed_actions",
    "check_files",
    "hazard_transition",
    "hazard_transition_many",
    "history_append",
    "needs_evaluation",
    "pending_extension",
    "rule_for",
    "transition_check",
]
