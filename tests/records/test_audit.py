"""The audit log: every read and write of patient data is in it, it is append-only in the
database, and `verify` names the entry that was changed or removed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from crampcare.clinic import assessments, patients
from crampcare.records import audit
from crampcare.records.models import AuditEntry, AuditHead
from tests.world import World


def entries(**match: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**match).order_by("seq"))


def test_it_records_reads_and_writes_of_patient_data(world: World) -> None:
    before = AuditEntry.objects.count()
    patients.get_patient(world.alice, world.ellen["id"])
    patients.update_patient(world.fran, world.ellen["id"], {"phone": "+1 555 0100"})
    assessments.get_assessment(world.alice, world.assessment["id"], world.kb)
    rows = list(AuditEntry.objects.order_by("seq"))[before:]
    assert [(r.action, r.record_type, r.actor) for r in rows] == [
        ("read", "patient", "alice"),
        ("update", "patient", "fran"),
        ("read", "assessment", "alice"),
    ]
    assert all(r.patient_id == str(world.ellen["id"]) for r in rows)
    assert rows[1].detail == {"fields": ["phone"]}  # names of fields, never their values


def test_a_list_records_which_patients_were_shown(world: World) -> None:
    patients.list_patients(world.fran)
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.action == "list"
    assert set(last.detail["ids"]) == {str(world.ellen["id"]), str(world.nadia["id"])}


def test_a_fresh_chain_verifies(world: World) -> None:
    report = audit.verify()
    assert report.ok, report.problems
    assert report.entries == AuditEntry.objects.count() > 10
    assert report.head_seq == report.entries


def test_entries_cannot_be_updated_or_deleted(world: World) -> None:
    entry = AuditEntry.objects.order_by("seq").first()
    assert entry is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def _without_triggers(sql: str, params: list[Any]) -> None:
    """What an attacker with direct database access does: drop the guard, then tamper."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER records_auditentry_no_update")
            cur.execute("DROP TRIGGER records_auditentry_no_delete")
        else:
            cur.execute("ALTER TABLE records_auditentry DISABLE TRIGGER USER")
        cur.execute(sql, params)


def test_verify_names_a_changed_entry(world: World) -> None:
    _without_triggers("UPDATE records_auditentry SET actor = %s WHERE seq = %s", ["mallory", 5])
    report = audit.verify()
    assert not report.ok
    assert report.problems[0] == "entry 5 was changed: its content does not match its hash"


def test_verify_names_an_entry_whose_hash_was_recomputed(world: World) -> None:
    entry = AuditEntry.objects.get(seq=4)
    entry.actor = "mallory"
    new_hash = audit._digest(entry)
    _without_triggers(
        "UPDATE records_auditentry SET actor = %s, hash = %s WHERE seq = %s",
        ["mallory", new_hash, 4],
    )
    report = audit.verify()
    assert "entry 5 does not follow entry 4: entry 4 was changed or replaced" in report.problems


def test_verify_names_a_removed_entry(world: World) -> None:
    _without_triggers("DELETE FROM records_auditentry WHERE seq = %s", [6])
    report = audit.verify()
    assert report.problems[0] == "entry 6 was removed (numbers jump to 7)"


def test_verify_names_entries_removed_from_the_end(world: World) -> None:
    last = AuditHead.objects.get(pk=1).seq
    _without_triggers("DELETE FROM records_auditentry WHERE seq >= %s", [last - 1])
    report = audit.verify()
    assert report.problems == [f"entry {last - 1} to {last} was removed from the end of the log"]


def test_a_failed_write_leaves_no_audit_entry(world: World) -> None:
    count = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        patients.update_patient(world.fran, world.ellen["id"], {"phone": "+1 555"})
        raise RuntimeError("the request failed after the write")
    assert AuditEntry.objects.count() == count
    assert audit.verify().ok
