"""The plan's responsible person is a user of the enterprise (issue 12, item 6): the hazard is
in their queue, and a worker assigned to it may submit its evidence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.core.errors import Invalid
from hazardledger.hazards.choices import HazardAction, HazardStatus
from hazardledger.hazards.workflow import TransitionNotAllowed, allowed_actions

from .factories import act, plan_data, record

pytestmark = pytest.mark.django_db
A, S = HazardAction, HazardStatus


@pytest.fixture
def workers(orgs):
    return (
        UserFactory(username="worker_a", role=Role.ENTERPRISE_WORKER, organisation=orgs.ent_a),
        UserFactory(username="worker_a2", role=Role.ENTERPRISE_WORKER, organisation=orgs.ent_a),
        UserFactory(username="worker_b", role=Role.ENTERPRISE_WORKER, organisation=orgs.ent_b),
    )


def test_an_assigned_worker_sees_the_hazard_in_their_queue_and_submits(
    client, users, sites, workers
):
    worker, other, _outsider = workers
    hazard = record(sites.plant_a, users.officer_a)
    hazard = act(
        hazard,
        A.PLAN,
        users.officer_a,
        data=plan_data(deadline=hazard.deadline, responsible_person="", responsible_user=worker.pk),
    )
    assert hazard.assignee_id == worker.pk
    assert hazard.plans.get().responsible_person == worker.display_name
    client.force_login(worker)
    sections = {s.key: s for s in client.get(reverse("hazards:hazard-queue")).context["sections"]}
    assert [h.pk for h in sections["assigned"].hazards] == [hazard.pk]
    assert A.SUBMIT in allowed_actions(hazard=hazard, actor=worker)
    with pytest.raises(TransitionNotAllowed):
        act(hazard, A.SUBMIT, other)
    assert act(hazard, A.SUBMIT, worker).status == S.SUBMITTED


def test_the_responsible_user_must_belong_to_the_enterprise(users, sites, workers):
    hazard = record(sites.plant_a, users.officer_a)
    with pytest.raises(Invalid) as info:
        act(
            hazard,
            A.PLAN,
            users.officer_a,
            data=plan_data(deadline=hazard.deadline, responsible_user=workers[2].pk),
        )
    assert "responsible_user" in info.value.message_dict


def test_a_person_without_an_account_is_named_in_free_text(users, sites):
    hazard = record(sites.plant_a, users.officer_a)
    hazard = act(
        hazard, A.PLAN, users.officer_a, data=plan_data(responsible_person="外包班组长老陈")
    )
    assert hazard.assignee_id is None
    assert hazard.plans.get().responsible_person == "外包班组长老陈"


def test_the_plan_form_offers_the_enterprises_users(client, users, sites, workers):
    hazard = record(sites.plant_a, users.officer_a)
    client.force_login(users.officer_a)
    response = client.get(reverse("hazards:hazard-detail", args=[hazard.pk]))
    form = {a: f for a, _v, f in response.context["action_forms"]}[A.PLAN]
    offered = {value for value, _label in form.fields["responsible_user"].choices if value}
    assert workers[0].pk in offered and users.principal_a.pk in offered
    assert workers[2].pk not in offered
