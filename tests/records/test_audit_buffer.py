"""Entries are held until the transaction's end and written then in one step: they commit and
roll back with the change, a refusal is kept even when the change rolls back, and nothing is
written (nor a head locked) while the request runs."""

from __future__ import annotations

import pytest
from django.db import transaction

from crampcare.clinic import patients
from crampcare.clinic.errors import NotFound
from crampcare.records import audit
from crampcare.records.audit_chain import chain_for
from crampcare.records.models import AuditEntry
from tests.world import World


def count() -> int:
    return AuditEntry.objects.count()


def test_entries_are_written_when_the_request_ends_not_while_it_runs(world: World) -> None:
    before = count()
    with transaction.atomic():  # a request (ATOMIC_REQUESTS)
        patients.get_patient(world.alice, world.ellen["id"])
        patients.get_patient(world.alice, world.nadia["id"])
        assert count() == before  # held with the connection: no row, no head lock yet
    read_ellen, read_nadia = AuditEntry.objects.order_by("id")[before:]
    assert (read_ellen.patient_id, read_nadia.patient_id) == (
        str(world.ellen["id"]),
        str(world.nadia["id"]),
    )
    assert read_nadia.seq == read_ellen.seq + 1 and read_nadia.prev_hash == read_ellen.hash
    assert audit.verify().ok


def test_outside_a_transaction_an_entry_is_written_at_once(world: World) -> None:
    before = count()
    patients.get_patient(world.alice, world.ellen["id"])
    assert count() == before + 1


def test_a_failed_request_leaves_neither_change_nor_entry(world: World) -> None:
    before = count()
    with pytest.raises(RuntimeError), transaction.atomic():
        patients.update_patient(world.fran, world.ellen["id"], {"phone": "+1 555 0199"})
        raise RuntimeError("the request failed")
    assert count() == before
    assert patients.get_patient(world.fran, world.ellen["id"])["phone"] != "+1 555 0199"


def test_a_rolled_back_savepoint_drops_its_entries_but_keeps_refusals(world: World) -> None:
    before = count()
    with transaction.atomic():
        patients.get_patient(world.alice, world.ellen["id"])
        with pytest.raises(NotFound), transaction.atomic():
            patients.update_patient(world.fran, world.nadia["id"], {"phone": "+1 555 0142"})
            patients.get_patient(world.bert, world.ellen["id"])  # refused: another clinic's
    rows = list(AuditEntry.objects.order_by("id")[before:])
    assert [(r.actor, r.action) for r in rows] == [("alice", "read"), ("bert", "denied")]
    assert audit.verify().ok


def test_a_refusal_is_kept_when_the_whole_request_rolls_back(world: World) -> None:
    before = count()
    with pytest.raises(NotFound), transaction.atomic():
        patients.update_patient(world.fran, world.nadia["id"], {"phone": "+1 555 0142"})
        patients.get_patient(world.bert, world.ellen["id"])
    rows = list(AuditEntry.objects.order_by("id")[before:])
    assert [(r.actor, r.action, r.chain) for r in rows] == [
        ("bert", "denied", chain_for(world.bert.clinic_id))
    ]


def test_a_detail_that_cannot_be_stored_fails_at_the_call_not_at_commit(world: World) -> None:
    with pytest.raises(ValueError):
        audit.append(world.alice, "read", "patient", detail={"x": float("nan")})
    with pytest.raises(TypeError):
        audit.append(world.alice, "read", "patient", detail={"x": object()})
