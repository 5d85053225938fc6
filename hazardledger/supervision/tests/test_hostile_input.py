"""Hostile input on the order pages: control characters, impossible ids and dates, oversized
and pixel-bomb signatures. Each is a form error or a 404, never a 500 or a half-issued order."""

from __future__ import annotations

import base64
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hazardledger.hazards.models import HazardEvent
from hazardledger.hazards.tests.images import png_claiming, png_claiming_data_url
from hazardledger.supervision.constants import SIGNATURE_MAX_BYTES
from hazardledger.supervision.models import OrderSequence, RectificationOrder

from .conftest import committed
from .test_orders import _clock, _form, _issue_url  # noqa: F401 - the clock is autouse

# Messages are matched by their English source text.
pytestmark = pytest.mark.usefixtures("english")

BAD_IDS = ["99999999999999999999", "9223372036854775808"]


def _nothing_issued() -> None:
    assert not RectificationOrder.objects.exists()
    assert not OrderSequence.objects.filter(last_serial__gt=0).exists()
    assert not HazardEvent.objects.filter(action="order").exists()


def _post(client, world, data):  # type: ignore[no-untyped-def]
    with committed():
        return client.post(_issue_url(world), data)


@pytest.mark.parametrize("field", ["place", "representative", "completion_report", "basis"])
def test_control_characters_are_refused_with_a_message(client, users, world, field):
    client.force_login(users.inspector_a)
    name = f"basis_{world.major.pk}" if field == "basis" else field
    response = _post(client, world, _form(world, **{name: "2号罐区\x00\x1b[31m"}))
    assert response.status_code == 200
    assert "control character" in response.content.decode()
    _nothing_issued()


@pytest.mark.parametrize("value", ["2026-02-31", "not a date", "99999-01-01", "2026-13-01"])
def test_a_malformed_deadline_is_a_field_error(client, users, world, value):
    client.force_login(users.inspector_a)
    response = _post(client, world, _form(world, **{f"deadline_{world.general.pk}": value}))
    assert response.status_code == 200
    assert 'class="invalid-feedback' in response.content.decode()
    _nothing_issued()


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("suffix", ["", "pdf/", "signature/"])
def test_an_impossible_order_id_is_a_404(client, users, suffix, bad):
    client.force_login(users.inspector_a)
    assert client.get(f"/supervision/orders/{bad}/{suffix}").status_code == 404


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_impossible_inspection_id_is_a_404(client, users, bad):
    client.force_login(users.inspector_a)
    assert client.get(f"/supervision/orders/issue/{bad}/").status_code == 404


def test_a_pixel_bomb_drawn_as_the_signature_is_refused(client, users, world):
    client.force_login(users.inspector_a)
    data = _form(world, signature_data=png_claiming_data_url(30_000, 30_000))
    response = _post(client, world, data)
    assert response.status_code == 200
    assert "too large a picture" in response.content.decode()
    _nothing_issued()


def test_a_pixel_bomb_uploaded_as_the_signature_is_refused(client, users, world):
    client.force_login(users.inspector_a)
    upload = SimpleUploadedFile("bomb.png", png_claiming(30_000, 30_000))
    response = _post(client, world, {**_form(world, signature_data=""), "signature_file": upload})
    assert response.status_code == 200
    assert "too large a picture" in response.content.decode()
    _nothing_issued()


def test_an_oversized_signature_is_refused(client, users, world):
    client.force_login(users.inspector_a)
    upload = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + os.urandom(SIGNATURE_MAX_BYTES))
    response = _post(client, world, {**_form(world, signature_data=""), "signature_file": upload})
    assert response.status_code == 200
    assert "larger than 512 KB" in response.content.decode()
    _nothing_issued()


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "data:image/png,notbase64",
        "data:image/png;base64,@@@@",
        "data:text/html;base64," + base64.b64encode(b"<script>alert(1)</script>").decode(),
        "data:image/png;base64," + "A" * 800_001,
    ],
)
def test_a_drawn_signature_that_is_no_picture_is_refused(client, users, world, value):
    client.force_login(users.inspector_a)
    response = _post(client, world, _form(world, signature_data=value))
    assert response.status_code == 200
    assert 'class="invalid-feedback' in response.content.decode() or "alert-danger" in (
        response.content.decode()
    )
    _nothing_issued()


def test_a_forged_hazard_field_with_an_impossible_id_is_ignored(client, users, world):
    client.force_login(users.inspector_a)
    data = _form(world, **{f"include_{BAD_IDS[0]}": "on", f"deadline_{BAD_IDS[0]}": "2026-04-01"})
    response = _post(client, world, data)
    assert response.status_code == 302
    assert RectificationOrder.objects.get().items.count() == 2


def test_a_get_with_a_body_changes_nothing_and_other_methods_are_refused(client, users, world):
    client.force_login(users.inspector_a)
    assert client.put(_issue_url(world)).status_code == 405
    assert client.post(reverse("supervision:order-list")).status_code == 405
    _nothing_issued()
