"""Overdue in Asia/Shanghai calendar dates; the selector other apps use; the risk hook."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from hazardledger.hazards.choices import HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import days_overdue, is_overdue, local_today
from hazardledger.hazards.selectors import site_has_open_major_hazard

from .factories import hazard_in_state, record

pytestmark = pytest.mark.django_db


def test_overdue_from_the_day_after_the_deadline_in_shanghai():
    deadline = date(2026, 3, 10)
    # 23:30 on the 10th in Guangzhou is 15:30 UTC: still the deadline day.
    with time_machine.travel(datetime(2026, 3, 10, 15, 30, tzinfo=UTC)):
        assert local_today() == deadline
        assert not is_overdue(status=HazardStatus.RECTIFYING, deadline=deadline)
    # 00:30 on the 11th in Guangzhou is still the 10th in UTC, but the hazard is overdue.
    with time_machine.travel(datetime(2026, 3, 10, 16, 30, tzinfo=UTC)):
        assert is_overdue(status=HazardStatus.RECTIFYING, deadline=deadline)
        assert days_overdue(status=HazardStatus.RECTIFYING, deadline=deadline) == 1
        assert not is_overdue(status=HazardStatus.CLOSED, deadline=deadline)
        assert not is_overdue(status=HazardStatus.RECORDED, deadline=None)


def test_site_has_open_major_hazard(users, sites):
    assert not site_has_open_major_hazard(site_id=sites.plant_a.pk)
    record(sites.plant_a, users.officer_a)
    assert not site_has_open_major_hazard(site_id=sites.plant_a.pk)
    hazard_in_state(
        status=HazardStatus.CLOSED,
        grade=HazardGrade.MAJOR,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    assert not site_has_open_major_hazard(site_id=sites.plant_a.pk)
    record(sites.plant_a, users.officer_a, HazardGrade.MAJOR)
    assert site_has_open_major_hazard(site_id=sites.plant_a.pk)


def test_recording_a_major_hazard_makes_the_site_major_risk(
    users, sites, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record(sites.plant_a, users.officer_a, HazardGrade.MAJOR)
    assert len(callbacks) == 1
    sites.plant_a.refresh_from_db()
    assert sites.plant_a.risk_level == "major"
