"""The audit trail's hash chain: sealed after the fact, checked against the heads checkpoints
hold."""

from __future__ import annotations

import pytest

from hazardledger.audit.actions import register_action
from hazardledger.audit.chain import CHAINED_FIELDS, audit_entry_hash, audit_seal, audit_verify
from hazardledger.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from hazardledger.audit.services import record

pytestmark = pytest.mark.django_db

ACTION = register_action("tests.thing.touch", "touched")


def _entries(n: int, users) -> list[AuditEvent]:
    return [record(actor=users.officer_a, action=ACTION, data={"n": i}) for i in range(n)]


def test_a_seal_numbers_the_new_entries_in_id_order_and_chains_them(users):
    entries = _entries(3, users)
    head = audit_seal()
    assert (head.seq, head.sealed) == (3, 3)
    rows = list(AuditEvent.objects.order_by("chain_seq"))
    assert [r.pk for r in rows] == [e.pk for e in entries]
    assert [r.chain_seq for r in rows] == [1, 2, 3]
    assert rows[0].chain_hash != GENESIS_HASH and rows[-1].chain_hash == head.head
    assert AuditChainHead.objects.get().seq == 3
    # Nothing new: nothing sealed, the same head.
    again = audit_seal()
    assert (again.seq, again.head, again.sealed) == (3, head.head, 0)
    _entries(2, users)
    later = audit_seal()
    assert (later.seq, later.sealed) == (5, 2)


def test_an_intact_chain_verifies_and_is_proven_by_its_anchor(users):
    _entries(4, users)
    head = audit_seal()
    _entries(1, users)  # written after the seal: not in the chain yet
    check = audit_verify(anchors={head.seq: (head.head, "checkpoint #1")})
    assert check.problems == []
    assert (check.entries, check.seq, check.unsealed, check.proven_upto) == (4, 4, 1, 4)


def test_an_edited_entry_is_named(users):
    entries = _entries(3, users)
    audit_seal()
    AuditEvent.objects.filter(pk=entries[1].pk).update(actor_name="别人")
    check = audit_verify()
    assert [(p.seq, p.entry_id) for p in check.problems] == [(2, entries[1].pk)]
    assert "altered" in str(check.problems[0])


def test_a_deleted_entry_leaves_a_gap(users):
    entries = _entries(4, users)
    audit_seal()
    AuditEvent.objects.filter(pk=entries[1].pk).delete()
    check = audit_verify()
    assert "entry 2 is missing from the chain (deleted)" in str(check.problems[0])


def test_a_consistently_rewritten_chain_fails_at_the_checkpoints_anchor(users):
    """A forger who deletes an entry and recomputes every later position and hash leaves a
    chain that is consistent in itself: only the signed head shows it."""
    entries = _entries(4, users)
    head = audit_seal()
    AuditEvent.objects.filter(pk=entries[0].pk).delete()
    AuditEvent.objects.update(chain_seq=None, chain_hash="")
    AuditChainHead.objects.all().delete()
    forged = audit_seal()
    assert forged.seq == 3
    assert audit_verify().problems == []
    check = audit_verify(anchors={head.seq: (head.head, "checkpoint #1")})
    assert len(check.problems) == 1
    assert "the checkpoint holds position 4: entries were deleted" in str(check.problems[0])
    assert "[checkpoint #1]" in str(check.problems[0])


def test_entries_not_sealed_here_are_chained_in_id_order_to_reach_the_anchor(users):
    """A database restored from a backup taken before the checkpoint sealed its entries."""
    entries = _entries(3, users)
    head = audit_seal()
    AuditEvent.objects.update(chain_seq=None, chain_hash="")
    check = audit_verify(anchors={head.seq: (head.head, "checkpoint #1")})
    assert check.problems == [] and check.proven_upto == 3
    AuditEvent.objects.filter(pk=entries[2].pk).update(object_repr="改过")
    check = audit_verify(anchors={head.seq: (head.head, "checkpoint #1")})
    assert "do not chain up to the checkpoint's head" in str(check.problems[0])


def test_the_hash_covers_position_and_predecessor(users):
    entry = _entries(1, users)[0]
    values = AuditEvent.objects.filter(pk=entry.pk).values_list(*CHAINED_FIELDS)[0]
    first = audit_entry_hash(values, seq=1, prev=GENESIS_HASH)
    assert first != audit_entry_hash(values, seq=2, prev=GENESIS_HASH)
    assert first != audit_entry_hash(values, seq=1, prev="1" * 64)
