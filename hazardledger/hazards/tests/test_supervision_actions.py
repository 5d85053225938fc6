"""The workflow's actions the supervision app takes (issue 12, the lead's contract): a
rectification order names the hazard, a major hazard is listed for supervision and delisted
once closed. Service level: the supervision app's own tests cover its pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hazardledger.core.errors import Invalid
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.workflow import (
    DelistInput,
    InvalidTransition,
    ListInput,
    OrderInput,
    TransitionNotAllowed,
    hazard_transition,
)

from .factories import act, hazard_in_state, record

pytestmark = pytest.mark.django_db
A, S, G, M = HazardAction, HazardStatus, HazardGrade.GENERAL, HazardGrade.MAJOR


def _order(hazard, actor, deadline):
    return hazard_transition(
        hazard=hazard,
        action=A.ORDER,
        actor=actor,
        expected_version=hazard.version,
        data=OrderInput(order_id=7, document_number="穗应急责改〔2026〕12号", deadline=deadline),
    )


def test_an_order_sets_the_deadline_and_names_itself_in_the_history(users, sites):
    hazard = record(sites.plant_a, users.officer_a)
    deadline = local_today() + timedelta(days=10)
    version = hazard.version
    hazard = _order(hazard, users.inspector_a, deadline)
    assert (hazard.deadline, hazard.version, hazard.status) == (deadline, version + 1, S.RECORDED)
    event = hazard.events.order_by("-seq").first()
    assert event.data == {"order_id": 7, "document_number": "穗应急责改〔2026〕12号"}
    assert set(event.changes) == {"deadline"}
    assert event.changes["deadline"][1] == deadline.isoformat()
    # The same deadline again: recorded, but nobody's page goes stale.
    assert _order(hazard, users.manager_a, deadline).version == version + 1


def test_only_a_regulator_in_scope_orders(users, sites):
    hazard = record(sites.plant_a, users.officer_a)
    for actor in (users.officer_a, users.principal_a, users.manager_b):
        with pytest.raises(TransitionNotAllowed):
            _order(hazard, actor, local_today() + timedelta(days=10))


def test_listing_a_major_hazard_sets_its_deadline_level_and_stop(users, sites):
    hazard = hazard_in_state(
        status=S.RECTIFYING,
        grade=M,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    required_by = local_today() + timedelta(days=60)
    value = ListInput(
        listing_id=3,
        level="city",
        body="广州市安委办",
        document_number="穗安办督〔2026〕3号",
        required_by=required_by,
        stop="part",
    )
    with pytest.raises(TransitionNotAllowed):
        hazard_transition(
            hazard=hazard,
            action=A.LIST,
            actor=users.inspector_a,
            expected_version=hazard.version,
            data=value,
        )
    hazard = hazard_transition(
        hazard=hazard,
        action=A.LIST,
        actor=users.manager_a,
        expected_version=hazard.version,
        data=value,
    )
    assert (hazard.listing_level, hazard.production_stop, hazard.deadline) == (
        "city",
        "part",
        required_by,
    )
    event = hazard.events.order_by("-seq").first()
    assert event.data["document_number"] == "穗安办督〔2026〕3号"
    assert event.data["listing_id"] == 3


def test_a_general_hazard_is_not_listed(users, sites):
    hazard = record(sites.plant_a, users.officer_a)
    with pytest.raises(InvalidTransition):
        act(hazard, A.LIST, users.manager_a)


def test_listing_input_is_checked(users, sites):
    hazard = record(sites.plant_a, users.officer_a, M)
    with pytest.raises(Invalid) as info:
        act(hazard, A.LIST, users.manager_a, data={"level": "village", "stop": "some"})
    assert {"level", "stop", "listing_id", "required_by", "document_number", "body"} <= set(
        info.value.message_dict
    )


def test_delisting_only_after_the_hazard_is_closed(users, sites):
    hazard = hazard_in_state(
        status=S.RECTIFYING,
        grade=M,
        site=sites.plant_a,
        responsible=users.officer_a,
        regulator=users.inspector_a,
    )
    hazard = act(hazard, A.LIST, users.manager_a)
    with pytest.raises(InvalidTransition):
        act(hazard, A.DELIST, users.manager_a)
    hazard = act(
        hazard,
        A.SUBMIT,
        users.officer_a,
        data={"evaluator": "own_experts"},
    )
    hazard = act(hazard, A.ACCEPT, users.inspector_a)
    hazard = hazard_transition(
        hazard=hazard,
        action=A.DELIST,
        actor=users.manager_a,
        expected_version=hazard.version,
        data=DelistInput(listing_id=1, document_number="穗安办摘〔2026〕1号"),
    )
    assert (hazard.status, hazard.listing_level, hazard.production_stop) == (S.CLOSED, "", "part")
    assert hazard.events.order_by("-seq").first().changes == {"listing_level": ["city", ""]}
