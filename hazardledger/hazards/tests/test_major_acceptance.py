"""The major-hazard acceptance (issue 12, item 4; domain.md 4.4): the application to resume
with its evaluation, the review due date, a coal mine's further sign-offs, failing review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory
from hazardledger.core.errors import Invalid
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus, SignOff
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.workflow import InvalidTransition
from hazardledger.regions.choices import DepartmentKind
from hazardledger.registry.choices import SiteKind
from hazardledger.registry.tests.factories import SiteFactory

from .factories import act, hazard_in_state, pdf_upload

pytestmark = pytest.mark.django_db
A, S, M = HazardAction, HazardStatus, HazardGrade.MAJOR


def _rectifying(site, users, regulator):
    return hazard_in_state(
        status=S.RECTIFYING, grade=M, site=site, responsible=users.officer_a, regulator=regulator
    )


@pytest.fixture
def coal(orgs, users):
    mine = SiteFactory(
        name="甲煤矿",
        kind=SiteKind.COAL_MINE,
        sector_id="mines",
        region_id="440112001",
        organisation=orgs.ent_a,
    )
    bureau = OrganisationFactory(
        name="广州市矿山安全监管局",
        kind=OrganisationKind.DEPARTMENT,
        department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
        region_id="4401",
        sectors=["mines"],
    )
    inspector = UserFactory(username="mine_inspector", role=Role.INSPECTOR, organisation=bureau)
    return mine, inspector


def test_a_listed_major_hazards_submission_is_the_application_with_its_evaluation(users, sites):
    hazard = _rectifying(sites.plant_a, users, users.inspector_a)
    hazard = act(hazard, A.LIST, users.manager_a)
    with pytest.raises(Invalid) as info:
        act(hazard, A.SUBMIT, users.officer_a, files=[pdf_upload()])
    assert "evaluator" in info.value.message_dict
    with pytest.raises(Invalid) as info:
        act(hazard, A.SUBMIT, users.officer_a, data={"evaluator": "third_party"})
    assert "evaluation_body" in info.value.message_dict
    hazard = act(
        hazard,
        A.SUBMIT,
        users.officer_a,
        files=[pdf_upload("评价报告.pdf")],
        data={"evaluator": "third_party", "evaluation_body": "广东安评技术有限公司"},
    )
    event = hazard.events.order_by("-seq").first()
    assert event.data["evaluation"] == {"evaluator": "third_party", "body": "广东安评技术有限公司"}
    assert event.data["files"][0]["name"] == "评价报告.pdf"
    assert hazard.review_due == local_today() + timedelta(days=10)


def test_a_major_hazard_neither_listed_nor_stopped_keeps_todays_acceptance(users, sites):
    hazard = _rectifying(sites.plant_a, users, users.inspector_a)
    hazard = act(hazard, A.SUBMIT, users.officer_a)
    assert hazard.review_due == local_today() + timedelta(days=10)
    assert act(hazard, A.ACCEPT, users.inspector_a).status == S.CLOSED


def test_the_review_is_due_in_the_configured_days(users, sites, settings):
    settings.HAZARD_REVIEW_DAYS = 5
    hazard = act(_rectifying(sites.plant_a, users, users.inspector_a), A.SUBMIT, users.officer_a)
    assert hazard.review_due == local_today() + timedelta(days=5)


def test_the_regulators_queue_shows_the_review_due_date(client, users, sites):
    hazard = act(_rectifying(sites.plant_a, users, users.inspector_a), A.SUBMIT, users.officer_a)
    client.force_login(users.inspector_a)
    response = client.get(reverse("hazards:hazard-queue"))
    sections = {s.key: s for s in response.context["sections"]}
    assert [h.pk for h in sections["to_accept"].hazards] == [hazard.pk]
    assert 'data-testid="review-due"' in response.content.decode()
    assert f"{hazard.review_due:%Y-%m-%d}" in response.content.decode()


def test_a_coal_mines_major_hazard_needs_three_sign_offs(users, coal):
    mine, inspector = coal
    hazard = act(_rectifying(mine, users, inspector), A.SUBMIT, users.officer_a)
    assert hazard.review_due == local_today() + timedelta(days=20)
    with pytest.raises(InvalidTransition):
        act(hazard, A.ACCEPT, inspector)
    for kind, name, post in (
        (SignOff.DEPARTMENT_HEAD, "王局长", "局长"),
        (SignOff.MINE_INSPECTORATE, "赵处长", "矿山安全监察处处长"),
    ):
        hazard = act(
            hazard,
            A.SIGN_OFF,
            inspector,
            data={"kind": kind, "name": name, "post": post, "signed_on": local_today()},
        )
    with pytest.raises(InvalidTransition):
        act(hazard, A.ACCEPT, inspector)
    with pytest.raises(Invalid):  # the signed file is required
        act(
            hazard,
            A.SIGN_OFF,
            users.manager_a,
            files=[],
            data={
                "kind": SignOff.GOVERNMENT_HEAD,
                "name": "陈区长",
                "post": "区长",
                "signed_on": local_today(),
            },
        )
    hazard = act(
        hazard,
        A.SIGN_OFF,
        users.manager_a,
        data={
            "kind": SignOff.GOVERNMENT_HEAD,
            "name": "陈区长",
            "post": "区长",
            "signed_on": local_today(),
        },
    )
    assert hazard.status == S.SUBMITTED
    assert hazard.evidence.filter(stage="acceptance").count() == 3
    assert act(hazard, A.ACCEPT, inspector).status == S.CLOSED


def test_sign_offs_are_for_coal_mines_only(users, sites):
    hazard = act(_rectifying(sites.plant_a, users, users.inspector_a), A.SUBMIT, users.officer_a)
    with pytest.raises(InvalidTransition):
        act(hazard, A.SIGN_OFF, users.inspector_a)


def test_failing_review_orders_further_rectification_or_a_stop(users, sites):
    hazard = act(_rectifying(sites.plant_a, users, users.inspector_a), A.SUBMIT, users.officer_a)
    hazard = act(hazard, A.REJECT, users.inspector_a, comment="检测报告不全")
    assert (hazard.status, hazard.production_stop, hazard.review_due) == (
        S.RECTIFYING,
        "none",
        None,
    )
    hazard = act(hazard, A.SUBMIT, users.officer_a)
    hazard = act(
        hazard,
        A.REJECT,
        users.inspector_a,
        comment="仍不具备安全条件",
        data={"stop_production": True},
    )
    assert (hazard.status, hazard.production_stop) == (S.RECTIFYING, "whole")
    assert hazard.events.order_by("-seq").first().data["stop_order"] is True
    # Stopped now: the next submission is the application to resume.
    with pytest.raises(Invalid):
        act(hazard, A.SUBMIT, users.officer_a)


def test_a_rejection_after_the_deadline_sets_a_new_one(users, sites):
    hazard = act(_rectifying(sites.plant_a, users, users.inspector_a), A.SUBMIT, users.officer_a)
    Hazard.objects.filter(pk=hazard.pk).update(deadline=local_today() - timedelta(days=1))
    with pytest.raises(Invalid) as info:
        act(hazard, A.REJECT, users.inspector_a, comment="不合格")
    assert "deadline" in info.value.message_dict
    new = local_today() + timedelta(days=15)
    hazard = act(hazard, A.REJECT, users.inspector_a, comment="不合格", data={"deadline": new})
    assert hazard.deadline == new
