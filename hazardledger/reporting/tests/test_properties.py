"""Rebuilt and incremental rollups agree after random transitions with the clock moving.

Each example starts from a rebuilt (empty) set of rollups at a fixed date, records hazards
and applies random workflow actions through the real services, listings and escalation
steps included, with the outbox handlers running on each commit as the worker would; the
clock jumps forward between steps and the hourly sweep runs at some of those times (and
always at the end, as the scheduler would by then). The rollups kept that way must equal,
bucket for bucket and state for state, what ``rollups_rebuild`` computes from the ledger.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import TestCase
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hazardledger.core.errors import ServiceError
from hazardledger.hazards.choices import (
    HazardAction,
    HazardGrade,
    HazardSource,
    HazardStatus,
    ProductionStop,
)
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.tests.factories import act, plan_approver, plan_data, record
from hazardledger.reporting.rollups import (
    rollups_rebuild,
    rollups_snapshot,
    rollups_time_sweep,
    sites_reconcile,
)
from hazardledger.supervision.models import Listing
from hazardledger.supervision.services.listings import (
    ListingProposal,
    listing_create,
    listing_delist,
)

pytestmark = pytest.mark.django_db(transaction=False)

START = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
A = HazardAction

# "advance": the usual next step for the hazard's status (so that walks get far).
ADVANCE = {
    HazardStatus.RECORDED: A.PLAN,
    HazardStatus.PLAN_PENDING: A.APPROVE_PLAN,
    HazardStatus.RECTIFYING: A.SUBMIT,
    HazardStatus.SUBMITTED: A.ACCEPT,
    HazardStatus.FIXED: A.CONFIRM,
    HazardStatus.CLOSED: "delist",
    HazardStatus.REOPENED: A.PLAN,
    HazardStatus.VOIDED: "record",
}
ACTIONS = [
    "record",
    "record",
    "advance",
    "advance",
    "advance",
    "advance",
    "list",
    A.APPROVE_PLAN,
    A.RETURN_PLAN,
    A.FIX,
    A.CONFIRM,
    A.SUBMIT,
    A.ACCEPT,
    A.REJECT,
    A.VOID,
    A.REOPEN,
    A.REQUEST_EXTENSION,
    A.APPROVE_EXTENSION,
    A.REGRADE,
    "list",
    "delist",
    "escalate",
]

steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(min_value=0, max_value=5),  # which hazard
        st.integers(min_value=0, max_value=2),  # which site
        st.sampled_from([0, 0, 1, 3, 11, 31]),  # days the clock moves after the step
        st.booleans(),  # whether the hourly sweep runs after the move
    ),
    min_size=8,
    max_size=24,
)


def _committed() -> Any:
    return TestCase.captureOnCommitCallbacks(execute=True)


class World:
    """The test's people and sites, and how to take each step on a hazard."""

    def __init__(self, users: Any, sites: Any) -> None:
        self.users = users
        self.sites = [sites.plant_a, sites.factory_b, sites.plant_a]
        self.officers = {sites.plant_a.pk: users.officer_a, sites.factory_b.pk: users.officer_b}
        self.hazards: list[Hazard] = []
        self.escalations = 0

    def record(self, site_index: int, choice: int) -> None:
        site = self.sites[site_index]
        grade = HazardGrade.MAJOR if choice % 3 == 0 else HazardGrade.GENERAL
        source = [HazardSource.SELF_INSPECTION, HazardSource.REGULATORY_INSPECTION][choice % 2]
        found_on = local_today() - timedelta(days=(3 * choice) % 11)
        # A regulator records what its inspection found; the enterprise its own findings.
        actor = (
            self.users.inspector_a
            if source == HazardSource.REGULATORY_INSPECTION
            else self.officers[site.pk]
        )
        self.hazards.append(record(site, actor, grade=grade, source=source, found_on=found_on))

    def act(self, action: str, hazard: Hazard) -> str:
        """Take ``action`` on ``hazard`` ("advance": the usual next one); return what was
        taken ("" when there was nothing to do)."""
        hazard.refresh_from_db()
        if action == "advance":
            action = ADVANCE[hazard.status]
            if action == "record":
                return ""
        officer = self.officers[hazard.site_id]
        users = self.users
        if action == "list":
            listing_create(
                actor=users.manager_a,
                hazard=hazard,
                proposal=ListingProposal(
                    officials=({"name": "张三", "post": "副市长"},),
                    grounds="重大隐患整改滞后",
                    required_by=local_today() + timedelta(days=20),
                    stop=ProductionStop.PART,
                ),
                document_number="穗安办督〔2026〕1号",
            )
            return action
        if action == "delist":
            listing = Listing.objects.filter(hazard=hazard, status=Listing.Status.LISTED).first()
            if listing is None:
                return ""
            listing_delist(
                actor=users.manager_a, listing=listing, document_number="穗安办摘〔2026〕1号"
            )
            return action
        if action == "escalate":
            act(
                hazard,
                A.ESCALATE,
                users.admin,
                data={
                    "step": ["county", "due", "city", "province"][self.escalations % 4],
                    "reason": "overdue",
                    "region_code": "4401",
                    "days": 8,
                },
            )
            self.escalations += 1
            return action
        if action in (A.APPROVE_PLAN, A.RETURN_PLAN):
            actor = plan_approver(hazard, officer)
        elif action in (A.ACCEPT, A.REJECT):
            actor = users.inspector_a if hazard.is_major or hazard.regulator_found else officer
            if actor is officer:
                actor = plan_approver(hazard, officer)
        elif action in (A.VOID, A.REOPEN, A.REGRADE):
            actor = users.inspector_a
        elif action == A.APPROVE_EXTENSION:
            actor = users.inspector_a if hazard.is_major else plan_approver(hazard, officer)
        else:
            actor = officer
        kwargs: dict[str, Any] = {}
        today = local_today()
        if action == A.REJECT and hazard.deadline and hazard.deadline < today:
            kwargs["data"] = {"deadline": today + timedelta(days=10)}
        if action == A.PLAN and hazard.deadline:
            kwargs["data"] = plan_data(deadline=hazard.deadline)
        act(hazard, action, actor, **kwargs)
        return str(action)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
@given(plan=steps)
def test_rebuilt_and_incremental_rollups_agree(users, sites, plan):
    with time_machine.travel(START, tick=False) as clock, transaction.atomic():
        rollups_rebuild()
        with _committed():
            sites_reconcile()
        world = World(users, sites)
        taken = 0
        for action, hazard_index, site_index, days, sweep in plan:
            try:
                with transaction.atomic(), _committed():
                    if action == "record" or not world.hazards:
                        world.record(site_index, hazard_index + taken)
                        done = "record"
                    else:
                        hazard = world.hazards[hazard_index % len(world.hazards)]
                        done = world.act(action, hazard)
                taken += 1
                if done:
                    event(f"took {done}")
            except ServiceError as error:
                event(
                    f"refused {action}: {type(error).__name__} {error}"[:120]
                )  # not possible now (the table, a rule, a precondition): nothing written
            if days:
                clock.shift(timedelta(days=days))
                if sweep:
                    rollups_time_sweep()
        rollups_time_sweep()
        incremental = rollups_snapshot()
        rollups_rebuild()
        rebuilt = rollups_snapshot()
        for table in rebuilt:
            assert incremental[table] == rebuilt[table], table
        transaction.set_rollback(True)


def test_the_property_sees_every_kind_of_change(users, sites):
    """A fixed walk through the same steps reaches what the property is about: a closed,
    a voided, an overdue, a listed and an escalated hazard, on a date that moved."""
    with time_machine.travel(START, tick=False) as clock:
        sites_reconcile()
        world = World(users, sites)
        with _committed():
            for index in range(4):
                world.record(0, index)
        first, second, third, fourth = world.hazards
        for action, hazard in [
            (A.PLAN, first),
            (A.APPROVE_PLAN, first),
            (A.SUBMIT, first),
            (A.ACCEPT, first),
            (A.VOID, second),
            ("list", fourth),
            ("escalate", third),
        ]:
            with _committed():
                world.act(action, hazard)
        clock.shift(timedelta(days=120))
        rollups_time_sweep()
        incremental = rollups_snapshot()
        rollups_rebuild()
        assert rollups_snapshot() == incremental
    states = incremental["hazard_states"]
    assert len(states) == 4
    statuses = {Hazard.objects.get(pk=pk).status for (pk,) in states}
    assert {HazardStatus.CLOSED, HazardStatus.VOIDED} <= statuses
    current = incremental["current"]
    overdue = sum(
        v[1] for (region, sector, *_), v in current.items() if region == "44" and sector == ""
    )
    listed = sum(
        v[3] for (region, sector, *_), v in current.items() if region == "44" and sector == ""
    )
    escalated = sum(
        v[4] for (region, sector, *_), v in current.items() if region == "44" and sector == ""
    )
    assert overdue >= 1 and listed == 1 and escalated == 1
