"""The ledger's filters the dashboards link with (issue 15): not voided, closed between two
dates, closed on time, listed for supervision, escalated."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hazardledger.hazards.choices import HazardAction as A
from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.tests.factories import act, plan_data, record

pytestmark = pytest.mark.django_db

# 23:30 in Guangzhou is 15:30 UTC: a hazard closed then was closed on the 10th, locally.
LATE_EVENING = datetime(2026, 6, 10, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _ids(client, query: str) -> set[int]:
    response = client.get("/hazards/" + query)
    assert response.status_code == 200
    return {hazard.pk for hazard in response.context["object_list"]}


@pytest.fixture
def ledger(users, sites):
    with time_machine.travel(LATE_EVENING - timedelta(days=40), tick=False) as clock:
        on_time = record(sites.plant_a, users.officer_a)
        late = record(sites.plant_a, users.officer_a)
        voided = record(sites.plant_a, users.officer_a)
        escalated = record(sites.plant_a, users.officer_a)
        major = record(sites.plant_a, users.officer_a, grade=HazardGrade.MAJOR)
        act(voided, A.VOID, users.officer_a)
        act(on_time, A.PLAN, users.officer_a)
        act(late, A.PLAN, users.officer_a, data=plan_data(deadline=local_today()))
        act(
            escalated,
            A.ESCALATE,
            users.admin,
            data={"step": "city", "reason": "overdue", "region_code": "4401", "days": 16},
        )
        act(
            major,
            A.ESCALATE,
            users.admin,
            data={"step": "due", "reason": "overdue", "region_code": "4401", "days": 1},
        )
        act(on_time, A.SUBMIT, users.officer_a)
        clock.move_to(LATE_EVENING)
        act(late, A.SUBMIT, users.officer_a)  # 40 days past its deadline
        act(on_time, A.ACCEPT, users.principal_a)
        act(late, A.ACCEPT, users.principal_a)
    return {"on_time": on_time, "late": late, "voided": voided, "escalated": escalated}


def test_counted_leaves_out_the_voided(client, users, ledger):
    client.force_login(users.manager_a)
    assert ledger["voided"].pk not in _ids(client, "?status=counted")
    assert len(_ids(client, "?status=counted")) == 4


def test_closed_between_local_dates(client, users, ledger):
    client.force_login(users.manager_a)
    both = {ledger["on_time"].pk, ledger["late"].pk}
    assert _ids(client, "?closed_after=2026-06-10&closed_before=2026-06-10") == both
    assert _ids(client, "?closed_after=2026-06-11") == set()
    assert _ids(client, "?closed_before=2026-06-09") == set()


def test_closed_on_time_or_late(client, users, ledger):
    client.force_login(users.manager_a)
    assert _ids(client, "?on_time=1") == {ledger["on_time"].pk}
    assert _ids(client, "?on_time=0") == {ledger["late"].pk}


def test_escalated_from_the_county_step_on(client, users, ledger):
    client.force_login(users.manager_a)
    assert _ids(client, "?escalated=1") == {ledger["escalated"].pk}
    assert ledger["escalated"].pk not in _ids(client, "?escalated=0")


def test_listed_is_the_listing_level(client, users, sites):
    hazard = record(sites.plant_a, users.officer_a, grade=HazardGrade.MAJOR)
    client.force_login(users.manager_a)
    assert _ids(client, "?listed=1") == set()
    hazard.__class__.objects.filter(pk=hazard.pk).update(listing_level="city")
    assert _ids(client, "?listed=1") == {hazard.pk}
    assert _ids(client, "?listed=0") == set()


@pytest.mark.parametrize(
    "query",
    ["?closed_after=2026-13-01", "?closed_before=99999-01-01", "?on_time=maybe", "?listed=%3D1"],
)
def test_bad_values_are_ignored_not_errors(client, users, ledger, query):
    client.force_login(users.manager_a)
    assert client.get("/hazards/" + query).status_code == 200
