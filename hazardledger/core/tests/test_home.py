"""Error pages in the user's language. (The overview itself is the reporting app's dashboard:
hazardledger/reporting/tests/test_views.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_out_of_scope_page_says_not_found_in_chinese(client, users, sites):
    client.force_login(users.officer_b)
    response = client.get(reverse("registry:site-detail", args=[sites.plant_a.pk]))
    assert response.status_code == 404
    assert "未找到" in response.content.decode()
    assert "甲化工储罐区" not in response.content.decode()


def test_forbidden_page_explains(client, users, sites):
    client.force_login(users.auditor)
    response = client.get(reverse("registry:site-edit", args=[sites.plant_a.pk]))
    assert response.status_code == 403
    assert "不允许" in response.content.decode()


def test_every_page_names_its_icon_so_browsers_ask_for_no_missing_favicon(client):
    from django.contrib.staticfiles import finders

    page = client.get(reverse("accounts:login")).content.decode()
    assert '<link rel="icon" href="/static/core/favicon.svg" type="image/svg+xml">' in page
    icon = finders.find("core/favicon.svg")
    assert icon is not None
    with open(icon, encoding="utf-8") as svg:
        assert svg.read().startswith("<svg")
