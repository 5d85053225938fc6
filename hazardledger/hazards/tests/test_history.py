"""The history is append-only and tamper-evident; concurrent actions never both win."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections, connection, transaction

from hazardledger.hazards import workflow
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.history import event_hash, verify_all
from hazardledger.hazards.models import Hazard, HazardEvent

from .factories import act, hazard_in_state, plan_data

# Messages are matched by their English source text.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _behind_the_back(sql: str, params: list) -> None:
    """Run SQL as someone with direct database access. On PostgreSQL that takes a superuser
    switching triggers off for the session (``session_replication_role``): the append-only
    trigger stops everyone else."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def closed_hazard(users, sites):
    """A closed general hazard: four events (recorded, planned, submitted, accepted). (A major
    hazard's plan is approved too since issue 12, which would make five.)"""
    return hazard_in_state(
        status=HazardStatus.CLOSED,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )


def _verify(capsys=None) -> str:
    with pytest.raises(CommandError) as info:
        call_command("verify_history")
    return str(info.value)


def test_intact_history_verifies(closed_hazard, capsys):
    call_command("verify_history")
    assert "4 events: 0 problem(s)" in capsys.readouterr().out


def test_altered_event_is_reported_by_hazard_and_event(closed_hazard, capsys):
    event = closed_hazard.events.get(seq=2)
    _behind_the_back(
        "UPDATE hazards_hazardevent SET reason = %s WHERE id = %s", ["改过的理由", event.pk]
    )
    summary = _verify()
    err = capsys.readouterr().err
    assert "1 problem(s)" in summary
    assert f"hazard {closed_hazard.pk} event 2 (id {event.pk}): altered" in err


def test_altered_actor_with_recomputed_hash_breaks_the_link(closed_hazard, capsys):
    """A forger who recomputes the hash of the event they changed still breaks the next link."""
    event = closed_hazard.events.get(seq=3)
    event.actor_name = "别人"
    forged = event_hash(event)
    _behind_the_back(
        "UPDATE hazards_hazardevent SET actor_name = %s, hash = %s WHERE id = %s",
        ["别人", forged, event.pk],
    )
    _verify()
    err = capsys.readouterr().err
    assert f"hazard {closed_hazard.pk} event 4" in err and "does not follow" in err


def test_deleted_event_is_reported(closed_hazard, capsys):
    event = closed_hazard.events.get(seq=2)
    _behind_the_back("DELETE FROM hazards_hazardevent WHERE id = %s", [event.pk])
    _verify()
    err = capsys.readouterr().err
    assert f"hazard {closed_hazard.pk} event 3" in err
    assert "events 2 before it are missing (deleted)" in err


def test_deleted_last_event_is_reported(closed_hazard, capsys):
    event = closed_hazard.events.get(seq=4)
    _behind_the_back("DELETE FROM hazards_hazardevent WHERE id = %s", [event.pk])
    _verify()
    err = capsys.readouterr().err
    assert (
        f"hazard {closed_hazard.pk}: the history should end at event 4; events 4 are missing" in err
    )


def test_inserted_event_is_reported(closed_hazard, capsys):
    last = closed_hazard.events.get(seq=4)
    fake = HazardEvent(
        hazard_id=closed_hazard.pk,
        region_id=closed_hazard.region_id,
        seq=5,
        action=HazardAction.REOPEN,
        from_status=HazardStatus.CLOSED,
        to_status=HazardStatus.REOPENED,
        actor_name="伪造",
        created_at=last.created_at,
        prev_hash=last.hash,
    )
    fake.hash = event_hash(fake)
    fake.save()
    _verify()
    err = capsys.readouterr().err
    assert f"hazard {closed_hazard.pk} event 5 (id {fake.pk}): added behind" in err


def test_hazard_deleted_with_its_history_is_reported(users, sites, capsys):
    hazard = hazard_in_state(
        status=HazardStatus.RECORDED,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    _behind_the_back("DELETE FROM hazards_evidence WHERE hazard_id = %s", [hazard.pk])
    _behind_the_back("DELETE FROM hazards_hazardevent WHERE hazard_id = %s", [hazard.pk])
    _behind_the_back("DELETE FROM hazards_hazard WHERE id = %s", [hazard.pk])
    _verify()
    assert f"hazard {hazard.pk}: was recorded" in capsys.readouterr().err


def test_verify_all_counts(closed_hazard):
    hazards, events, problems = verify_all()
    assert (hazards, events, problems) == (1, 4, [])


@pytest.mark.parametrize(
    "statement", ["UPDATE hazards_hazardevent SET reason = 'x'", "DELETE FROM hazards_hazardevent"]
)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgres_refuses_update_and_delete_of_history(closed_hazard, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        HazardEvent.objects.filter(hazard=closed_hazard).update(reason="x")
    assert closed_hazard.events.count() == 4
    assert verify_all()[2] == []


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_users_act_at_once_one_wins(users, sites, monkeypatch):
    """Two connections plan the same hazard at once. The first holds its row lock a while;
    the second's conditional UPDATE waits on it, then matches no row: a conflict."""
    hazard = hazard_in_state(
        status=HazardStatus.RECORDED,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    events_before = hazard.events.count()
    original_append = workflow.history_append
    first_in = threading.Event()

    def slow_append(**kwargs):
        if not first_in.is_set():
            first_in.set()
            time.sleep(0.5)  # keep the row locked while the other thread tries
        return original_append(**kwargs)

    monkeypatch.setattr(workflow.service, "history_append", slow_append)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def worker(actor, person):
        try:
            mine = Hazard.objects.get(pk=hazard.pk)  # each thread: its own connection
            barrier.wait()
            workflow.hazard_transition(
                hazard=mine,
                action=HazardAction.PLAN,
                actor=actor,
                expected_version=mine.version,
                data=plan_data(responsible_person=person),
            )
            outcomes[person] = "ok"
        except workflow.ConcurrentEditError as exc:
            outcomes[person] = str(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(users.officer_a, "officer")),
        threading.Thread(target=worker, args=(users.principal_a, "principal")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values(), key=len)[0] == "ok"
    assert list(outcomes.values()).count("ok") == 1
    loser = next(v for v in outcomes.values() if v != "ok")
    assert "Someone else acted on this hazard" in loser
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.events.count() == events_before + 1
    assert hazard.plans.count() == 1
    assert verify_all()[2] == []


def test_stale_page_conflict_message(users, sites):
    hazard = hazard_in_state(
        status=HazardStatus.RECORDED,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    stale = Hazard.objects.get(pk=hazard.pk)
    act(hazard, HazardAction.PLAN, users.officer_a)
    with pytest.raises(workflow.ConcurrentEditError) as info:
        workflow.hazard_transition(
            hazard=stale,
            action=HazardAction.PLAN,
            actor=users.principal_a,
            expected_version=stale.version,
            data=plan_data(),
        )
    assert "Nothing was saved" in str(info.value)
    assert hazard.events.count() == 2
