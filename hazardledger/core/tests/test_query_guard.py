"""Control characters in a query string are refused before any view (PostgreSQL refuses NUL
in text comparisons; SQLite accepts it, so only this guard keeps the two alike)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URLS = [
    ("registry:organisation-options", "organisation"),
    ("registry:site-list", "q"),
    ("hazards:hazard-list", "q"),
    ("risks:riskpoint-list", "q"),
]


@pytest.mark.parametrize(("name", "param"), URLS)
@pytest.mark.parametrize("value", ["a\x00b", "\x1b[31m", "x\x85"])
def test_control_characters_in_the_query_are_refused(client, users, sites, name, param, value):
    client.force_login(users.inspector_a)
    response = client.get(reverse(name), {param: value})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_the_message_follows_the_language(client, users, english):
    client.force_login(users.inspector_a)
    response = client.get(reverse("hazards:hazard-list"), {"q\x00": "x"})
    assert response.status_code == 400
    assert "control characters (U+0000)" in response.content.decode()


def test_ordinary_queries_pass(client, users, sites):
    client.force_login(users.inspector_a)
    response = client.get(reverse("registry:organisation-options"), {"organisation": "甲化工"})
    assert response.status_code == 200
