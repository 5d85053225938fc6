"""The transition table: data only.

Two kinds of rows:

- **moves** (``Move``): ``(status, action) -> new status``, with the permission a role needs
  for each grade (``None``: the move does not exist for that grade, e.g. a major hazard is
  never "fixed on the spot"). A move always bumps the hazard's ``version``: after it, who may
  act and what a page offers are different.
- **status-keeping actions** (``StatusAction``): allowed from a *set* of statuses without one
  row per status, and the status stays. Each says whether it bumps the ``version`` that guards
  a user's open page: one that changes who may act or what a decision means (a new deadline,
  closing a decision, a new grade, an order or a listing) does; one that only adds to the
  record (an extension request, interim measures, the notice to the workforce, a sign-off)
  does not, so nobody's open page goes stale because of it.

``awaited`` marks the actions a hazard waits for from someone (the work queue has a section
for each of them, ``extensions.py``); the others are alternatives or corrections (reject,
void, reopen) or the party's own initiative (requesting an extension).

The permission names are granted to roles by ``policies.HAZARD_POLICY``; what input an action
needs and its preconditions are its rule (``rules.py``); what it writes, its effects
(``effects.py``). A new status or action is a row here and a rule there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..choices import HazardAction, HazardGrade, HazardStatus

S = HazardStatus
A = HazardAction
Permissions = Mapping[str, str | None]


def _both(name: str) -> Permissions:
    return {HazardGrade.GENERAL: name, HazardGrade.MAJOR: name}


def _by_grade(general: str | None, major: str | None) -> Permissions:
    return {HazardGrade.GENERAL: general, HazardGrade.MAJOR: major}


@dataclass(frozen=True)
class Move:
    """A move from ``source`` by ``action`` to ``target`` (always bumps the version); a major
    hazard goes to ``major_target`` instead when it is set (its plan waits for approval)."""

    source: str
    action: str
    target: str
    permission: Permissions
    awaited: bool = False
    major_target: str | None = None


@dataclass(frozen=True)
class StatusAction:
    """An action that keeps the status, allowed from any of ``sources``."""

    action: str
    sources: frozenset[str]
    permission: Permissions
    bumps_version: bool
    awaited: bool = False


_OPEN = frozenset({S.RECORDED, S.PLAN_PENDING, S.RECTIFYING, S.FIXED, S.SUBMITTED, S.REOPENED})

# A major hazard is never fixed on the spot: its actions that keep the status come from these.
_OPEN_MAJOR = _OPEN - {S.FIXED}

MOVES: tuple[Move, ...] = (
    # A major hazard's plan waits for the enterprise principal's approval.
    Move(
        S.RECORDED, A.PLAN, S.RECTIFYING, _both("plan"), awaited=True, major_target=S.PLAN_PENDING
    ),
    Move(
        S.REOPENED, A.PLAN, S.RECTIFYING, _both("plan"), awaited=True, major_target=S.PLAN_PENDING
    ),
    Move(
        S.PLAN_PENDING, A.APPROVE_PLAN, S.RECTIFYING, _by_grade(None, "approve_plan"), awaited=True
    ),
    Move(S.PLAN_PENDING, A.RETURN_PLAN, S.RECORDED, _by_grade(None, "approve_plan")),
    Move(S.RECORDED, A.FIX, S.FIXED, _by_grade("fix", None), awaited=True),
    Move(S.FIXED, A.CONFIRM, S.CLOSED, _by_grade("accept_general", None), awaited=True),
    Move(S.FIXED, A.REJECT, S.RECORDED, _by_grade("accept_general", None)),
    Move(S.RECTIFYING, A.SUBMIT, S.SUBMITTED, _both("submit"), awaited=True),
    Move(
        S.SUBMITTED,
        A.ACCEPT,
        S.CLOSED,
        _by_grade("accept_general", "accept_major"),
        awaited=True,
    ),
    Move(S.SUBMITTED, A.REJECT, S.RECTIFYING, _by_grade("accept_general", "accept_major")),
    Move(S.RECORDED, A.VOID, S.VOIDED, _by_grade("void_general", "void_major")),
    Move(S.CLOSED, A.REOPEN, S.REOPENED, _both("reopen")),
)

_DECIDE_EXTENSION = _by_grade("decide_extension_general", "decide_extension_major")
STATUS_ACTIONS: tuple[StatusAction, ...] = (
    # Asking for more time changes nothing the page shows until it is decided.
    StatusAction(
        A.REQUEST_EXTENSION,
        frozenset({S.RECTIFYING}),
        _both("request_extension"),
        bumps_version=False,
    ),
    # Approving sets a new deadline; refusing closes the decision, so that a page that showed
    # one request can never decide a later one.
    StatusAction(
        A.APPROVE_EXTENSION,
        frozenset({S.RECTIFYING}),
        _DECIDE_EXTENSION,
        bumps_version=True,
        awaited=True,
    ),
    StatusAction(
        A.REFUSE_EXTENSION,
        frozenset({S.RECTIFYING}),
        _DECIDE_EXTENSION,
        bumps_version=True,
        awaited=True,
    ),
    # Adding to the record: interim measures, the notice to the workforce (Art. 41) and a coal
    # mine's further sign-offs change no one's next step.
    StatusAction(A.UPDATE_INTERIM, _OPEN, _both("update_interim"), bumps_version=False),
    StatusAction(
        A.NOTIFY_WORKFORCE, _OPEN_MAJOR, _by_grade(None, "notify_workforce"), bumps_version=False
    ),
    StatusAction(
        A.SIGN_OFF, frozenset({S.SUBMITTED}), _by_grade(None, "sign_off"), bumps_version=False
    ),
    # A new grade changes the path the hazard takes from here. Not from a fix on the spot
    # (general only) or a plan awaiting approval (major only): the hazard would have no path.
    StatusAction(
        A.REGRADE,
        frozenset({S.RECORDED, S.RECTIFYING, S.SUBMITTED, S.REOPENED}),
        _both("regrade"),
        bumps_version=True,
    ),
    # The supervision app's actions (rectification orders, listing and delisting): they move
    # the deadline or the listing, which changes what a decision means. An order that keeps
    # the deadline leaves the version (``effects._order``).
    StatusAction(A.ORDER, _OPEN, _both("order"), bumps_version=True),
    StatusAction(A.LIST, _OPEN_MAJOR, _by_grade(None, "list"), bumps_version=True),
    StatusAction(A.DELIST, frozenset({S.CLOSED}), _by_grade(None, "delist"), bumps_version=True),
    # The responsibility app's actions (issue 14): a step of the escalation job (the system),
    # and an official urging the responsible parties at the level the hazard reached. Both
    # only add to the record: nobody's open page goes stale because of them.
    StatusAction(A.ESCALATE, _OPEN, _both("escalate"), bumps_version=False),
    StatusAction(A.URGE, _OPEN, _both("urge"), bumps_version=False),
)


@dataclass(frozen=True)
class Transition:
    """One ``(status, action)`` pair the table allows, whichever kind of row it comes from:
    the new status, the permission by grade, whether the version moves, whether the hazard
    waits for it. What the action needs as input is its rule's
    (``reason_required``/``files_required``, read from ``rules``)."""

    source: str
    action: str
    target: str
    permission: Permissions
    bumps_version: bool
    awaited: bool
    major_target: str | None = None

    @property
    def keeps_status(self) -> bool:
        return self.source == self.target

    def target_for(self, grade: str) -> str:
        """The status a hazard of ``grade`` moves to."""
        if grade == HazardGrade.MAJOR and self.major_target is not None:
            return self.major_target
        return self.target

    @property
    def reason_required(self) -> bool:
        from .rules import rule_for

        return rule_for(self.action).input.reason_required

    @property
    def files_required(self) -> bool:
        from .rules import rule_for

        return rule_for(self.action).input.files_required


def _expand(moves: Iterable[Move], keeping: Iterable[StatusAction]) -> tuple[Transition, ...]:
    rows = [
        Transition(m.source, m.action, m.target, m.permission, True, m.awaited, m.major_target)
        for m in moves
    ]
    rows += [
        Transition(source, k.action, source, k.permission, k.bumps_version, k.awaited)
        for k in keeping
        for source in sorted(k.sources)
    ]
    return tuple(rows)


# Every (status, action) pair, moves first, in the order the pages offer them.
TABLE: tuple[Transition, ...] = _expand(MOVES, STATUS_ACTIONS)
TRANSITIONS: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TABLE}
# Actions the table knows (RECORD creates a hazard and is not a step between statuses).
WORKFLOW_ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TABLE))


def candidate_actions(status: str) -> list[str]:
    """The actions the table allows from ``status``, in the table's order."""
    return [t.action for t in TABLE if t.source == status]
