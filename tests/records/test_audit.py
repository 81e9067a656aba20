"""The audit log: every read and write of patient data is in it, each clinic has its own chain,
it is append-only in the database, and `verify` names the entry that was changed or removed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, transaction

from crampcare.clinic import assessments, patients
from crampcare.clinic.errors import NotFound
from crampcare.records import audit
from crampcare.records.audit_chain import chain_for, digest
from crampcare.records.models import AuditEntry, AuditHead
from tests.records import tamper
from tests.world import World


def entries(**match: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**match).order_by("id"))


def willow(world: World) -> str:
    return chain_for(world.alice.clinic_id)


def test_it_records_reads_and_writes_of_patient_data(world: World) -> None:
    before = AuditEntry.objects.count()
    patients.get_patient(world.alice, world.ellen["id"])
    patients.update_patient(world.fran, world.ellen["id"], {"phone": "+1 555 0100"})
    assessments.get_assessment(world.alice, world.assessment["id"], world.kb)
    rows = list(AuditEntry.objects.order_by("id"))[before:]
    assert [(r.action, r.record_type, r.actor) for r in rows] == [
        ("read", "patient", "alice"),
        ("update", "patient", "fran"),
        ("read", "assessment", "alice"),
    ]
    assert all(r.patient_id == str(world.ellen["id"]) for r in rows)
    assert rows[1].detail == {"fields": ["phone"]}  # names of fields, never their values


def test_each_clinic_has_its_own_chain_numbered_from_one(world: World) -> None:
    patients.get_patient(world.bert, world.otto["id"])
    birch = chain_for(world.bert.clinic_id)
    assert birch != willow(world)
    for chain in (birch, willow(world)):
        seqs = [e.seq for e in entries(chain=chain)]
        assert seqs == list(range(1, len(seqs) + 1))
        assert AuditHead.objects.get(chain=chain).seq == len(seqs)
    assert {e.clinic_id for e in entries(chain=birch)} == {world.bert.clinic_id}
    assert not {e.actor for e in entries(chain=birch)} & {"alice", "fran", "adam"}


def test_a_list_records_which_patients_were_shown(world: World) -> None:
    patients.list_patients(world.fran)
    last = AuditEntry.objects.order_by("-id").first()
    assert last is not None and last.action == "list"
    assert set(last.detail["ids"]) == {str(world.ellen["id"]), str(world.nadia["id"])}


def test_a_fresh_log_verifies(world: World) -> None:
    report = audit.verify()
    assert report.ok, report.problems
    assert report.entries == AuditEntry.objects.count() > 10
    assert report.chains[willow(world)][0] == len(entries(chain=willow(world)))


def test_entries_cannot_be_updated_or_deleted_nor_a_head_moved_back(world: World) -> None:
    entry = AuditEntry.objects.order_by("id").first()
    assert entry is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        AuditHead.objects.filter(chain=willow(world)).update(seq=1)


def test_verify_names_a_changed_entry(world: World) -> None:
    tamper.sql(
        "UPDATE records_auditentry SET actor = %s WHERE chain = %s AND seq = %s",
        ["mallory", willow(world), 5],
    )
    assert audit.verify().problems == [
        f"chain {willow(world)}: entry 5 was changed: its content does not match its hash"
    ]


def test_verify_names_an_entry_whose_hash_was_recomputed(world: World) -> None:
    entry = AuditEntry.objects.get(chain=willow(world), seq=4)
    entry.actor = "mallory"
    tamper.sql(
        "UPDATE records_auditentry SET actor = %s, hash = %s WHERE id = %s",
        ["mallory", digest(entry), entry.pk],
    )
    assert audit.verify().problems == [
        f"chain {willow(world)}: entry 5 does not follow entry 4: entry 4 was changed or replaced"
    ]


def test_verify_names_a_removed_entry(world: World) -> None:
    tamper.sql("DELETE FROM records_auditentry WHERE chain = %s AND seq = %s", [willow(world), 6])
    assert audit.verify().problems[0] == (
        f"chain {willow(world)}: entry 6 was removed (numbers jump to 7)"
    )


def test_verify_names_entries_removed_from_the_end(world: World) -> None:
    last = AuditHead.objects.get(chain=willow(world)).seq
    tamper.sql(
        "DELETE FROM records_auditentry WHERE chain = %s AND seq >= %s", [willow(world), last - 1]
    )
    assert audit.verify().problems == [
        f"chain {willow(world)}: entry {last - 1} to {last} was removed from the end of the chain"
    ]


def test_a_failed_write_leaves_no_audit_entry(world: World) -> None:
    count = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        patients.update_patient(world.fran, world.ellen["id"], {"phone": "+1 555"})
        raise RuntimeError("the request failed after the write")
    assert AuditEntry.objects.count() == count
    assert audit.verify().ok


def test_another_clinics_record_is_a_refusal_on_record(world: World) -> None:
    """One 404 for 'absent' and 'another clinic's', and an entry of what was asked for, in the
    asking clinic's chain."""
    with pytest.raises(NotFound):
        patients.get_patient(world.bert, world.ellen["id"])
    with pytest.raises(NotFound):
        assessments.get_assessment(world.bert, world.assessment["id"], world.kb)
    patient, assessment = entries(actor="bert", action="denied")
    assert (patient.record_type, patient.record_id, patient.patient_id) == (
        "patient",
        str(world.ellen["id"]),
        str(world.ellen["id"]),
    )
    assert (assessment.record_type, assessment.record_id) == (
        "assessment",
        str(world.assessment["id"]),
    )
    assert {patient.chain, assessment.chain} == {chain_for(world.bert.clinic_id)}
    assert patient.detail == {"reason": "not_found"}


def test_a_refusal_for_the_role_names_what_was_asked_for(world: World) -> None:
    with pytest.raises(Exception, match="may not"):
        assessments.get_assessment(world.fran, world.assessment["id"], world.kb)
    denied = entries(actor="fran", action="denied")[-1]
    assert denied.record_type == "assessment" and denied.detail == {"needs": "clinical"}


def test_security_events_go_to_the_accounts_clinic_or_the_system_chain(world: World) -> None:
    audit.security_event(None, "sign_in_failed", username="nobody\x00" + "x" * 100)
    audit.security_event(world.adam, "role_change", username="fran", detail={"role": "x"})
    failed, changed = entries(record_type="account")[-2:]
    assert (failed.chain, failed.actor) == ("system", "system")
    assert failed.record_id == "nobody" + "x" * 58  # printable, at most 64 characters
    assert (changed.chain, changed.actor, changed.record_id) == (willow(world), "adam", "fran")
    assert audit.verify().ok
