"""The checkpoint pages: who sees them, taking one now, the signed file, importing one."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hazardledger.integrity.checkpoints import parse_file
from hazardledger.integrity.models import Checkpoint
from hazardledger.integrity.services import checkpoint_create, checkpoint_export

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "signing_key")]

LIST = reverse("integrity:checkpoint-list")
CREATE = reverse("integrity:checkpoint-create")
IMPORT = reverse("integrity:checkpoint-import")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager_a", 200),
        ("admin", 200),
        ("inspector_a", 403),
        ("officer_a", 403),
        ("auditor", 403),
    ],
)
def test_the_list_is_for_offices_and_administrators(client, users, persona, status):
    client.force_login(getattr(users, persona))
    assert client.get(LIST).status_code == status


def test_an_office_takes_a_checkpoint_now_and_sees_it(client, users, ledger):
    client.force_login(users.manager_a)
    page = client.get(LIST).content.decode()
    assert 'data-testid="checkpoint-create"' in page and 'data-testid="signing-key"' in page
    response = client.post(CREATE)
    checkpoint = Checkpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == checkpoint.get_absolute_url()
    detail = client.get(response["Location"]).content.decode()
    assert "The signature verifies with trusted key" in detail
    assert f"#{ledger.closed.pk}" in detail
    again = client.post(CREATE, follow=True).content.decode()
    assert "Nothing changed since checkpoint #1." in again
    assert Checkpoint.objects.count() == 1
    entry = Checkpoint.objects.get()
    assert entry.document["hazards"]["count"] == 2
    from hazardledger.audit.models import AuditEvent

    assert AuditEvent.objects.get(action="integrity.checkpoint.create").actor == users.manager_a


def test_an_office_outside_the_instances_region_sees_nothing_and_may_not_take_one(
    client, users, ledger
):
    checkpoint = checkpoint_create().checkpoint
    client.force_login(users.manager_b)  # Shenzhen; this instance serves Guangzhou (4401)
    page = client.get(LIST).content.decode()
    assert "test-county #1" not in page and 'data-testid="checkpoint-create"' not in page
    assert client.get(checkpoint.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("integrity:checkpoint-export", args=[checkpoint.pk])).status_code == 404
    )
    assert client.post(CREATE).status_code == 403
    assert Checkpoint.objects.count() == 1


def test_others_may_not_take_one(client, users):
    client.force_login(users.officer_a)
    assert client.post(CREATE).status_code == 403
    assert client.get(CREATE).status_code == 405
    assert not Checkpoint.objects.exists()


def test_without_a_key_the_page_says_so_and_takes_none(client, users, settings):
    settings.INTEGRITY_SIGNING_KEY = ""
    client.force_login(users.admin)
    page = client.get(LIST).content.decode()
    assert "No signing key is configured" in page
    assert 'data-testid="checkpoint-create"' not in page
    answer = client.post(CREATE, follow=True).content.decode()
    assert "No signing key is configured" in answer
    assert not Checkpoint.objects.exists()


def test_the_signed_file_downloads_and_verifies(client, users, ledger):
    checkpoint = checkpoint_create().checkpoint
    client.force_login(users.manager_a)
    url = reverse("integrity:checkpoint-export", args=[checkpoint.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    assert 'filename="checkpoint-test-county-1.json.gz"' in response["Content-Disposition"]
    (item,) = parse_file(response.content)
    assert item.header == checkpoint.header and not item.full
    full = client.get(url + "?full=1")
    assert parse_file(full.content)[0].full


def test_a_checkpoint_altered_in_the_database_shows_as_such(client, users, ledger):
    checkpoint = checkpoint_create().checkpoint
    Checkpoint.objects.filter(pk=checkpoint.pk).update(signature="AAAA" + checkpoint.signature[4:])
    client.force_login(users.admin)
    page = client.get(checkpoint.get_absolute_url()).content.decode()
    assert "The signature does not verify: this checkpoint was altered." in page


def _upload(data: bytes, name: str = "cp.json.gz") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/gzip")


def test_importing_a_file_through_the_page(client, users, ledger):
    data = checkpoint_export(checkpoint=checkpoint_create().checkpoint)
    Checkpoint.objects.all().delete()
    client.force_login(users.manager_a)
    assert client.get(IMPORT).status_code == 200
    response = client.post(IMPORT, {"file": _upload(data)}, follow=True)
    assert "Imported test-county #1." in response.content.decode()
    assert Checkpoint.objects.get().origin == "imported"
    again = client.post(IMPORT, {"file": _upload(data)}, follow=True).content.decode()
    assert "1 checkpoint(s) of the file were already held." in again


@pytest.mark.parametrize(
    "data",
    [
        b"=cmd|' /C calc'!A0",
        b"\x00\x01\x02\x7f",
        json.dumps(
            {"format": "hazardledger.checkpoints/1", "checkpoints": [{"header": 1}]}
        ).encode(),
        gzip.compress(b'{"format": "hazardledger.checkpoints/1", "checkpoints": "x"}', mtime=0),
        b'{"format": "hazardledger.checkpoints/1", "checkpoints": [{"header": "'
        + b"9" * 5000
        + b'"}]}',
    ],
)
def test_a_hostile_file_is_refused_on_the_form_and_nothing_stored(client, users, data):
    client.force_login(users.manager_a)
    response = client.post(IMPORT, {"file": _upload(data)})
    assert response.status_code == 200
    assert "This is not a valid checkpoint file" in response.content.decode()
    assert not Checkpoint.objects.exists()


def test_others_may_not_import(client, users):
    client.force_login(users.inspector_a)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": _upload(b"x")}).status_code == 403
