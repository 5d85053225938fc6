"""Log in, log out, change password, switch language."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_with_a_wrong_password_says_so_in_chinese(client, users):
    response = client.post(reverse("accounts:login"), {"username": "manager_a", "password": "x"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_login_then_home_shows_the_scope(client, users, sites):
    response = client.post(
        reverse("accounts:login"), {"username": "manager_a", "password": "pw"}, follow=True
    )
    assert response.request["PATH_INFO"] == "/"
    # The dashboard opens on the user's own region (the Guangzhou office: the city).
    assert response.context["scope"].region == users.manager_a.organisation.region_id
    assert "广州市安委办" in response.content.decode()


def test_logout_needs_post(client, users):
    client.force_login(users.manager_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, users):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "pw", "new_password1": "Anquan-2026!", "new_password2": "Anquan-2026!"},
    )
    assert response.status_code == 302
    users.officer_a.refresh_from_db()
    assert users.officer_a.check_password("Anquan-2026!")


def test_language_switch_to_english(client, users):
    client.force_login(users.manager_a)
    assert "监管对象" in client.get(reverse("registry:site-list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/sites/"})
    assert ">Sites<" in client.get(reverse("registry:site-list")).content.decode()


def test_home_needs_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
