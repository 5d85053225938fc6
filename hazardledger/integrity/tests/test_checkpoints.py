"""Taking, exporting and importing checkpoints; what verify_history makes of stored ones."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hazardledger.core.errors import Invalid
from hazardledger.core.periodic import periodic_jobs
from hazardledger.hazards.choices import HazardAction
from hazardledger.hazards.tests.factories import act
from hazardledger.integrity.checkpoints import (
    header_bytes,
    header_hash,
    lines_digest,
    parse_file,
)
from hazardledger.integrity.keys import generate_key, load_private_key, parse_public_key, sign
from hazardledger.integrity.models import Checkpoint
from hazardledger.integrity.services import (
    NoSigningKey,
    checkpoint_create,
    checkpoint_export,
    checkpoint_import,
)
from hazardledger.integrity.tasks import checkpoint_task

from .conftest import verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _file(checkpoint: Checkpoint, **kwargs) -> bytes:
    return checkpoint_export(checkpoint=checkpoint, **kwargs)


def _document(data: bytes) -> dict:
    return json.loads(gzip.decompress(data))


def _pack(document: dict) -> bytes:
    return gzip.compress(json.dumps(document).encode())


def test_the_first_checkpoint_lists_every_hazard_and_is_signed(ledger, signing_key):
    checkpoint = checkpoint_create().checkpoint
    document = checkpoint.document
    assert (checkpoint.number, document["number"], document["previous"]) == (1, 1, "")
    assert document["instance"] == "test-county" and document["region"] == "4401"
    assert document["hazards"]["count"] == document["hazards"]["changed"] == 2
    assert document["hazards"]["events"] == 4 + 3
    lines = checkpoint.entry_lines()
    closed = ledger.closed
    closed.refresh_from_db()
    assert f"{closed.pk} 4 {closed.history_head}" in lines
    assert document["hazards"]["delta"] == document["hazards"]["state"] == lines_digest(lines)
    assert document["audit"]["seq"] > 0
    public = parse_public_key(signing_key)
    public.verify(base64.b64decode(checkpoint.signature), checkpoint.header.encode())
    assert header_bytes(json.loads(checkpoint.header)).decode() == checkpoint.header


def test_nothing_changed_nothing_new_then_only_the_changed_hazard(ledger, users, signing_key):
    first = checkpoint_create().checkpoint
    again = checkpoint_create()
    assert not again.created and again.checkpoint.pk == first.pk
    act(ledger.major, HazardAction.SUBMIT, users.officer_a)
    second = checkpoint_create().checkpoint
    document = second.document
    assert second.number == 2 and document["previous"] == header_hash(first.header)
    assert document["hazards"]["changed"] == 1 and document["hazards"]["count"] == 2
    assert [line.split()[0] for line in second.entry_lines()] == [str(ledger.major.pk)]
    assert document["audit"]["seq"] > first.document["audit"]["seq"]


def test_without_a_key_no_checkpoint_but_the_audit_trail_is_sealed(ledger, settings, caplog):
    settings.INTEGRITY_SIGNING_KEY = ""
    with pytest.raises(NoSigningKey):
        checkpoint_create()
    from hazardledger.audit.models import AuditEvent

    with caplog.at_level(logging.WARNING):
        assert checkpoint_task.call() == 0
    assert not AuditEvent.objects.filter(chain_seq=None).exists()
    assert "no checkpoint taken" in caplog.text
    assert not Checkpoint.objects.exists()


def test_the_task_takes_one_on_the_configured_schedule(ledger, signing_key):
    job = next(j for j in periodic_jobs() if j.name == "integrity.checkpoint")
    assert job.cron == "0 * * * *"  # hourly, INTEGRITY_CHECKPOINT_CRON
    assert checkpoint_task.call() == 1
    assert checkpoint_task.call() == 1  # nothing changed since


def test_a_bad_key_fails_loudly(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.INTEGRITY_SIGNING_KEY = "not a key"
    with pytest.raises(ImproperlyConfigured, match="INTEGRITY_SIGNING_KEY"):
        checkpoint_create()


def test_a_key_is_read_from_pem_or_raw_base64(key_pair):
    pem, _public = key_pair
    key = load_private_key(pem)
    from cryptography.hazmat.primitives import serialization

    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    again = load_private_key(base64.b64encode(raw).decode())
    assert sign(again, b"x") == sign(key, b"x")


# --- export and import ------------------------------------------------------------------------


def test_an_exported_file_imports_as_already_held_and_a_full_one_lists_every_hazard(
    ledger, users, signing_key
):
    first = checkpoint_create().checkpoint
    act(ledger.major, HazardAction.SUBMIT, users.officer_a)
    second = checkpoint_create().checkpoint
    delta = parse_file(_file(second))
    assert len(delta) == 1 and len(delta[0].entries) == 1 and not delta[0].full
    full = parse_file(_file(second, full=True))
    assert full[0].full and len(full[0].entries) == 2
    assert [c.number for c in parse_file(_file(second, since=1))] == [1, 2]
    result = checkpoint_import(data=_file(first), actor=users.admin)
    assert (result.created, result.existing) == ([], 1)


def test_a_checkpoint_deleted_here_is_restored_from_the_copy_held_elsewhere(
    ledger, users, signing_key
):
    checkpoint = checkpoint_create().checkpoint
    held = _file(checkpoint)
    Checkpoint.objects.all().delete()
    passed, out, _err = verify()
    assert "No trusted checkpoint" in out
    result = checkpoint_import(data=held, actor=users.manager_a)
    assert [c.number for c in result.created] == [1]
    imported = result.created[0]
    assert imported.origin == "imported" and imported.imported_by == users.manager_a
    passed, out, err = verify()
    assert passed, err
    assert "Checkpoints #1–#1 (1 trusted)" in out


def _forged(data: bytes, change) -> bytes:
    document = _document(data)
    change(document["checkpoints"][0])
    return _pack(document)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(signature=base64.b64encode(b"x" * 64).decode()), "is not valid"),
        (lambda c: c.update(entries=c["entries"][:-1]), "do not match its signed digest"),
        (lambda c: c.update(header=c["header"].replace('"number":1', '"number":7')), "not valid"),
        (lambda c: c.update(header=c["header"] + " "), "not in canonical form"),
        (lambda c: c.update(entries=["1 2 " + "0" * 63 + "\x00"]), "malformed entry"),
        (lambda c: c.update(entries=[f"{2**64} 2 " + "0" * 64]), "malformed entry"),
        (lambda c: c.update(entries=[f"{2**63} 2 " + "0" * 64]), "malformed entry"),
        (lambda c: c.update(entries="=HYPERLINK(1)"), "malformed"),
        (lambda c: c.update(full="yes"), "malformed"),
        (lambda c: c.update(header=None), "must be a string"),
        (lambda c: c.update(header='{"format":"x"}'), "not a hazardledger.checkpoint/1"),
    ],
)
def test_a_forged_or_malformed_file_is_refused_and_nothing_is_stored(
    ledger, users, signing_key, change, message
):
    data = _file(checkpoint_create().checkpoint)
    Checkpoint.objects.all().delete()
    with pytest.raises(Invalid) as info:
        checkpoint_import(data=_forged(data, change), actor=users.admin)
    assert message in " ".join(info.value.messages)
    assert not Checkpoint.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a file", "not a JSON document"),
        (b"\x1f\x8b\x08\x00garbage", "This is not a valid checkpoint file"),
        (gzip.compress(b"[1, 2]", mtime=0), "not a hazardledger.checkpoints/1 file"),
        (
            gzip.compress(b'{"format": "hazardledger.checkpoints/1", "checkpoints": []}', mtime=0),
            "no checkpoint",
        ),
        (b"[" * 100000, "not a JSON document"),
    ],
)
def test_a_file_that_is_not_a_checkpoint_file_is_refused(users, signing_key, data, message):
    with pytest.raises(Invalid) as info:
        checkpoint_import(data=data, actor=users.admin)
    assert message in " ".join(info.value.messages)


def test_a_gzip_bomb_is_refused_while_it_unpacks(users, signing_key, monkeypatch):
    from hazardledger.integrity import checkpoints

    monkeypatch.setattr(checkpoints, "MAX_UNPACKED_BYTES", 1024 * 1024)
    with pytest.raises(Invalid) as info:
        checkpoint_import(data=gzip.compress(b"\x00" * (8 * 1024 * 1024)), actor=users.admin)
    assert "unpacks to too much data" in " ".join(info.value.messages)


def test_a_key_not_trusted_here_is_refused(ledger, users, signing_key, settings):
    data = _file(checkpoint_create().checkpoint)
    Checkpoint.objects.all().delete()
    settings.INTEGRITY_SIGNING_KEY = generate_key()[0].decode()  # another instance
    with pytest.raises(Invalid) as info:
        checkpoint_import(data=data, actor=users.admin)
    assert "which is not trusted here" in " ".join(info.value.messages)
    settings.INTEGRITY_TRUSTED_KEYS = [signing_key]
    assert checkpoint_import(data=data, actor=users.admin).created


def test_a_different_checkpoint_with_a_held_number_is_refused(ledger, users, signing_key, key_pair):
    """Someone holding the key signs another #1: the office that holds the first refuses it."""
    data = _file(checkpoint_create().checkpoint)

    def resign(item):
        document = json.loads(item["header"])
        document["hazards"]["count"] += 1
        item["header"] = header_bytes(document).decode()
        item["signature"] = sign(load_private_key(key_pair[0]), item["header"].encode())

    with pytest.raises(Invalid) as info:
        checkpoint_import(data=_forged(data, resign), actor=users.admin)
    assert "A different checkpoint test-county #1 is already held here" in str(info.value)


def test_an_office_imports_only_checkpoints_of_its_area(ledger, users, signing_key):
    data = _file(checkpoint_create().checkpoint)
    Checkpoint.objects.all().delete()
    with pytest.raises(Invalid) as info:
        checkpoint_import(data=data, actor=users.manager_b)  # Shenzhen; the county is 4401
    assert "outside your area" in str(info.value)
    assert not Checkpoint.objects.exists()


# --- stored checkpoints that were tampered with ------------------------------------------------


def test_a_checkpoint_altered_in_the_database_is_reported(ledger, signing_key):
    checkpoint = checkpoint_create().checkpoint
    Checkpoint.objects.filter(pk=checkpoint.pk).update(
        header=checkpoint.header.replace('"count":2', '"count":3')
    )
    passed, _out, err = verify()
    assert not passed
    assert "checkpoint #1 stored here does not verify with a trusted key" in err


def test_a_checkpoint_re_signed_here_loses_to_the_copy_held_elsewhere(
    ledger, users, signing_key, key_pair, tmp_path
):
    """An insider holding the key rewrites a hazard, then replaces checkpoint #1 with one
    signed over the rewritten history. The upper office's copy shows both."""
    checkpoint = checkpoint_create().checkpoint
    held = tmp_path / "held.json.gz"
    held.write_bytes(_file(checkpoint))
    from hazardledger.hazards.models import Hazard

    Hazard.objects.filter(pk=ledger.closed.pk).update(history_head="f" * 64)
    Checkpoint.objects.all().delete()
    from hazardledger.integrity.models import ChainHead

    ChainHead.objects.all().delete()
    checkpoint_create()  # re-signed: the rewritten anchor is now "attested"
    passed, _out, err = verify("--checkpoint", str(held))
    assert not passed
    assert "checkpoint #1 stored here differs from the copy held elsewhere" in err
    assert f"hazard {ledger.closed.pk} event 4" in err
    assert "is not the event the hazard's history ends with (replaced)" in err


def test_a_missing_checkpoint_in_the_run_is_reported(ledger, users, signing_key):
    checkpoint_create()
    act(ledger.major, HazardAction.SUBMIT, users.officer_a)
    checkpoint_create()
    act(ledger.major, HazardAction.ACCEPT, users.inspector_a)
    checkpoint_create()
    Checkpoint.objects.filter(number=2).delete()
    passed, _out, err = verify()
    assert not passed
    assert "checkpoints #2 are not held here" in err


# --- the key command ---------------------------------------------------------------------------


def test_keygen_writes_a_private_file_never_over_another(tmp_path, settings):
    path = tmp_path / "checkpoint.key"
    call_command("integrity_keygen", "--out", str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("integrity_keygen", "--out", str(path))
    settings.INTEGRITY_SIGNING_KEY = path.read_text()
    from io import StringIO

    out = StringIO()
    call_command("integrity_keygen", "--show", stdout=out)
    assert out.getvalue().startswith("key ")


def test_the_commands_take_export_and_import(ledger, signing_key, tmp_path):
    from io import StringIO

    out = StringIO()
    call_command("checkpoint_create", stdout=out)
    assert "Checkpoint #1 of test-county signed" in out.getvalue()
    call_command("checkpoint_create", stdout=out)
    assert "Nothing changed since checkpoint #1" in out.getvalue()
    path = tmp_path / "cp.json.gz"
    call_command("checkpoint_export", "--out", str(path), "--full", stdout=out)
    Checkpoint.objects.all().delete()
    call_command("checkpoint_import", str(path), stdout=out)
    assert "imported test-county #1" in out.getvalue()
    assert Checkpoint.objects.get().entries_full


def test_a_region_that_does_not_exist_fails_loudly(signing_key, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.INTEGRITY_REGION = "99"
    with pytest.raises(ImproperlyConfigured, match="INTEGRITY_REGION"):
        checkpoint_create()
