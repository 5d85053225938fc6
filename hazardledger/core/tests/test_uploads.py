"""Uploads: random stored names, no public route, and the response the file views send."""

from __future__ import annotations

import importlib
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.urls import clear_url_caches

from hazardledger.core.uploads import PHOTO_EXTENSIONS, RandomName, upload_response
from hazardledger.hazards.models import Evidence

NAME = re.compile(r"^hazards/evidence/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp|pdf|bin)$")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def debug_urls(settings):  # type: ignore[no-untyped-def]
    """The URLconf as ``make demo`` (DEBUG on) builds it."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.parametrize(
    ("uploaded", "extension"),
    [
        ("现场照片.JPEG", "jpg"),
        ("scan.pdf", "pdf"),
        ("../../etc/passwd", "bin"),
        ("photo.php", "bin"),
        ("no-extension", "bin"),
        ("a.png.html", "bin"),
    ],
)
def test_random_name_keeps_only_an_allowed_extension(uploaded, extension):
    name = RandomName("hazards/evidence", [*PHOTO_EXTENSIONS, "pdf"])(None, uploaded)
    assert NAME.match(name)
    assert name.endswith(f".{extension}")
    stem = uploaded.rsplit(".", 1)[0].lower()
    assert stem not in name


def test_random_names_differ_for_the_same_upload():
    upload_to = RandomName("hazards/evidence", PHOTO_EXTENSIONS)
    assert upload_to(None, "a.png") != upload_to(None, "a.png")


def test_random_name_survives_a_migration_round_trip():
    path, args, kwargs = RandomName("risks/photos", ["png", "jpg"]).deconstruct()
    assert path == "hazardledger.core.uploads.RandomName"
    assert RandomName(*args, **kwargs) == RandomName("risks/photos", ["jpg", "png"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "hazards/evidence/2026/11/0123456789abcdef0123456789abcdef.jpg",
        "inspections/signatures/2026/11/0123456789abcdef0123456789abcdef.png",
        "risks/4401/1/现场.png",  # where risk photos used to be stored
    ],
)
def test_no_upload_is_public_under_media_even_with_debug_on(client, debug_urls, name):
    default_storage.save(name, ContentFile(b"secret bytes"))
    assert client.get(f"/media/{name}").status_code == 404


def _stored(name: str, data: bytes) -> FieldFile:
    field = Evidence._meta.get_field("file")
    return FieldFile(None, field, default_storage.save(name, ContentFile(data)))


def test_upload_response_streams_the_file_privately(settings, tmp_path):
    settings.USE_X_ACCEL_REDIRECT = False
    response = upload_response(_stored("hazards/evidence/x.png", b"png bytes"))
    assert b"".join(response.streaming_content) == b"png bytes"
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_upload_response_hands_the_file_to_nginx_with_x_accel_on(settings, tmp_path):
    settings.USE_X_ACCEL_REDIRECT = True
    settings.X_ACCEL_REDIRECT_LOCATION = "/internal-media/"
    field = _stored("hazards/evidence/x.pdf", b"%PDF-")
    response = upload_response(field, filename="evidence-7.pdf", as_attachment=True)
    assert response["X-Accel-Redirect"] == f"/internal-media/{field.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="evidence-7.pdf"'


def test_upload_response_is_404_for_an_empty_field_or_a_missing_file(settings):
    settings.USE_X_ACCEL_REDIRECT = False
    field = Evidence._meta.get_field("file")
    with pytest.raises(Http404):
        upload_response(FieldFile(None, field, ""))
    with pytest.raises(Http404):
        upload_response(FieldFile(None, field, "hazards/evidence/gone.png"))
