"""Scope: one mechanism, tested directly on every kind of organisation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from hazardledger.access.scope import (
    ScopeViolation,
    ensure_in_scope,
    get_object_for_user,
    restrict,
    user_can,
)
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.registry.models import Site

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("admin", {"plant_a", "factory_b", "shenzhen_c", "house"}),
        ("manager_a", {"plant_a", "factory_b", "house"}),
        ("manager_b", {"shenzhen_c"}),
        ("inspector_a", {"plant_a", "factory_b"}),
        ("officer_a", {"plant_a"}),
        ("principal_a", {"plant_a"}),
        ("officer_b", {"factory_b"}),
        ("grid", {"house"}),
        ("auditor", {"plant_a", "factory_b", "house"}),
    ],
)
def test_restrict_gives_each_persona_exactly_their_sites(users, sites, persona, visible):
    names = {key for key, site in vars(sites).items()}
    by_pk = {getattr(sites, key).pk: key for key in names}
    seen = {
        by_pk[pk]
        for pk in restrict(Site.objects.all(), getattr(users, persona)).values_list("pk", flat=True)
    }
    assert seen == visible


def test_user_without_organisation_sees_nothing(sites):
    user = UserFactory(username="loose", organisation=None, role="")
    assert not restrict(Site.objects.all(), user).exists()


def test_get_object_for_user_404_outside_403_not_allowed(users, sites):
    qs = Site.objects.all()
    with pytest.raises(Http404):
        get_object_for_user(qs, users.manager_b, "view", pk=sites.plant_a.pk)
    with pytest.raises(Http404):  # out of scope hides even what the role could not do anyway
        get_object_for_user(qs, users.manager_b, "change", pk=sites.plant_a.pk)
    with pytest.raises(PermissionDenied):
        get_object_for_user(qs, users.auditor, "change", pk=sites.plant_a.pk)
    assert get_object_for_user(qs, users.manager_a, "change", pk=sites.plant_a.pk) == sites.plant_a


def test_unknown_actions_are_refused(users):
    assert not user_can(users.manager_a, Site, "teleport")
    assert user_can(users.admin, Site, "import")


def test_ensure_in_scope_rolls_back_a_save_that_leaves_the_scope(users, sites):
    site = sites.plant_a
    with pytest.raises(ScopeViolation), transaction.atomic():
        Site.objects.filter(pk=site.pk).update(region_id="440305001")
        ensure_in_scope(site, users.manager_a)
    site.refresh_from_db()
    assert site.region_id == "440112001"
