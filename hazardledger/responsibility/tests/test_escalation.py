"""The escalation job, with the clock moved day by day (issue 14's acceptance): every step
once, in order, to the right level, the right officials told; the job run twice per tick
changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hazardledger.audit.models import AuditEvent
from hazardledger.core.models import OutboxEvent
from hazardledger.hazards.choices import HazardGrade, HazardStatus
from hazardledger.hazards.history import verify_chain
from hazardledger.hazards.models import Hazard, HazardEvent
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import act, hazard_data, plan_approved, plan_data
from hazardledger.notifications.models import Notice
from hazardledger.responsibility.models import Escalation, EscalationStep
from hazardledger.responsibility.services.escalation import (
    escalation_rebuild,
    escalation_tick,
    system_actor,
)

from .conftest import committed

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 2)


def at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def tick(day: date, hour: int = 8) -> Any:
    with time_machine.travel(at(day, hour), tick=False), committed():
        return escalation_tick(workers=1)


def recorded(chain: Any, users: Any, grade: str, deadline: date) -> Hazard:
    """A hazard a Guangzhou inspector found at the Wushan plant on ``START``."""
    with time_machine.travel(at(START, 7), tick=False), committed():
        return hazard_record(
            actor=users.inspector_a,
            site_id=chain.site.pk,
            data=hazard_data(
                grade, found_on=START, deadline=deadline, source="regulatory_inspection"
            ),
        )


def snapshot(hazard: Hazard) -> tuple[int, ...]:
    return (
        HazardEvent.objects.filter(hazard=hazard).count(),
        EscalationStep.objects.filter(hazard=hazard).count(),
        Notice.objects.count(),
        OutboxEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def told(hazard: Hazard, step: str) -> set[str]:
    """Who was told of ``hazard``'s step ``step``."""
    event = OutboxEvent.objects.get(
        topic="hazards.hazard.escalate", object_id=str(hazard.pk), data__step=step
    )
    return set(Notice.objects.filter(event=event).values_list("user__username", flat=True))


def test_a_late_major_hazard_climbs_to_the_province_once_per_step(chain, users):
    deadline = START + timedelta(days=10)
    hazard = recorded(chain, users, HazardGrade.MAJOR, deadline)
    taken: list[tuple[date, str, str, int]] = []
    day = START
    while day <= deadline + timedelta(days=20):
        before = EscalationStep.objects.count()
        tick(day)
        first = snapshot(hazard)
        tick(day, hour=9)  # the job again the same day: nothing more
        assert snapshot(hazard) == first, day
        for step in EscalationStep.objects.order_by("pk")[before:]:
            taken.append((day, step.step, step.region_id, step.days))
        day += timedelta(days=1)

    # Half the delays, rounded up: 2 days before, then 1, 4, 8 and 15 days overdue.
    assert taken == [
        (deadline - timedelta(days=2), "reminder", "440106001", -2),
        (deadline + timedelta(days=1), "due", "440106", 1),
        (deadline + timedelta(days=4), "county", "440106", 4),
        (deadline + timedelta(days=8), "city", "4401", 8),
        (deadline + timedelta(days=15), "province", "44", 15),
    ]
    # Each step is an event of the hazard's verified history, with its outbox event.
    events = list(HazardEvent.objects.filter(hazard=hazard, action="escalate").order_by("seq"))
    assert [(e.data["step"], e.data["region_code"]) for e in events] == [
        (step, region) for _day, step, region, _days in taken
    ]
    assert {e.to_status for e in events} == {HazardStatus.RECORDED}
    assert all(e.changes == {} for e in events)
    hazard.refresh_from_db()
    assert hazard.version == 1  # nobody's open page went stale
    chain_problems = verify_chain(
        hazard_id=hazard.pk,
        head=hazard.history_head,
        length=hazard.history_seq,
        events=HazardEvent.objects.filter(hazard=hazard).order_by("seq"),
    )
    assert chain_problems == []
    outbox = OutboxEvent.objects.get(topic="hazards.hazard.escalate", data__step="county")
    assert {k: outbox.data[k] for k in ("step", "reason", "region_code", "days")} == {
        "step": "county",
        "reason": "overdue",
        "region_code": "440106",
        "days": 4,
    }
    assert outbox.data["changes"] == {}

    # The right officials were told of each step.
    assert told(hazard, "reminder") == {"officer_a", "principal_a"}
    assert told(hazard, "due") == {"principal_a", "th_inspector"}
    assert told(hazard, "county") == {"th_leader", "th_inspector", "th_office"}
    assert told(hazard, "city") == {"auditor", "inspector_a", "manager_a"}
    assert told(hazard, "province") == {"gd_inspector", "gd_office"}

    row = Escalation.objects.get(pk=hazard.pk)
    assert (row.next_step, row.next_due_on, row.last_step) == ("", None, "province")


def test_a_general_hazard_takes_the_full_delays(chain, users):
    deadline = START + timedelta(days=5)
    hazard = recorded(chain, users, HazardGrade.GENERAL, deadline)
    days = {}
    day = START
    while day <= deadline + timedelta(days=31):
        before = EscalationStep.objects.count()
        tick(day)
        for step in EscalationStep.objects.order_by("pk")[before:]:
            days[step.step] = (day - deadline).days
        day += timedelta(days=1)
    assert days == {"reminder": -3, "due": 1, "county": 7, "city": 15, "province": 30}
    assert EscalationStep.objects.filter(hazard=hazard).count() == 5


def test_a_job_that_was_down_catches_up_in_order_and_skips_a_late_reminder(chain, users):
    deadline = START + timedelta(days=5)
    hazard = recorded(chain, users, HazardGrade.MAJOR, deadline)
    report = tick(deadline + timedelta(days=9))
    steps = list(EscalationStep.objects.filter(hazard=hazard).order_by("pk"))
    assert [s.step for s in steps] == ["due", "county", "city"]
    assert report.skipped == 1  # the reminder came after the deadline: moot
    assert [e.data["step"] for e in HazardEvent.objects.filter(action="escalate")] == [
        "due",
        "county",
        "city",
    ]


def test_a_new_deadline_starts_a_new_track_and_closing_stops_it(chain, users):
    deadline = START + timedelta(days=5)
    hazard = recorded(chain, users, HazardGrade.GENERAL, deadline)
    with time_machine.travel(at(START, 10), tick=False), committed():
        hazard = plan_approved(hazard, users.officer_a, data=plan_data(deadline=deadline))
    tick(deadline + timedelta(days=8))  # due and county
    assert EscalationStep.objects.filter(hazard=hazard).count() == 2
    # A rectification order moves the deadline: the steps start again from it.
    later = deadline + timedelta(days=30)
    with time_machine.travel(at(deadline + timedelta(days=8), 11), tick=False), committed():
        hazard = act(
            hazard,
            "order",
            users.inspector_a,
            data={"order_id": 7, "document_number": "穗应急责改〔2026〕7号", "deadline": later},
        )
    row = Escalation.objects.get(pk=hazard.pk)
    assert (row.reason, row.basis_on, row.next_step) == ("overdue", later, "reminder")
    assert row.next_due_on == later - timedelta(days=3)
    tick(later - timedelta(days=3))
    assert EscalationStep.objects.filter(hazard=hazard, basis_on=later).count() == 1
    # Submitting (the work is done) takes the hazard off the overdue track.
    with time_machine.travel(at(later - timedelta(days=2)), tick=False), committed():
        hazard = act(hazard, "submit", users.officer_a)
    row.refresh_from_db()
    assert (row.next_step, row.next_due_on) == ("", None)
    assert tick(later + timedelta(days=40)).taken == 0


def test_a_late_review_climbs_the_reviewing_bodys_chain(chain, users):
    deadline = START + timedelta(days=30)
    hazard = recorded(chain, users, HazardGrade.MAJOR, deadline)
    with time_machine.travel(at(START, 10), tick=False), committed():
        hazard = plan_approved(hazard, users.officer_a, data=plan_data(deadline=deadline))
        hazard = act(hazard, "submit", users.officer_a)
    assert hazard.review_due == START + timedelta(days=10)
    row = Escalation.objects.get(pk=hazard.pk)
    assert (row.reason, row.basis_on) == ("review_overdue", hazard.review_due)
    taken = []
    day = START
    while day <= hazard.review_due + timedelta(days=16):
        before = EscalationStep.objects.count()
        tick(day)
        taken += [
            (s.step, s.region_id, s.reason) for s in EscalationStep.objects.order_by("pk")[before:]
        ]
        day += timedelta(days=1)
    # The reviewing body is the sector regulator (Tianhe's bureau): it is reminded and told,
    # then its county, city and province.
    assert taken == [
        ("reminder", "440106", "review_overdue"),
        ("due", "440106", "review_overdue"),
        ("county", "440106", "review_overdue"),
        ("city", "4401", "review_overdue"),
        ("province", "44", "review_overdue"),
    ]
    assert told(hazard, "reminder") == {"th_inspector"}


def test_a_regraded_hazard_follows_its_new_grades_delays(chain, users):
    deadline = START + timedelta(days=5)
    hazard = recorded(chain, users, HazardGrade.GENERAL, deadline)
    tick(deadline + timedelta(days=1))  # due
    row = Escalation.objects.get(pk=hazard.pk)
    assert (row.next_step, row.next_due_on) == ("county", deadline + timedelta(days=7))
    with time_machine.travel(at(deadline + timedelta(days=2)), tick=False), committed():
        act(hazard, "regrade", users.inspector_a)
    row.refresh_from_db()
    assert (row.grade, row.next_step, row.next_due_on) == (
        "major",
        "county",
        deadline + timedelta(days=4),
    )


def test_the_rebuild_leaves_taken_steps_taken(chain, users):
    deadline = START + timedelta(days=5)
    hazard = recorded(chain, users, HazardGrade.MAJOR, deadline)
    tick(deadline + timedelta(days=4))  # due and county (the reminder was late)
    Escalation.objects.all().delete()
    assert escalation_rebuild() == 1
    row = Escalation.objects.get(pk=hazard.pk)
    assert row.next_step == "city"
    assert tick(deadline + timedelta(days=4)).taken == 0
    assert escalation_rebuild() == 0  # nothing to correct
    # A row reset behind its steps (by hand, say) does not repeat them either.
    Escalation.objects.filter(pk=hazard.pk).update(
        next_step="due", next_due_on=deadline + timedelta(days=1)
    )
    report = tick(deadline + timedelta(days=4))
    assert report.taken == 0 and report.synced == 1
    assert EscalationStep.objects.filter(hazard=hazard).count() == 2


def test_a_tick_with_nothing_due_asks_little(chain, users, django_assert_max_num_queries):
    recorded(chain, users, HazardGrade.GENERAL, START + timedelta(days=30))
    system_actor()
    with django_assert_max_num_queries(2), time_machine.travel(at(START, 9), tick=False):
        assert escalation_tick(workers=1).taken == 0
