"""Login throttling: per account and per address, with a message, a cool-off and an unlock path."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from hazardledger.accounts.lockout import client_ip

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多。请在 15 分钟后重试，或联系管理员解锁该账号。"


def _post_login(client, username, password, address="192.0.2.1", **extra):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def _fail(client, usernames, address="192.0.2.1", **extra):
    for username in usernames:
        response = _post_login(client, username, "wrong", address, **extra)
        assert response.status_code in (200, 429)


def _logged_in(client):
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_after_too_many_wrong_ones(client, users, settings):
    _fail(client, ["manager_a"] * settings.AXES_FAILURE_LIMIT)
    response = _post_login(client, "manager_a", "pw")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert 'value="manager_a"' in response.content.decode()
    assert not _logged_in(client)


def test_fewer_failures_than_the_limit_still_log_in(client, users, settings):
    _fail(client, ["manager_a"] * (settings.AXES_FAILURE_LIMIT - 1))
    response = _post_login(client, "manager_a", "pw")
    assert response.status_code == 302
    assert _logged_in(client)


def test_the_attempt_that_reaches_the_limit_already_gets_the_message(client, users, settings):
    _fail(client, ["manager_a"] * (settings.AXES_FAILURE_LIMIT - 1))
    response = _post_login(client, "manager_a", "wrong")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_the_message_is_english_for_english_users(client, users, settings):
    _fail(client, ["manager_a"] * settings.AXES_FAILURE_LIMIT)
    response = _post_login(client, "manager_a", "pw", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert (
        "Too many failed login attempts. Try again in 15 minutes, "
        "or ask an administrator to unlock the account." in response.content.decode()
    )


def test_a_locked_account_is_locked_from_every_address(client, users, settings):
    _fail(client, ["manager_a"] * settings.AXES_FAILURE_LIMIT, address="192.0.2.1")
    assert _post_login(client, "manager_a", "pw", address="198.51.100.9").status_code == 429
    assert not _logged_in(client)


def test_an_address_that_failed_too_often_cannot_log_in_to_another_account(client, users, settings):
    guesses = [f"guess-{n}" for n in range(settings.AXES_FAILURE_LIMIT)]
    _fail(client, guesses, address="192.0.2.1")
    response = _post_login(client, "manager_b", "pw", address="192.0.2.1")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not _logged_in(client)
    # The lock is the address's and those accounts', nobody else's.
    assert _post_login(client, "manager_b", "pw", address="198.51.100.9").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(client, users, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, [f"guess-{n}"], HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = _post_login(client, "manager_b", "pw", HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert response.status_code == 429


def test_the_lock_ends_after_the_cool_off(client, users, settings):
    _fail(client, ["manager_a"] * settings.AXES_FAILURE_LIMIT)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=16)):
        assert _post_login(client, "manager_a", "pw").status_code == 302


def test_without_a_cool_off_the_message_sends_users_to_an_administrator(client, users, settings):
    settings.AXES_COOLOFF_TIME = None
    _fail(client, ["manager_a"] * settings.AXES_FAILURE_LIMIT)
    response = _post_login(client, "manager_a", "pw")
    assert response.status_code == 429
    assert "登录失败次数过多。请联系管理员解锁该账号。" in response.content.decode()


def test_the_admin_login_is_throttled_too(client, users, settings):
    _fail(client, ["admin"] * settings.AXES_FAILURE_LIMIT)
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": "pw"}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 429
    assert not _logged_in(client)


def test_an_administrator_unlocks_an_account_in_the_admin(client, users, settings):
    _fail(client, ["manager_a"] * settings.AXES_FAILURE_LIMIT)
    attempts = AccessAttempt.objects.filter(username="manager_a")
    assert attempts.exists()

    admin = Client()
    admin.force_login(users.admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "manager_a" in admin.get(changelist, {"locked_out": "yes"}).content.decode()
    response = admin.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in attempts],
            "post": "yes",
        },
    )
    assert response.status_code == 302

    assert _post_login(client, "manager_a", "pw").status_code == 302
    assert _logged_in(client)


def test_axes_reset_username_unlocks_an_account(client, users, settings):
    _fail(client, ["manager_a"] * settings.AXES_FAILURE_LIMIT)
    call_command("axes_reset_username", "manager_a", verbosity=0)
    assert _post_login(client, "manager_a", "pw").status_code == 302


def test_the_lockout_page_keeps_only_a_safe_next(client, users, settings):
    _fail(client, ["manager_a"] * settings.AXES_FAILURE_LIMIT)
    response = client.post(
        reverse("accounts:login"),
        {"username": "manager_a", "password": "pw", "next": "https://evil.example/"},
        REMOTE_ADDR="192.0.2.1",
    )
    assert response.status_code == 429
    assert "evil.example" not in response.content.decode()


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, None, "10.0.0.5"),
        (0, "203.0.113.7", "10.0.0.5"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client wrote 6.6.6.6
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (2, "203.0.113.7", "10.0.0.5"),  # shorter than the proxies: misconfigured
        (1, "not-an-address", "10.0.0.5"),
        (1, None, "10.0.0.5"),
    ],
)
def test_client_address_comes_from_forwarded_for_only_behind_trusted_proxies(
    settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": "10.0.0.5"}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip(RequestFactory().post("/accounts/login/", **extra)) == expected
