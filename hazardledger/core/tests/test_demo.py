"""The demo province: deterministic, and each demo login sees exactly its scope."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.urls import reverse

from hazardledger.accounts.models import User
from hazardledger.registry.models import Site
from hazardledger.registry.selectors import site_list

pytestmark = pytest.mark.django_db

LOGINS = [
    "admin",
    "gd-office",
    "gz-office",
    "gz-inspector",
    "gz-leader",
    "th-grid",
    "ent-a",
    "ent-a-boss",
    "ent-b",
]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("load_demo", "--sites", "400", stdout=out)
    return out.getvalue()


def test_demo_prints_the_fixed_logins_and_they_log_in_with_demo(client, demo):
    # Login throttling (django-axes) needs a request to count attempts against; the test
    # client's login() passes none unless given one.
    for username in LOGINS:
        assert username in demo
        assert client.login(request=HttpRequest(), username=username, password="demo"), username


def test_scope_of_the_demo_logins(client, demo):
    def cities(name):
        sites = site_list(user=User.objects.get(username=name))
        return {code[:4] for code in sites.values_list("region_id", flat=True)}

    assert len(cities("gd-office")) == 21
    assert cities("gz-office") == {"4401"}
    inspector = site_list(user=User.objects.get(username="gz-inspector"))
    assert set(inspector.values_list("sector_id", flat=True)) <= {
        "hazardous_chemicals",
        "industry_trade",
    }
    assert {
        code[:9]
        for code in site_list(user=User.objects.get(username="th-grid")).values_list(
            "region_id", flat=True
        )
    } == {"440106001"}

    ent_a = User.objects.get(username="ent-a")
    own = site_list(user=ent_a)
    assert own.count() == 3 and {s.organisation_id for s in own} == {ent_a.organisation_id}
    ent_b_site = Site.objects.filter(organisation__users__username="ent-b").first()
    client.login(request=HttpRequest(), username="ent-a", password="demo")
    assert client.get(reverse("registry:site-detail", args=[ent_b_site.pk])).status_code == 404
    assert client.get(reverse("registry:site-detail", args=[own.first().pk])).status_code == 200


def test_every_sector_has_sites(demo):
    assert Site.objects.values("sector").distinct().count() >= 13


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_province(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def snapshot():
        call_command("load_demo", "--sites", "200", stdout=io.StringIO())
        return list(
            Site.objects.order_by("name", "region_id").values_list("name", "region_id", "kind")
        )

    first = snapshot()
    call_command("flush", interactive=False, verbosity=0)  # reloads the reference data
    assert snapshot() == first


def test_refuses_a_database_with_data(demo):
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "already" in out.getvalue()
