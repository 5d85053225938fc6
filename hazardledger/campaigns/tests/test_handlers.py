"""The outbox handlers keep the counters exactly once, whatever runs again; who is told when
tasks are issued; the weekly job is registered; the rebuild command."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from hazardledger.campaigns.choices import FIGURES
from hazardledger.campaigns.models import CampaignHazard, Progress, Task
from hazardledger.campaigns.services import campaign_issue, campaign_take_up, task_inspect
from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import handlers_for
from hazardledger.core.periodic import periodic_jobs
from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import hazard_data
from hazardledger.inspections.sync import inspection_sync
from hazardledger.inspections.tests.conftest import sync_document
from hazardledger.notifications.models import Notice

from .conftest import committed, province_input, take_up_input, today


@pytest.fixture
def running(mines):
    w = mines
    start, end = today() - timedelta(days=20), today() + timedelta(days=60)
    with committed():
        w.province = campaign_issue(actor=w.gd, data=province_input(start, end))
    with committed():
        w.city = campaign_take_up(
            actor=w.shaoguan, parent=w.province, data=take_up_input(w.province, "4402", [])
        )
    return w


def _totals(root):
    rows = Progress.objects.filter(campaign=root)
    return {f: sum(getattr(r, f) for r in rows) for f in FIGURES}


def test_handling_every_event_again_changes_no_counter(running):
    w = running
    task = Task.objects.get(root=w.province, site=w.pit_metal)
    with committed():
        inspection = task_inspect(actor=w.sg_inspector, task=task)
    with committed():
        inspection_sync(
            actor=w.sg_inspector,
            inspection=inspection,
            document=sync_document(inspection, fail={"nm-op-07": "监测停用"}),
        )
    with committed():
        hazard_record(
            actor=w.e1.officer, site_id=w.deep_metal.pk, data=hazard_data(HazardGrade.MAJOR)
        )
    before = _totals(w.province)
    assert before["inspected"] == 1 and before["major"] == 1
    for event in OutboxEvent.objects.filter(topic__startswith="inspections.").union(
        OutboxEvent.objects.filter(topic__startswith="hazards.")
    ):
        for handler in handlers_for(event.topic):
            if handler.name.startswith("campaigns."):
                handler.func(event)
    assert _totals(w.province) == before
    assert CampaignHazard.objects.filter(campaign=w.province).count() == 1


def test_the_bodies_with_tasks_and_the_principals_are_told(running):
    notices = Notice.objects.filter(kind="campaigns.tasks")
    assert set(notices.values_list("user__username", flat=True)) == {"sg-nr", "qj-nr"}
    principals = Notice.objects.filter(kind="campaigns.self_inspection")
    assert set(principals.values_list("user__username", flat=True)) == {"e1-boss"}
    # The province's own issue told the cities' offices to take it up.
    take_up = Notice.objects.filter(kind="campaigns.take_up")
    assert {"office-4402", "office-4418", "office-4409"} <= set(
        take_up.values_list("user__username", flat=True)
    )


def test_the_weekly_report_job_is_registered():
    job = next(j for j in periodic_jobs() if j.name == "campaigns.weekly_reports")
    assert job.cron == "0 7 * * 1"


def test_the_rebuild_command_makes_the_same_counters(running):
    w = running
    with committed():
        hazard_record(actor=w.e1.officer, site_id=w.deep_coal.pk, data=hazard_data())
    kept = _totals(w.province)
    Progress.objects.filter(campaign=w.province).delete()
    out = io.StringIO()
    call_command("campaign_progress_rebuild", str(w.city.pk), stdout=out)
    assert _totals(w.province) == kept
    assert "11 sites" in out.getvalue()
