"""Risk point photos are served only through the scope-checking view, under random names."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from hazardledger.risks.models import RiskPointPhoto
from hazardledger.risks.services import risk_point_photo_add

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db

UPLOADED = "甲厂-1号储罐-secret.png"


@pytest.fixture
def photo(users, sites, settings, tmp_path) -> RiskPointPhoto:
    settings.MEDIA_ROOT = tmp_path
    stream = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(stream, format="PNG")
    upload = SimpleUploadedFile(UPLOADED, stream.getvalue(), content_type="image/png")
    point = RiskPointFactory(site=sites.plant_a, name="1号储罐区")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the file is written on commit
        return risk_point_photo_add(actor=users.officer_a, risk_point=point, image=upload)


def test_anonymous_users_are_sent_to_login(client, photo):
    response = client.get(reverse("risks:photo-file", args=[photo.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["officer_b", "manager_b"])
def test_users_out_of_scope_get_404(client, users, photo, persona):
    client.force_login(getattr(users, persona))
    assert client.get(reverse("risks:photo-file", args=[photo.pk])).status_code == 404


def test_users_in_scope_get_the_photo(client, users, photo, settings):
    settings.USE_X_ACCEL_REDIRECT = False
    client.force_login(users.inspector_a)
    response = client.get(reverse("risks:photo-file", args=[photo.pk]))
    assert response.status_code == 200
    with photo.image.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_stored_name_is_random_not_the_region_id_and_uploaded_name(photo):
    # Formerly risks/<region>/<risk point id>/<uploaded name>: guessable and telling.
    assert re.fullmatch(r"risks/photos/\d{4}/\d{2}/[0-9a-f]{32}\.png", photo.image.name)
    assert "secret" not in photo.image.name


def test_with_x_accel_redirect_nginx_sends_the_photo(client, users, photo, settings):
    settings.USE_X_ACCEL_REDIRECT = True
    client.force_login(users.officer_a)
    response = client.get(reverse("risks:photo-file", args=[photo.pk]))
    assert response["X-Accel-Redirect"] == f"/internal-media/{photo.image.name}"
    assert response.content == b""
