"""The demo province's hazards: every state, overdue and open major ones, intact histories."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse

from hazardledger.accounts.models import User
from hazardledger.core.extensions import demo_steps_clear
from hazardledger.core.models import OutboxEvent
from hazardledger.hazards.choices import HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import overdue_q
from hazardledger.hazards.history import hazard_state, replay, verify_all
from hazardledger.hazards.models import Hazard, HazardEvent
from hazardledger.hazards.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("load_demo", "--sites", "400", stdout=out)
    return out.getvalue()


def test_demo_hazards_cover_every_state_with_intact_histories(demo):
    assert set(Hazard.objects.values_list("status", flat=True)) == set(HazardStatus.values)
    assert 100 <= Hazard.objects.count() <= 140
    assert Hazard.objects.filter(overdue_q()).exists()
    hazards, events, problems = verify_all()
    assert problems == [] and hazards == Hazard.objects.count() and events > hazards
    call_command("verify_history", stdout=io.StringIO())


def test_demo_histories_are_paths_of_the_state_machine(demo):
    status = {}
    for event in HazardEvent.objects.order_by("hazard_id", "seq"):
        if event.seq == 1:
            assert (event.action, event.from_status, event.to_status) == ("record", "", "recorded")
        else:
            assert event.from_status == status[event.hazard_id]
            transition = TRANSITIONS[(event.from_status, event.action)]
            grade = Hazard.objects.get(pk=event.hazard_id).grade
            # Issue 12: the status a move leads to may depend on the grade.
            assert transition.target_for(grade) == event.to_status
            assert transition.permission[grade] is not None
        status[event.hazard_id] = event.to_status
    # Issue 14: the escalation's steps and urgings only add to the record (no version bump).
    keeping = dict(
        HazardEvent.objects.filter(action__in=["escalate", "urge"])
        .values_list("hazard_id")
        .annotate(n=Count("id"))
    )
    for hazard in Hazard.objects.all():
        assert status[hazard.pk] == hazard.status
        assert hazard.version == hazard.history_seq - keeping.get(hazard.pk, 0)


def test_demo_hazards_replay_from_their_chains_and_go_to_the_outbox(demo):
    events = HazardEvent.objects.order_by("hazard_id", "seq")
    for hazard in Hazard.objects.all():
        assert replay(events.filter(hazard=hazard)) == hazard_state(hazard), hazard.pk
    assert set(events.values_list("format", flat=True)) == {2}
    outbox = OutboxEvent.objects.filter(object_type="hazards.hazard")
    assert outbox.count() == events.count()
    for event in events.filter(action="reopen"):
        found = outbox.get(object_id=str(event.hazard_id), topic="hazards.hazard.reopen")
        assert found.data["changes"] == event.changes
        assert (found.data["from_status"], found.data["to_status"]) == ("closed", "reopened")


def test_enterprise_a_has_open_major_hazards_for_gz_inspector(client, demo):
    officer = User.objects.get(username="ent-a")
    majors = Hazard.objects.filter(
        organisation_id=officer.organisation_id,
        grade=HazardGrade.MAJOR,
        region__code__startswith="4401",
        sector_id="hazardous_chemicals",
    ).exclude(status__in=[HazardStatus.CLOSED, HazardStatus.VOIDED])
    assert majors.count() >= 2
    client.login(request=HttpRequest(), username="gz-inspector", password="demo")
    sections = {s.key: s for s in client.get(reverse("hazards:hazard-queue")).context["sections"]}
    assert sections["to_accept"].total >= 1 and sections["major"].total >= 2
    assert client.get(reverse("hazards:hazard-list")).status_code == 200
    client.login(request=HttpRequest(), username="ent-a", password="demo")
    response = client.get(reverse("hazards:hazard-detail", args=[majors.first().pk]))
    assert response.status_code == 200


def test_demo_scales_with_the_sites_and_can_be_cleared(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", "--sites", "200", stdout=io.StringIO())
    first = list(Hazard.objects.order_by("pk").values_list("site__name", "status", "grade"))
    assert len(first) == 60
    demo_steps_clear("hazards")  # and the steps after it, whose rows point at hazards
    assert not Hazard.objects.exists() and not HazardEvent.objects.exists()
