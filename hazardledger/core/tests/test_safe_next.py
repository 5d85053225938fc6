"""A ``next`` URL sent by the client never redirects off the site."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from hazardledger.core.http import safe_next

pytestmark = pytest.mark.django_db

HOSTILE = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    " //evil.example/",
    "\x01//evil.example/",
    "https://testserver.evil.example/",
]


@pytest.mark.parametrize("next_url", HOSTILE)
def test_recording_an_inspection_does_not_redirect_off_the_site(client, users, sites, next_url):
    client.force_login(users.inspector_a)
    response = client.post(
        reverse("risks:site-inspection-record", args=[sites.plant_a.pk]),
        {"inspected_on": timezone.localdate().isoformat(), "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("risks:inspection-due-list")


def test_recording_an_inspection_returns_to_the_list_it_came_from(client, users, sites):
    client.force_login(users.inspector_a)
    back = reverse("risks:inspection-due-list") + "?show=overdue&page=2"
    response = client.post(
        reverse("risks:site-inspection-record", args=[sites.plant_a.pk]),
        {"inspected_on": timezone.localdate().isoformat(), "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back


@pytest.mark.parametrize("next_url", HOSTILE)
def test_safe_next_falls_back_to_the_default(next_url):
    request = RequestFactory().post("/", {"next": next_url})
    assert safe_next(request, "/default/") == "/default/"


def test_safe_next_reads_the_query_string_too():
    assert safe_next(RequestFactory().get("/", {"next": "/sites/"}), "/") == "/sites/"
    assert safe_next(RequestFactory().get("/", {"next": "//evil.example/"}), "/") == "/"


def test_safe_next_accepts_an_absolute_url_of_this_site():
    request = RequestFactory().post("/", {"next": "http://testserver/sites/"})
    assert safe_next(request, "/") == "http://testserver/sites/"


def test_safe_next_refuses_plain_http_from_an_https_page():
    request = RequestFactory().post("/", {"next": "http://testserver/sites/"}, secure=True)
    assert safe_next(request, "/") == "/"
    secure = RequestFactory().post("/", {"next": "https://testserver/sites/"}, secure=True)
    assert safe_next(secure, "/") == "https://testserver/sites/"
