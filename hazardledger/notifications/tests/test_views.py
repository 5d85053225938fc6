"""The notification pages as a user meets them: the bell, the list with "mark read", opening a
notice, and the preferences form; each user reaches only their own notices."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import hazard_data
from hazardledger.notifications.kinds import NoticeKind, kinds, register_kind, unregister_kind
from hazardledger.notifications.models import Notice, Preference
from hazardledger.notifications.views import NOTICE_PAGE_SIZE

pytestmark = pytest.mark.django_db

HUGE_ID = 10**30
LIST = "/notifications/"
BELL = "/notifications/bell/"
READ_ALL = "/notifications/read-all/"
PREFERENCES = "/notifications/preferences/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _nothing(event: Any) -> Any:
    return []


@pytest.fixture
def probe_kind() -> Iterator[NoticeKind]:
    """A kind registered for these tests only, whose text is the notice's ``params["text"]``."""
    kind = register_kind(
        NoticeKind(
            name="tests.probe",
            label=gettext_lazy("Probe notices"),
            topics=("tests.probe.*",),
            recipients=_nothing,
            render=lambda notice: f"probe: {notice.params['text']}",
            params=lambda event: {},
            url=lambda event: "/",
        )
    )
    yield kind
    unregister_kind(kind.name)


def _notice(user: Any, text: str = "a hazard at the plant", **fields: Any) -> Notice:
    """A notice as the outbox handler would leave it (the handler has its own tests)."""
    fields.setdefault("url", "/hazards/1/")
    return Notice.objects.create(
        user=user,
        kind="tests.probe",
        object_type="hazards.hazard",
        object_id="1",
        region_code="440112",
        params={"text": text},
        **fields,
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _count_badge(html: str) -> str | None:
    """The number the bell shows, or None when it shows none."""
    found = re.search(r'data-testid="notice-count" data-count="(\d+)"', html)
    return found.group(1) if found else None


# --- sign-in and methods ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, BELL, PREFERENCES, "/notifications/1/"])
def test_anonymous_users_are_sent_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_bell_of_an_ended_session_stays_as_it_was(client: Client) -> None:
    # HTMX would follow a redirect and put the sign-in page inside the top bar.
    response = client.get(BELL, **HTMX)
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize("url", [READ_ALL, "/notifications/1/read/"])
def test_an_anonymous_post_changes_nothing(client: Client, users: Any, url: str) -> None:
    notice = _notice(users.officer_a)
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize("url", [READ_ALL, "/notifications/{pk}/read/"])
def test_a_get_on_a_post_only_url_is_405(users: Any, url: str) -> None:
    notice = _notice(users.officer_a)
    response = _client(users.officer_a).get(url.format(pk=notice.pk))
    assert response.status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize("url", [LIST, BELL, "/notifications/{pk}/"])
def test_a_post_on_a_page_is_405(users: Any, url: str) -> None:
    notice = _notice(users.officer_a)
    response = _client(users.officer_a).post(url.format(pk=notice.pk))
    assert response.status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


# --- the bell ---------------------------------------------------------------------------------


def test_the_bell_counts_the_users_own_unread_notices(users: Any, probe_kind: Any) -> None:
    _notice(users.officer_a)
    _notice(users.officer_a)
    _notice(users.officer_a, read_at=timezone.now())
    _notice(users.principal_a)
    response = _client(users.officer_a).get(BELL)
    assert response.status_code == 200
    assert _count_badge(response.content.decode()) == "2"


def test_the_bell_shows_no_number_when_all_is_read(users: Any) -> None:
    _notice(users.officer_a, read_at=timezone.now())
    response = _client(users.officer_a).get(BELL)
    assert _count_badge(response.content.decode()) is None
    assert 'href="/notifications/"' in response.content.decode()


def test_the_bell_costs_one_query_beyond_the_sign_in(
    users: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(5):
        _notice(users.officer_a)
    client = _client(users.officer_a)
    # The session and the user are read for any signed-in request; the count is the third.
    with django_assert_num_queries(3):
        client.get(BELL)


def test_every_signed_in_page_has_the_bell_polling_its_count(users: Any) -> None:
    html = _client(users.officer_a).get("/").content.decode()
    bell = re.search(r'<div id="notice-bell"[^>]*>', html)
    assert bell is not None
    assert 'hx-get="/notifications/bell/"' in bell.group(0)
    assert 'hx-trigger="load, every 60s"' in bell.group(0)
    assert "<script>" not in html  # the Content-Security-Policy allows no inline script


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_the_users_notices_newest_first_in_their_own_words(
    users: Any, probe_kind: Any
) -> None:
    now = timezone.now()
    older = _notice(users.officer_a, "older", created_at=now - timedelta(hours=2))
    newer = _notice(users.officer_a, "newer", created_at=now - timedelta(hours=1))
    _notice(users.principal_a, "not for officer_a")
    html = _client(users.officer_a).get(LIST).content.decode()
    assert html.index("probe: newer") < html.index("probe: older")
    assert "not for officer_a" not in html
    assert f'href="/notifications/{newer.pk}/"' in html
    assert f'href="/notifications/{older.pk}/"' in html


def test_unread_notices_stand_out_and_read_ones_do_not(users: Any, probe_kind: Any) -> None:
    unread = _notice(users.officer_a, "unread one")
    read = _notice(users.officer_a, "read one", read_at=timezone.now())
    html = _client(users.officer_a).get(LIST).content.decode()
    item = {
        pk: re.search(rf'<li id="notice-{pk}"[^>]*>', html).group(0)  # type: ignore[union-attr]
        for pk in (unread.pk, read.pk)
    }
    assert 'data-read="false"' in item[unread.pk] and "list-group-item-warning" in item[unread.pk]
    assert 'data-read="true"' in item[read.pk] and "list-group-item-warning" not in item[read.pk]
    assert f'action="/notifications/{unread.pk}/read/"' in html
    assert f'action="/notifications/{read.pk}/read/"' not in html


def test_a_user_without_notices_sees_the_empty_state(users: Any) -> None:
    _notice(users.principal_a)
    html = _client(users.officer_a).get(LIST).content.decode()
    assert 'data-testid="notice-empty"' in html
    assert 'data-testid="notice-list"' not in html
    assert 'data-testid="notice-read-all"' not in html


def test_the_list_is_paginated(users: Any, probe_kind: Any) -> None:
    now = timezone.now()
    for n in range(NOTICE_PAGE_SIZE + 5):
        _notice(users.officer_a, f"n{n:02d}", created_at=now - timedelta(minutes=n))
    client = _client(users.officer_a)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert first.count('data-testid="notice"') == NOTICE_PAGE_SIZE
    assert "probe: n00" in first and "probe: n24" not in first
    assert second.count('data-testid="notice"') == 5
    assert "probe: n24" in second and "probe: n00" not in second


@pytest.mark.parametrize("page", [str(HUGE_ID), "-1", "abc", "1e3", "２"])
def test_a_hostile_page_number_still_answers_with_a_page(
    users: Any, probe_kind: Any, page: str
) -> None:
    _notice(users.officer_a, "only one")
    response = _client(users.officer_a).get(LIST, {"page": page})
    assert response.status_code == 200
    assert "probe: only one" in response.content.decode()


def test_an_htmx_page_request_gets_the_results_and_the_bell(users: Any, probe_kind: Any) -> None:
    _notice(users.officer_a, "fragment")
    html = _client(users.officer_a).get(LIST, **HTMX).content.decode()
    assert "<html" not in html
    assert html.startswith('<div id="notice-results">')
    assert 'id="notice-bell" hx-swap-oob="innerHTML"' in html
    assert _count_badge(html) == "1"


@pytest.mark.parametrize("url", [LIST, PREFERENCES, BELL])
def test_control_characters_in_the_query_string_are_refused(users: Any, url: str) -> None:
    response = _client(users.officer_a).get(url, {"page": "2\x07"})
    assert response.status_code == 400


def _recorded_by_inspector(users: Any, sites: Any, capture: Any) -> Any:
    """inspector_a records a general hazard at enterprise A's plant; the commit runs the
    outbox handlers, as the request's would."""
    with capture(execute=True):
        return hazard_record(
            actor=users.inspector_a,
            site_id=sites.plant_a.pk,
            data=hazard_data(source="regulatory_inspection"),
        )


def test_a_hazard_an_inspector_records_reaches_the_enterprise_in_its_language(
    users: Any, sites: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hazard = _recorded_by_inspector(users, sites, django_capture_on_commit_callbacks)
    for person in (users.officer_a, users.principal_a):
        html = _client(person).get(LIST).content.decode()
        assert f"一般隐患 #{hazard.pk}" in html  # the grade in the reader's language
        assert sites.plant_a.name in html
        link = re.search(r'href="(/notifications/\d+/)"', html)
        assert link is not None
        assert _client(person).get(link[1])["Location"] == f"/hazards/{hazard.pk}/"
    for person in (users.inspector_a, users.officer_b, users.manager_b):
        assert 'data-testid="notice-empty"' in _client(person).get(LIST).content.decode()


def test_the_same_notice_reads_in_english_for_an_english_reader(
    users: Any, sites: Any, django_capture_on_commit_callbacks: Any, english: Any
) -> None:
    hazard = _recorded_by_inspector(users, sites, django_capture_on_commit_callbacks)
    html = _client(users.officer_a).get(LIST).content.decode()
    assert f"General hazard #{hazard.pk}" in html


# --- mark read --------------------------------------------------------------------------------


def test_mark_read_without_javascript_returns_to_the_page_the_user_was_on(users: Any) -> None:
    notice = _notice(users.officer_a)
    response = _client(users.officer_a).post(
        f"/notifications/{notice.pk}/read/", {"next": "/notifications/?page=2"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=2"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_mark_read_never_redirects_off_the_site(users: Any) -> None:
    notice = _notice(users.officer_a)
    response = _client(users.officer_a).post(
        f"/notifications/{notice.pk}/read/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == LIST


def test_mark_read_with_htmx_swaps_the_item_and_the_bell(users: Any, probe_kind: Any) -> None:
    notice = _notice(users.officer_a, "first")
    _notice(users.officer_a, "second")
    response = _client(users.officer_a).post(f"/notifications/{notice.pk}/read/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<li id="notice-{notice.pk}"')
    assert 'data-read="true"' in html
    assert 'data-testid="notice-mark-read"' not in html
    assert 'id="notice-bell" hx-swap-oob="innerHTML"' in html
    assert _count_badge(html) == "1"
    assert 'id="notice-summary"' in html and 'hx-swap-oob="true"' in html


def test_marking_the_last_unread_notice_empties_the_bell(users: Any, probe_kind: Any) -> None:
    notice = _notice(users.officer_a)
    html = (
        _client(users.officer_a).post(f"/notifications/{notice.pk}/read/", **HTMX).content.decode()
    )
    assert _count_badge(html) is None
    assert 'data-testid="notice-read-all"' not in html


@pytest.mark.parametrize("action", ["read/", ""])
def test_another_users_notice_is_not_found(users: Any, action: str) -> None:
    theirs = _notice(users.principal_a)
    client = _client(users.officer_a)
    response = client.post(f"/notifications/{theirs.pk}/{action}") if action else None
    response = response or client.get(f"/notifications/{theirs.pk}/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("pk", [HUGE_ID, 2**63, 999_999])
def test_an_id_no_notice_has_is_not_found(users: Any, pk: int) -> None:
    client = _client(users.officer_a)
    assert client.post(f"/notifications/{pk}/read/").status_code == 404
    assert client.get(f"/notifications/{pk}/").status_code == 404


def test_mark_all_read_marks_only_the_users_own(users: Any) -> None:
    mine = [_notice(users.officer_a), _notice(users.officer_a)]
    theirs = _notice(users.principal_a)
    response = _client(users.officer_a).post(READ_ALL)
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert all(Notice.objects.get(pk=n.pk).read_at is not None for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_with_htmx_swaps_the_list_and_the_bell(users: Any, probe_kind: Any) -> None:
    _notice(users.officer_a, "one")
    _notice(users.officer_a, "two")
    html = _client(users.officer_a).post(READ_ALL, **HTMX).content.decode()
    assert html.startswith('<div id="notice-results">')
    assert html.count('data-read="true"') == 2
    assert 'data-read="false"' not in html
    assert 'id="notice-bell" hx-swap-oob="innerHTML"' in html
    assert _count_badge(html) is None


# --- opening a notice -------------------------------------------------------------------------


def test_opening_a_notice_marks_it_read_and_goes_to_its_object(users: Any) -> None:
    notice = _notice(users.officer_a, url="/hazards/12/")
    response = _client(users.officer_a).get(f"/notifications/{notice.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/hazards/12/"
    notice.refresh_from_db()
    assert notice.read_at is not None


@pytest.mark.parametrize(
    "stored", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", "hazards/"]
)
def test_opening_a_notice_goes_only_to_a_path_on_this_site(users: Any, stored: str) -> None:
    notice = _notice(users.officer_a, url=stored)
    response = _client(users.officer_a).get(f"/notifications/{notice.pk}/?next=/hazards/12/")
    assert response.status_code == 302
    assert response["Location"] == LIST


# --- preferences ------------------------------------------------------------------------------


def test_the_preferences_page_offers_every_kind_with_email_and_sms(
    users: Any, probe_kind: Any
) -> None:
    html = _client(users.officer_a).get(PREFERENCES).content.decode()
    for kind in kinds():
        field = "kind-" + kind.name.replace(".", "-")
        assert f'name="{field}" value="email"' in html
        assert f'name="{field}" value="sms"' in html
    assert "Probe notices" in html or "probe" in html.lower()


def test_the_preferences_page_starts_from_the_kinds_defaults(users: Any, probe_kind: Any) -> None:
    html = _client(users.officer_a).get(PREFERENCES).content.decode()
    email = re.search(r'<input[^>]*name="kind-tests-probe" value="email"[^>]*>', html)
    sms = re.search(r'<input[^>]*name="kind-tests-probe" value="sms"[^>]*>', html)
    assert email is not None and "checked" in email.group(0)
    assert sms is not None and "checked" not in sms.group(0)


def test_saving_preferences_stores_the_chosen_channels(users: Any, probe_kind: Any) -> None:
    client = _client(users.officer_a)
    response = client.post(PREFERENCES, {"kind-tests-probe": ["sms"]})
    assert response.status_code == 302
    assert response["Location"] == PREFERENCES
    saved = Preference.objects.get(user=users.officer_a, kind="tests.probe")
    assert saved.channels == ["sms"]
    # Unticking every box is a choice too: in-app only.
    client.post(PREFERENCES, {})
    saved.refresh_from_db()
    assert saved.channels == []
    html = client.get(PREFERENCES).content.decode()
    sms = re.search(r'<input[^>]*name="kind-tests-probe" value="sms"[^>]*>', html)
    assert sms is not None and "checked" not in sms.group(0)


@pytest.mark.parametrize(
    "data",
    [
        {"kind-tests-probe": ["fax"]},
        {"kind-tests-probe": ["email", "sms\x07"]},
        {"kind-tests-probe": ["email\x00"]},
        {"kind-tests-probe": ["email"], "kind-tests-nosuch": ["email"]},
        {"kind-tests-probe": ["email"], "kind-tests-probe\x1b": ["sms"]},
        {"kind-tests-probe": ["email"], "in_app": ["off"]},
    ],
)
def test_hostile_preferences_are_refused_and_nothing_is_saved(
    users: Any, probe_kind: Any, data: dict[str, list[str]]
) -> None:
    response = _client(users.officer_a).post(PREFERENCES, data)
    assert response.status_code == 200
    assert 'class="invalid-feedback' in response.content.decode() or (
        'class="alert alert-danger"' in response.content.decode()
    )
    assert not Preference.objects.filter(user=users.officer_a).exists()


@pytest.mark.parametrize("query", [{"kind": str(HUGE_ID)}, {"page": str(HUGE_ID)}, {"kind": "-1"}])
def test_the_preferences_page_ignores_a_hostile_query_string(
    users: Any, probe_kind: Any, query: dict[str, str]
) -> None:
    response = _client(users.officer_a).get(PREFERENCES, query)
    assert response.status_code == 200
    assert 'name="kind-tests-probe"' in response.content.decode()


def test_preferences_are_each_users_own(users: Any, probe_kind: Any) -> None:
    _client(users.officer_a).post(PREFERENCES, {"kind-tests-probe": ["sms"]})
    html = _client(users.principal_a).get(PREFERENCES).content.decode()
    sms = re.search(r'<input[^>]*name="kind-tests-probe" value="sms"[^>]*>', html)
    assert sms is not None and "checked" not in sms.group(0)
    assert not Preference.objects.filter(user=users.principal_a).exists()
