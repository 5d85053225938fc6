"""Two workers run the escalation job at the same moment, each in its own connection and
transactions (PostgreSQL: real row locks between connections): every step is taken exactly
once (issue 14's acceptance)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from hazardledger.hazards.models import HazardEvent
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import hazard_data
from hazardledger.responsibility.models import EscalationStep
from hazardledger.responsibility.services.escalation import escalation_tick, system_actor

from .test_escalation import START, at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

HAZARDS = 24


def _late_hazards(chain, users) -> list[int]:
    """``HAZARDS`` general hazards whose deadline passed 8 days before the ticks: each has its
    due and county steps to take (its reminder came too late)."""
    deadline = START + timedelta(days=5)
    ids = []
    with time_machine.travel(at(START, 7), tick=False):
        for n in range(HAZARDS):
            hazard = hazard_record(
                actor=users.inspector_a,
                site_id=chain.site.pk,
                data=hazard_data(
                    description=f"第{n}号储罐液位计失灵",
                    found_on=START,
                    deadline=deadline,
                    source="regulatory_inspection",
                ),
            )
            ids.append(hazard.pk)
    system_actor()
    return ids


def _run_at_once(count: int, **kwargs) -> list:
    barrier = threading.Barrier(count)
    reports, errors = [], []

    def worker() -> None:
        try:
            barrier.wait()
            reports.append(escalation_tick(**kwargs))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(at(START + timedelta(days=13)), tick=False):
        threads = [threading.Thread(target=worker) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    return reports


def _each_step_once(ids: list[int]) -> None:
    steps = Counter(EscalationStep.objects.values_list("hazard_id", "step"))
    assert steps == Counter({(pk, step): 1 for pk in ids for step in ("due", "county")})
    events = Counter(
        (e.hazard_id, e.data["step"]) for e in HazardEvent.objects.filter(action="escalate")
    )
    assert events == steps


def test_two_workers_at_once_take_each_step_exactly_once(chain, users):
    ids = _late_hazards(chain, users)
    reports = _run_at_once(2, workers=1, batch=5)
    assert sum(r.taken for r in reports) == 2 * HAZARDS
    _each_step_once(ids)


def test_two_workers_with_two_threads_each(chain, users):
    ids = _late_hazards(chain, users)
    reports = _run_at_once(2, workers=2, processes=False, batch=3)
    assert sum(r.taken for r in reports) == 2 * HAZARDS
    _each_step_once(ids)
    # Run again: nothing is left to take.
    assert _run_at_once(2, workers=2, processes=False, batch=3)[0].taken == 0
    _each_step_once(ids)
