"""Evidence files are served only through the scope-checking view, under random names."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hazardledger.hazards.choices import HazardAction
from hazardledger.hazards.models import Evidence

from .factories import act, png_upload, record

pytestmark = pytest.mark.django_db

UPLOADED = "甲厂储罐区-GPS-secret.png"


@pytest.fixture
def evidence(users, sites, django_capture_on_commit_callbacks) -> Evidence:
    hazard = record(sites.plant_a, users.officer_a)
    with django_capture_on_commit_callbacks(execute=True):  # files are stored on commit
        act(hazard, HazardAction.FIX, users.officer_a, files=[png_upload(UPLOADED)])
    return Evidence.objects.get(hazard=hazard)


@pytest.mark.parametrize("name", ["hazards:evidence-file", "hazards:evidence-thumbnail"])
def test_anonymous_users_are_sent_to_login(client, evidence, name):
    response = client.get(reverse(name, args=[evidence.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["officer_b", "manager_b"])
@pytest.mark.parametrize("name", ["hazards:evidence-file", "hazards:evidence-thumbnail"])
def test_users_out_of_scope_get_404(client, users, evidence, persona, name):
    client.force_login(getattr(users, persona))
    assert client.get(reverse(name, args=[evidence.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["officer_a", "inspector_a", "manager_a"])
def test_users_in_scope_get_the_file(client, users, evidence, persona, settings):
    settings.USE_X_ACCEL_REDIRECT = False
    client.force_login(getattr(users, persona))
    response = client.get(reverse("hazards:evidence-file", args=[evidence.pk]))
    assert response.status_code == 200
    with evidence.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]


def test_stored_names_are_random_and_keep_nothing_of_the_uploaded_name(evidence):
    for name in (evidence.file.name, evidence.thumbnail.name):
        assert re.fullmatch(r"hazards/(evidence|thumbs)/\d{4}/\d{2}/[0-9a-f]{32}\.(png|jpg)", name)
        assert "secret" not in name and "甲厂" not in name
    assert evidence.original_name == UPLOADED  # shown to users, never used on disk


def test_with_x_accel_redirect_nginx_sends_the_file(client, users, evidence, settings):
    settings.USE_X_ACCEL_REDIRECT = True
    settings.X_ACCEL_REDIRECT_LOCATION = "/internal-media/"
    client.force_login(users.officer_a)
    response = client.get(reverse("hazards:evidence-file", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/internal-media/{evidence.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    client.force_login(users.officer_b)
    refused = client.get(reverse("hazards:evidence-file", args=[evidence.pk]))
    assert refused.status_code == 404 and not refused.has_header("X-Accel-Redirect")


def test_the_admin_links_evidence_to_the_scoped_view_not_the_media_folder(client, users, evidence):
    client.force_login(users.admin)
    page = client.get(reverse("admin:hazards_evidence_change", args=[evidence.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("hazards:evidence-file", args=[evidence.pk]) in html
    assert evidence.file.name not in html
