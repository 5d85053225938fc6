"""Every change to an inspection writes one outbox event in its transaction, with the data the
event contract names; other apps react after commit (a regulator's visit schedules the site's
next inspection) and a failing reaction never undoes the inspection."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.core.errors import Invalid
from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import outbox_dispatch, register_handler, unregister_handler
from hazardledger.inspections.choices import InspectionStatus
from hazardledger.inspections.draws import draw_perform, draw_seal
from hazardledger.inspections.models import HazardDraft, Inspection
from hazardledger.inspections.services import (
    hazard_draft_confirm,
    hazard_draft_dismiss,
    inspection_plan,
    inspection_start,
    recheck_decide,
    recheck_finish,
)
from hazardledger.inspections.sync import inspection_sync
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.risks.models import SiteInspectionSchedule

from .conftest import committed, submitted_major_hazard, sync_document

CONTRACT_KEYS = {"site_id", "kind", "status", "changes"}


def _events(topic_suffix: str = "") -> list[OutboxEvent]:
    return list(
        OutboxEvent.objects.filter(topic__startswith="inspections.inspection.")
        .filter(topic__endswith=topic_suffix)
        .order_by("pk")
    )


def _plan(users, sites, checklists, *, actor=None, kind="routine", start=False):
    return inspection_plan(
        actor=actor or users.inspector_a,
        site=sites.plant_a,
        kind=kind,
        checklist=checklists["hazardous_chemicals"],
        planned_on=timezone.localdate(),
        start=start,
    )


def test_planning_writes_a_plan_event_with_the_contract_data(checklists, users, sites):
    inspection = _plan(users, sites, checklists)
    [event] = _events()
    assert event.topic == "inspections.inspection.plan"
    assert (event.object_type, event.object_id) == ("inspections.inspection", str(inspection.pk))
    assert event.region_code == "440112001" and event.actor_id == users.inspector_a.pk
    assert set(event.data) == CONTRACT_KEYS
    assert event.data["site_id"] == sites.plant_a.pk
    assert event.data["kind"] == "routine" and event.data["status"] == "planned"
    assert event.data["changes"]["status"] == [None, "planned"]
    assert event.data["changes"]["planned_on"] == [None, timezone.localdate().isoformat()]
    assert event.data["changes"]["inspector_ids"] == [[], [users.inspector_a.pk]]


def test_starting_writes_a_begin_event(checklists, users, sites):
    started_at_once = _plan(users, sites, checklists, start=True)
    planned = _plan(users, sites, checklists)
    colleague = UserFactory(role=Role.INSPECTOR, organisation=users.inspector_a.organisation)
    inspection_start(actor=colleague, inspection=planned)
    begin = _events(".begin")
    assert [e.object_id for e in begin] == [str(started_at_once.pk), str(planned.pk)]
    assert begin[0].data["status"] == "in_progress"
    assert begin[1].data["changes"]["status"] == ["planned", "in_progress"]
    assert begin[1].data["changes"]["inspector_ids"] == [
        [users.inspector_a.pk],
        sorted([users.inspector_a.pk, colleague.pk]),
    ]


def test_a_submission_writes_one_submit_event_with_kind_and_inspected_on(checklists, users, sites):
    inspection = _plan(users, sites, checklists, start=True)
    document = sync_document(inspection, fail={"hc-12": "报警器缺失"})
    inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    [event] = _events(".submit")
    draft = HazardDraft.objects.get(inspection=inspection)
    assert set(event.data) == CONTRACT_KEYS | {"inspected_on"}
    assert event.data["inspected_on"] == timezone.localdate().isoformat()
    assert event.data["kind"] == "routine" and event.data["status"] == "submitted"
    assert event.data["changes"]["status"] == ["in_progress", "submitted"]
    assert event.data["changes"]["latitude"] == [None, "23.100000"]
    assert event.data["changes"]["draft_ids"] == [[], [draft.pk]]
    # A replay of the same document writes nothing, so no second event either.
    inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    assert len(_events(".submit")) == 1


def test_a_refused_submission_writes_no_event(checklists, users, sites):
    inspection = _plan(users, sites, checklists, start=True)
    document = sync_document(inspection)
    document["results"] = document["results"][1:]
    with pytest.raises(Invalid):
        inspection_sync(actor=users.inspector_a, inspection=inspection, document=document)
    assert _events(".submit") == []


def test_deciding_drafts_writes_their_events(checklists, users, sites):
    inspection = _plan(users, sites, checklists, start=True)
    with committed():
        inspection_sync(
            actor=users.inspector_a,
            inspection=inspection,
            document=sync_document(inspection, fail={"hc-g01": "标志褪色", "hc-g02": "灭火器过期"}),
        )
    first, second = HazardDraft.objects.filter(inspection=inspection).order_by("pk")
    hazard = hazard_draft_confirm(actor=users.inspector_a, draft=first, data={})
    hazard_draft_dismiss(actor=users.inspector_a, draft=second, reason="已当场整改")
    confirm, dismiss = _events(".draft_confirm") + _events(".draft_dismiss")
    assert confirm.data["changes"][f"drafts.{first.pk}.status"] == ["draft", "recorded"]
    assert confirm.data["changes"][f"drafts.{first.pk}.hazard_id"] == [None, hazard.pk]
    assert dismiss.data["changes"] == {f"drafts.{second.pk}.status": ["draft", "dismissed"]}
    assert confirm.data["status"] == dismiss.data["status"] == "submitted"


def test_a_recheck_writes_its_decision_and_its_submission(users, sites):
    hazard = submitted_major_hazard(users, sites)
    recheck = inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="recheck",
        checklist=None,
        planned_on=timezone.localdate(),
        start=True,
    )
    recheck_decide(
        actor=users.inspector_a,
        inspection=recheck,
        hazard=hazard,
        outcome="accept",
        expected_version=hazard.version,
    )
    recheck_finish(actor=users.inspector_a, inspection=recheck)
    [decide] = _events(".recheck_decide")
    assert decide.data["changes"] == {f"recheck_decisions.{hazard.pk}": [None, "accept"]}
    [submit] = _events(".submit")
    assert submit.data["kind"] == "recheck"
    assert submit.data["inspected_on"] == timezone.localdate().isoformat()
    assert submit.data["changes"]["status"] == ["in_progress", "submitted"]


def test_a_draw_writes_one_plan_event_per_planned_inspection(checklists, users, orgs):
    colleague = UserFactory(role=Role.INSPECTOR, organisation=orgs.gz_em)
    for n in range(3):
        SiteFactory(
            name=f"化工厂{n}",
            kind="chemical_plant",
            sector_id="hazardous_chemicals",
            region_id="440112001",
            organisation=orgs.ent_a,
        )
    draw = draw_seal(
        actor=users.inspector_a,
        title="抽查",
        regions=["4401"],
        sectors=["hazardous_chemicals"],
        site_kinds=[],
        size=2,
        inspector_ids=[users.inspector_a.pk, colleague.pk],
        planned_on=timezone.localdate() + timedelta(days=3),
        seed=11,
    )
    assert _events() == []  # sealing plans nothing
    draw = draw_perform(actor=users.inspector_a, draw=draw)
    events = _events(".plan")
    planned = Inspection.objects.filter(draw=draw).order_by("pk")
    assert [e.object_id for e in events] == [str(i.pk) for i in planned]
    for event, pair in zip(events, draw.result["pairs"], strict=True):
        assert event.data["kind"] == "double_random" and event.data["status"] == "planned"
        assert event.data["changes"]["draw_id"] == [None, draw.pk]
        assert event.data["changes"]["inspector_ids"] == [[], pair]


# --- what other apps do with the events ----------------------------------------------------------


def _post_sync(client, inspection, document):
    return client.post(
        reverse("inspections:inspection-sync", kwargs={"uuid": inspection.uuid}),
        data=json.dumps(document),
        content_type="application/json",
    )


def test_a_regulators_submission_schedules_the_sites_next_inspection(
    client, checklists, users, sites
):
    inspection = _plan(users, sites, checklists, start=True)
    client.force_login(users.inspector_a)
    with committed():
        response = _post_sync(client, inspection, sync_document(inspection))
    assert response.status_code == 200
    schedule = SiteInspectionSchedule.objects.get(site=sites.plant_a)
    assert schedule.last_inspected_on == timezone.localdate()


def test_a_self_inspection_does_not_count_as_a_visit(client, checklists, users, sites):
    inspection = _plan(users, sites, checklists, actor=users.officer_a, kind="self", start=True)
    client.force_login(users.officer_a)
    with committed():
        response = _post_sync(client, inspection, sync_document(inspection))
    assert response.status_code == 200
    [event] = _events(".submit")
    assert event.data["kind"] == "self"
    assert not SiteInspectionSchedule.objects.filter(site=sites.plant_a).exists()


def test_a_failing_handler_leaves_the_submission_saved_and_is_retried(
    client, checklists, users, sites
):
    inspection = _plan(users, sites, checklists, start=True)
    seen: list[int] = []

    def flaky(event: OutboxEvent) -> None:
        seen.append(event.pk)
        if len(seen) == 1:
            raise RuntimeError("the notification service is down")

    register_handler(name="tests.flaky", topics=["inspections.inspection.submit"], func=flaky)
    try:
        client.force_login(users.inspector_a)
        with committed():
            response = _post_sync(client, inspection, sync_document(inspection))
        assert response.status_code == 200 and response.json()["replayed"] is False
        inspection.refresh_from_db()
        assert inspection.status == InspectionStatus.SUBMITTED
        [event] = _events(".submit")
        assert event.done_at is None and event.attempts == 1
        assert "notification service is down" in event.last_error
        # The sweep's retry handles it; the handlers that succeeded are not run again.
        assert outbox_dispatch(event_id=event.pk, now=event.retry_at) is True
        event.refresh_from_db()
        assert event.done_at is not None and seen == [event.pk, event.pk]
        assert "risks.record_visit" in event.handled and "tests.flaky" in event.handled
    finally:
        unregister_handler("tests.flaky")


def test_an_event_is_written_only_if_the_change_commits(checklists, users, sites):
    with pytest.raises(RuntimeError), transaction.atomic():
        _plan(users, sites, checklists)
        raise RuntimeError("the entry point failed after planning")
    assert not Inspection.objects.exists()
    assert _events() == []
