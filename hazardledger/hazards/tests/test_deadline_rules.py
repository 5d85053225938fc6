"""Every hazard has one deadline (issue 12, item 1): set when recorded, shortened by the plan,
moved only by events, entered again on reopening, shown once with its history."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import reverse

from hazardledger.core.errors import Invalid
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.history import verify_all
from hazardledger.hazards.models import Hazard, HazardEvent

from .factories import act, hazard_in_state, plan_data, record

pytestmark = pytest.mark.django_db
A, S = HazardAction, HazardStatus


@pytest.mark.parametrize(("grade", "days"), [(HazardGrade.GENERAL, 30), (HazardGrade.MAJOR, 90)])
def test_recording_gives_the_default_deadline_for_the_grade(users, sites, grade, days):
    found = local_today() - timedelta(days=3)
    hazard = record(sites.plant_a, users.officer_a, grade, found_on=found)
    assert hazard.deadline == found + timedelta(days=days)
    assert hazard.events.get().changes["deadline"] == [None, hazard.deadline.isoformat()]


def test_the_default_deadlines_are_configurable(users, sites, settings):
    settings.HAZARD_DEADLINE_DAYS_GENERAL = 7
    hazard = record(sites.plant_a, users.officer_a)
    assert hazard.deadline == local_today() + timedelta(days=7)


def test_a_regulator_sets_the_deadline_when_recording_an_enterprise_does_not(users, sites):
    deadline = local_today() + timedelta(days=12)
    hazard = record(sites.plant_a, users.inspector_a, deadline=deadline)
    assert hazard.deadline == deadline
    with pytest.raises(Invalid) as info:
        record(sites.plant_a, users.officer_a, deadline=deadline)
    assert "deadline" in info.value.message_dict


def test_the_plan_may_shorten_the_deadline_but_not_extend_it(users, sites):
    hazard = record(sites.plant_a, users.officer_a)
    later = hazard.deadline + timedelta(days=1)
    with pytest.raises(Invalid) as info:
        act(hazard, A.PLAN, users.officer_a, data=plan_data(deadline=later))
    assert "deadline" in info.value.message_dict
    sooner = hazard.deadline - timedelta(days=10)
    hazard = act(hazard, A.PLAN, users.officer_a, data=plan_data(deadline=sooner))
    assert hazard.deadline == sooner == hazard.plans.get().deadline
    assert hazard.events.order_by("-seq").first().changes["deadline"][1] == sooner.isoformat()


def test_a_plan_without_a_date_keeps_the_hazards_deadline(users, sites):
    hazard = record(sites.plant_a, users.officer_a)
    hazard = act(hazard, A.PLAN, users.officer_a, data=plan_data(deadline=None) | {"deadline": ""})
    assert hazard.plans.get().deadline == hazard.deadline


def test_reopening_requires_the_new_deadline(users, sites):
    hazard = hazard_in_state(
        status=S.CLOSED,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    with pytest.raises(Invalid) as info:
        act(hazard, A.REOPEN, users.inspector_a, data={})
    assert "deadline" in info.value.message_dict
    new = local_today() + timedelta(days=14)
    hazard = act(hazard, A.REOPEN, users.inspector_a, data={"deadline": new})
    assert hazard.deadline == new


def test_an_approved_extension_moves_the_open_plans_deadline_too(users, sites):
    hazard = hazard_in_state(
        status=S.RECTIFYING,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
        pending_extension=True,
    )
    requested = hazard.extensions.get().requested_deadline
    hazard = act(hazard, A.APPROVE_EXTENSION, users.principal_a)
    assert hazard.deadline == requested == hazard.plans.get(closed_at__isnull=True).deadline


def test_the_hazard_page_shows_the_deadline_once_with_its_history(client, users, sites, english):
    hazard = hazard_in_state(
        status=S.RECTIFYING,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
        pending_extension=True,
    )
    first = hazard.deadline
    hazard = act(hazard, A.APPROVE_EXTENSION, users.principal_a)
    client.force_login(users.officer_a)
    html = client.get(reverse("hazards:hazard-detail", args=[hazard.pk])).content.decode()
    assert html.count('data-testid="deadline"') == 1
    assert f'data-testid="deadline">{hazard.deadline:%Y-%m-%d}<' in html
    history = html.split('data-testid="deadline-history"', 1)[1].split("</ul>", 1)[0]
    assert f"{first:%Y-%m-%d} → {hazard.deadline:%Y-%m-%d}" in history
    # The plan card no longer repeats a second date.
    plan_card = html.split("five implementations", 1)[1].split("</dl>", 1)[0]
    assert f"{first:%Y-%m-%d}" not in plan_card and f"{hazard.deadline:%Y-%m-%d}" not in plan_card


def test_a_reopened_hazard_shows_its_new_deadline_not_a_dash(client, users, sites):
    hazard = hazard_in_state(
        status=S.REOPENED,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    client.force_login(users.officer_a)
    html = client.get(reverse("hazards:hazard-detail", args=[hazard.pk])).content.decode()
    assert f'data-testid="deadline">{hazard.deadline:%Y-%m-%d}<' in html


def test_the_backfill_gives_open_hazards_the_default_as_a_verified_system_event(users, sites):
    """Migration 0006 on hazards recorded before every hazard had a deadline."""
    from importlib import import_module

    backfill = import_module("hazardledger.hazards.migrations.0006_backfill_deadlines").backfill
    found = local_today() - timedelta(days=40)
    open_one = record(sites.plant_a, users.officer_a, HazardGrade.MAJOR, found_on=found)
    by_inspection = record(sites.plant_a, users.officer_a, source="regulatory_inspection")
    closed = hazard_in_state(
        status=S.CLOSED,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    # As the columns were before the migration.
    Hazard.objects.update(deadline=None, regulator_found=False)
    backfill(apps, None)
    open_one.refresh_from_db()
    by_inspection.refresh_from_db()
    closed.refresh_from_db()
    assert open_one.deadline == found + timedelta(days=90)
    assert by_inspection.regulator_found is True
    assert closed.deadline is None and closed.history_seq == 4
    event = HazardEvent.objects.get(hazard=open_one, action="system_update")
    assert (event.actor_id, event.actor_name) == (None, "system")
    assert event.changes == {"deadline": [None, open_one.deadline.isoformat()]}
    # Migration 0008 gives these system events their audit entries.
    import_module("hazardledger.hazards.migrations.0008_system_events_audited").backfill(
        apps, SimpleNamespace(connection=SimpleNamespace(alias="default"))
    )
    # (The closed hazard's deadline was emptied behind its history's back to imitate the
    # columns before the migration: only the two the migration changed are checked.)
    assert verify_all(hazard_ids=[open_one.pk, by_inspection.pk])[2] == []


def test_a_hazard_a_regulator_found_is_marked_so(users, sites):
    assert record(sites.plant_a, users.inspector_a).regulator_found is True
    assert record(sites.plant_a, users.officer_a, source="regulatory_inspection").regulator_found
    assert record(sites.plant_a, users.officer_a).regulator_found is False
