"""The transition table: data only.

Two kinds of rows:

- **moves** (``Move``): ``(status, action) -> new status``, with the permission a role needs
  for each grade (``None``: the move does not exist for that grade, e.g. a major hazard is
  never "fixed on the spot"). A move always bumps the hazard's ``version``: after it, who may
  act and what a page offers are different.
- **status-keeping actions** (``StatusAction``): allowed from a *set* of statuses without one
  row per status, and the status stays. Each says whether it bumps the ``version`` that guards
  a user's open page: one that changes who may act or what a decision means (a new deadline,
  closing a decision) does; one that only adds to the record (an extension request, and the
  next wave's listing, urging, interim measures, escalation) does not, so nobody's open page
  goes stale because of it.

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
    """A move from ``source`` by ``action`` to ``target`` (always bumps the version)."""

    source: str
    action: str
    target: str
    permission: Permissions
    awaited: bool = False


@dataclass(frozen=True)
class StatusAction:
    """An action that keeps the status, allowed from any of ``sources``."""

    action: str
    sources: frozenset[str]
    permission: Permissions
    bumps_version: bool
    awaited: bool = False


MOVES: tuple[Move, ...] = (
    Move(S.RECORDED, A.PLAN, S.RECTIFYING, _both("plan"), awaited=True),
    Move(S.REOPENED, A.PLAN, S.RECTIFYING, _both("plan"), awaited=True),
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

    @property
    def keeps_status(self) -> bool:
        return self.source == self.target

    @property
    def reason_required(self) -> bool:
        from .rules import rule_for

        return rule_for(self.action).input.reason_required

    @property
    def files_required(self) -> bool:
        from .rules import rule_for

        return rule_for(self.action).input.files_required


def _expand(moves: Iterable[Move], keeping: Iterable[StatusAction]) -> tuple[Transition, ...]:
    rows = [Transition(m.source, m.action, m.target, m.permission, True, m.awaited) for m in moves]
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
