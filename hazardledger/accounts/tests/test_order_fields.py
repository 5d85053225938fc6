"""What rectification orders need from accounts: a body's document number prefix and an
inspector's enforcement ID number, edited in the admin and set in the demo."""

from __future__ import annotations

import random

from django.urls import reverse

from hazardledger.accounts.demo import build_organisations
from hazardledger.accounts.models import Organisation, User


def test_the_admin_edits_a_bodys_order_prefix_and_an_inspectors_enforcement_id(client, users, orgs):
    client.force_login(users.admin)
    org_page = client.get(reverse("admin:accounts_organisation_change", args=[orgs.gz_em.pk]))
    assert 'name="order_prefix"' in org_page.content.decode()
    user_page = client.get(reverse("admin:accounts_user_change", args=[users.inspector_a.pk]))
    assert 'name="enforcement_id"' in user_page.content.decode()


def test_the_demo_bureau_numbers_its_orders_and_its_inspector_has_an_enforcement_id(db):
    build_organisations(rng=random.Random(7))
    assert Organisation.objects.get(name="广州市应急管理局").order_prefix == "穗应急责改"
    assert User.objects.get(username="gz-inspector").enforcement_id == "44010120260017"
    # Only the demo's bureau issues orders; other bodies are set up by an administrator.
    assert Organisation.objects.exclude(order_prefix="").count() == 1
