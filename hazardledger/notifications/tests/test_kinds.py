"""What is told to whom: each kind reaches exactly the users the permission policy names,
nobody outside scope, and never the actor; the handler is idempotent."""

from __future__ import annotations

import pytest
from django.utils import translation

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.core.models import OutboxEvent
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardSource
from hazardledger.hazards.services import quick_report_create
from hazardledger.hazards.tests.factories import act, png_upload, record
from hazardledger.notifications.kinds import NoticeKind, register_kind, unregister_kind
from hazardledger.notifications.models import Delivery, Notice
from hazardledger.notifications.services import notices_from_event

pytestmark = pytest.mark.django_db


def told(kind: str) -> set[str]:
    return set(Notice.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_an_inspectors_hazard_is_told_to_the_enterprises_officer_and_principal(users, sites, run):
    hazard = run(
        record, sites.plant_a, users.inspector_a, source=HazardSource.REGULATORY_INSPECTION
    )
    assert told("hazards.recorded_by_inspection") == {"officer_a", "principal_a"}
    notice = Notice.objects.get(kind="hazards.recorded_by_inspection", user=users.officer_a)
    assert notice.url == f"/hazards/{hazard.pk}/"
    assert notice.params["site"] == sites.plant_a.name
    assert f"#{hazard.pk}" in notice.text and sites.plant_a.name in notice.text


def test_the_enterprises_own_hazard_is_not_told_as_an_inspections(users, sites, run):
    run(record, sites.plant_a, users.officer_a)
    assert told("hazards.recorded_by_inspection") == set()


def test_a_major_hazards_plan_is_told_to_the_principal_only(users, sites, run):
    major = run(record, sites.plant_a, users.inspector_a, HazardGrade.MAJOR)
    run(act, major, HazardAction.PLAN, users.officer_a)
    assert told("hazards.plan_to_approve") == {"principal_a"}


def test_a_general_hazards_plan_asks_no_approval(users, sites, run):
    general = run(record, sites.plant_a, users.officer_a)
    run(act, general, HazardAction.PLAN, users.officer_a)
    assert told("hazards.plan_to_approve") == set()


def test_a_submitted_major_hazard_is_told_to_the_inspectors_who_may_accept_it(users, sites, run):
    major = run(record, sites.plant_a, users.inspector_a, HazardGrade.MAJOR)
    run(act, major, HazardAction.PLAN, users.officer_a)
    run(act, major, HazardAction.APPROVE_PLAN, users.principal_a)
    run(act, major, HazardAction.SUBMIT, users.officer_a)
    # Not the office (no acceptance of major hazards), not Shenzhen, not the administrator.
    assert told("hazards.awaiting_acceptance") == {"inspector_a"}


def test_a_submitted_general_hazard_is_told_to_the_partys_other_acceptors(users, sites, run):
    general = run(record, sites.plant_a, users.officer_a)
    run(act, general, HazardAction.PLAN, users.officer_a)
    run(act, general, HazardAction.SUBMIT, users.officer_a)
    assert told("hazards.awaiting_acceptance") == {"principal_a"}


def test_an_on_the_spot_fix_is_told_to_who_may_confirm_it(users, sites, run):
    general = run(record, sites.plant_a, users.officer_a)
    run(act, general, HazardAction.FIX, users.principal_a)
    assert told("hazards.awaiting_acceptance") == {"officer_a"}


def test_a_rejection_is_told_to_the_party_that_must_rectify(users, sites, run):
    major = run(record, sites.plant_a, users.inspector_a, HazardGrade.MAJOR)
    run(act, major, HazardAction.PLAN, users.officer_a)
    run(act, major, HazardAction.APPROVE_PLAN, users.principal_a)
    run(act, major, HazardAction.SUBMIT, users.officer_a)
    run(act, major, HazardAction.REJECT, users.inspector_a, comment="照片不清楚")
    assert told("hazards.rejected") == {"officer_a", "principal_a"}


def test_a_quick_report_is_told_to_who_may_triage_it(users, orgs, sites, run):
    worker = UserFactory(username="worker_a", role=Role.ENTERPRISE_WORKER, organisation=orgs.ent_a)
    report = run(
        quick_report_create,
        actor=worker,
        site_id=sites.plant_a.pk,
        description="消防通道堵塞",
        files=[png_upload()],
    )
    assert OutboxEvent.objects.filter(
        topic="hazards.quickreport.create", object_id=str(report.pk)
    ).exists()
    assert told("hazards.quick_report_to_triage") == {"officer_a", "principal_a"}
    notice = Notice.objects.filter(kind="hazards.quick_report_to_triage").first()
    assert notice is not None and notice.url == f"/hazards/reports/{report.pk}/"


def test_a_general_extension_request_is_told_to_the_principal(users, sites, run):
    general = run(record, sites.plant_a, users.officer_a)
    run(act, general, HazardAction.PLAN, users.officer_a)
    run(act, general, HazardAction.REQUEST_EXTENSION, users.officer_a)
    assert told("hazards.extension_requested") == {"principal_a"}


def test_a_major_extension_request_is_told_to_the_regulators_in_scope(users, sites, run):
    major = run(record, sites.plant_a, users.inspector_a, HazardGrade.MAJOR)
    run(act, major, HazardAction.PLAN, users.officer_a)
    run(act, major, HazardAction.APPROVE_PLAN, users.principal_a)
    run(act, major, HazardAction.REQUEST_EXTENSION, users.officer_a)
    assert told("hazards.extension_requested") == {"inspector_a", "manager_a"}


def test_nobody_outside_scope_is_told_whatever_a_kind_names(users, sites, run):
    register_kind(
        NoticeKind(
            name="tests.everyone",
            label="everyone",
            topics=("hazards.hazard.record",),
            recipients=lambda event: list(type(users.admin).objects.all()),
            render=lambda notice: "x",
            params=lambda event: {},
            url=lambda event: "/",
        )
    )
    try:
        run(record, sites.plant_a, users.inspector_a)
    finally:
        unregister_kind("tests.everyone")
    # Who may view a hazard at A's plant, less the inspector who recorded it.
    assert told("tests.everyone") == {"manager_a", "officer_a", "principal_a", "auditor", "admin"}


def test_the_handler_run_again_creates_nothing_new(users, sites, run):
    run(record, sites.plant_a, users.inspector_a)
    event = OutboxEvent.objects.get(topic="hazards.hazard.record")
    before = (Notice.objects.count(), Delivery.objects.count())
    assert before[0] == 2
    notices_from_event(event)
    assert (Notice.objects.count(), Delivery.objects.count()) == before


def test_a_notice_reads_in_the_readers_language(users, sites, run):
    hazard = run(record, sites.plant_a, users.inspector_a, HazardGrade.MAJOR)
    notice = Notice.objects.get(kind="hazards.recorded_by_inspection", user=users.officer_a)
    with translation.override("zh-hans"):
        assert notice.text == f"{sites.plant_a.name} 登记了重大隐患 #{hazard.pk}。"
    with translation.override("en"):
        assert notice.text == f"Major hazard #{hazard.pk} was recorded at {sites.plant_a.name}."
