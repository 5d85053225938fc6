"""The permission policies' four answers agree with each other (who may, on what, this object,
which users), so pages, jobs and notifications cannot disagree about a person."""

from __future__ import annotations

import pytest

from hazardledger.access.policy import policy_for, registered_policies
from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.tests.factories import record
from hazardledger.registry.models import Site

pytestmark = pytest.mark.django_db

PERSONAS = [
    "inspector_a",
    "manager_a",
    "manager_b",
    "officer_a",
    "principal_a",
    "officer_b",
    "grid",
    "auditor",
    "admin",
]


def test_every_scoped_model_has_a_policy_registered_by_its_app():
    keys = {policy.key for policy in registered_policies()}
    assert {"registry.site", "hazards.hazard", "hazards.quickreport", "risks.riskpoint"} <= keys
    assert {"inspections.inspection", "inspections.draw"} <= keys
    with pytest.raises(LookupError):
        policy_for("accounts.user")  # no policy: nothing can be queried through access


@pytest.mark.parametrize("action", ["view", "change", "change_scope", "export"])
def test_which_users_is_the_inverse_of_which_sites(users, sites, action):
    policy = policy_for(Site)
    for site in (sites.plant_a, sites.factory_b, sites.shenzhen_c, sites.house):
        expected = {
            name
            for name in PERSONAS
            if policy.user_has_permission_for_instance(getattr(users, name), action, site)
        }
        found = {user.username for user in policy.users_with_permission_for_instance(action, site)}
        assert found == expected, (site.name, action)


@pytest.mark.parametrize(
    "action", ["view", "plan", "submit", "accept_general", "accept_major", "reopen", "void_major"]
)
def test_which_users_follows_the_responsible_party_rule(users, sites, action):
    hazards = [
        record(sites.plant_a, users.officer_a, grade=HazardGrade.MAJOR),
        record(sites.factory_b, users.officer_b),
        record(sites.house, users.grid),
        record(sites.shenzhen_c, users.manager_b),
    ]
    policy = policy_for(Hazard)
    for hazard in hazards:
        expected = {
            name
            for name in PERSONAS
            if policy.user_has_permission_for_instance(getattr(users, name), action, hazard)
        }
        found = {u.username for u in policy.users_with_permission_for_instance(action, hazard)}
        assert found == expected, (hazard.site.name, action)


def test_only_the_responsible_party_plans(users, sites):
    hazard = record(sites.house, users.grid)  # a self-built house: no responsible enterprise
    plan = {
        u.username for u in policy_for(Hazard).users_with_permission_for_instance("plan", hazard)
    }
    assert plan == {"grid"}  # the township, not the city office that sees it
    view = {
        u.username for u in policy_for(Hazard).users_with_permission_for_instance("view", hazard)
    }
    assert {"grid", "manager_a", "auditor", "admin"} <= view
    assert "officer_a" not in view and "manager_b" not in view
