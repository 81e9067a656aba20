"""Erasure (clinic/erasure.py): Ellen's whole record is erased, nothing in any table of the
database names her or holds what was written about her, the audit chain still verifies, and
she is not found afterwards. Refusals (role, clinic, confirmation, reason, open session) change
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import ForeignKey, Model

from crampcare.clinic import erasure, patients, sessions
from crampcare.clinic.errors import ClinicError, Conflict, Forbidden, Invalid, NotFound
from crampcare.records import audit, patient_rows
from crampcare.records.models import AuditEntry, Patient, PatientErasure, TreatmentSession
from tests.clinic.privacy_world import IDENTITY, MARKERS, full_record
from tests.world import World

CONFIRMED = {"reason": "patient_request", "confirm": "ERASE"}


def _database_text() -> list[tuple[str, str]]:
    """Every value of every table (text, JSON, dates: as text), with its table."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                found += [(table, str(v)) for v in row if v is not None]
    return found


def _holding(needle: str) -> set[str]:
    return {table for table, text in _database_text() if needle.lower() in text.lower()}


@pytest.fixture
def ellen(world: World) -> World:
    full_record(world)
    return world


def test_the_planted_values_are_found_before_erasure(ellen: World) -> None:
    # the search below can find each value: without it, "nothing found" would prove nothing
    for value in [*IDENTITY.values(), *MARKERS.values()]:
        assert _holding(value) - {"records_auditentry"}, value


def test_erasure_leaves_no_identifier_or_note_in_any_table(ellen: World) -> None:
    erasure.erase(ellen.adam, ellen.ellen["id"], CONFIRMED)
    for value in [*IDENTITY.values(), *MARKERS.values()]:
        assert _holding(value) == set(), value


def test_every_row_of_the_patient_is_gone(ellen: World) -> None:
    pid = ellen.ellen["id"]
    before = {name: rows.count() for name, rows in patient_rows.rows(pid)}
    assert all(before.values()), before  # the world has a row in every table
    done = erasure.erase(ellen.adam, pid, CONFIRMED)
    assert done["counts"] == before
    assert all(rows.count() == 0 for _, rows in patient_rows.rows(pid))
    assert not Patient.objects.filter(pk=pid).exists()
    # the other patients' records are untouched
    assert Patient.objects.filter(pk=ellen.nadia["id"]).exists()
    assert Patient.objects.filter(pk=ellen.otto["id"]).exists()


def test_the_audit_chain_still_verifies_and_records_the_erasure(ellen: World) -> None:
    pid = ellen.ellen["id"]
    before = AuditEntry.objects.filter(patient_id=pid).count()
    erasure.erase(ellen.adam, pid, CONFIRMED)
    entries = AuditEntry.objects.filter(patient_id=pid)
    assert entries.count() == before + 1  # kept, and the erasure added
    last = entries.order_by("-id")[0]
    assert (last.action, last.actor, last.detail["reason"]) == ("erase", "adam", "patient_request")
    assert last.detail["counts"]["sessions"] == 2
    report = audit.verify()
    assert report.ok, report.problems
    row = PatientErasure.objects.get(patient_id=pid)
    assert (row.erased_by, row.reason, row.counts) == (
        ellen.adam,
        "patient_request",
        last.detail["counts"],
    )


def test_the_erased_patient_is_not_found(ellen: World) -> None:
    pid = ellen.ellen["id"]
    erasure.erase(ellen.adam, pid, CONFIRMED)
    with pytest.raises(NotFound):
        patients.get_patient(ellen.alice, pid)
    with pytest.raises(NotFound):
        erasure.erase(ellen.adam, pid, CONFIRMED)
    listed = patients.list_patients(ellen.alice)
    assert str(pid) not in {str(p["id"]) for p in listed["items"]}


@pytest.mark.parametrize(
    "who, expected",
    [("alice", Forbidden), ("fran", Forbidden)],
    ids=["a practitioner may not erase", "the front desk may not erase"],
)
def test_only_a_clinic_admin_erases(ellen: World, who: str, expected: type[Exception]) -> None:
    with pytest.raises(expected):
        erasure.erase(ellen.user(who), ellen.ellen["id"], CONFIRMED)
    assert Patient.objects.filter(pk=ellen.ellen["id"]).exists()
    assert AuditEntry.objects.filter(action="denied", record_type="erasure").exists()


def test_another_clinics_admin_does_not_find_the_patient(ellen: World) -> None:
    from crampcare.records.models import User

    bella = User.objects.get(username="bella")
    with pytest.raises(NotFound):
        erasure.erase(bella, ellen.ellen["id"], CONFIRMED)
    assert Patient.objects.filter(pk=ellen.ellen["id"]).exists()


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"reason": "patient_request"}, ["confirm"]),
        ({"reason": "patient_request", "confirm": "erase"}, ["confirm"]),
        ({"reason": "patient_request", "confirm": True}, ["confirm"]),
        ({"confirm": "ERASE"}, ["reason"]),
        ({"reason": "because", "confirm": "ERASE"}, ["reason"]),
        ({**CONFIRMED, "note": "Ellen asked"}, ["note"]),
        ({}, ["reason", "confirm"]),
    ],
    ids=[
        "no confirmation",
        "confirmation in lower case",
        "confirmation as a flag",
        "no reason",
        "a reason that is no category",
        "free text is not taken",
        "nothing",
    ],
)
def test_an_unconfirmed_or_unfounded_request_erases_nothing(
    ellen: World, body: dict[str, Any], fields: list[str]
) -> None:
    with pytest.raises(Invalid) as refused:
        erasure.erase(ellen.adam, ellen.ellen["id"], body)
    assert [f for f, _ in refused.value.errors] == fields
    assert Patient.objects.filter(pk=ellen.ellen["id"]).exists()
    assert not PatientErasure.objects.exists()


def test_a_patient_being_treated_now_is_not_erased(ellen: World) -> None:
    open_one = sessions.start_session(ellen.alice, {"patient_id": ellen.ellen["id"]}, ellen.kb)
    assert open_one["status"] == "open"
    with pytest.raises(Conflict):
        erasure.erase(ellen.adam, ellen.ellen["id"], CONFIRMED)
    assert Patient.objects.filter(pk=ellen.ellen["id"]).exists()
    assert not PatientErasure.objects.exists()


def test_signed_sessions_stay_undeletable_without_an_erasure(ellen: World) -> None:
    from django.db import DatabaseError, transaction

    locked = TreatmentSession.objects.filter(patient_id=ellen.ellen["id"], status="locked")
    with pytest.raises(DatabaseError), transaction.atomic():
        locked.first().delete()  # type: ignore[union-attr]
    assert locked.count() == 2


def _refers_to_patient(model: type[Model], seen: frozenset[type[Model]] = frozenset()) -> bool:
    for field in model._meta.concrete_fields:
        if isinstance(field, ForeignKey):
            target = field.related_model
            assert isinstance(target, type)
            if target is Patient:
                return True
            if (
                target not in seen
                and target is not model
                and _refers_to_patient(target, seen | {model})
            ):
                return True
    return False


def test_every_table_that_refers_to_a_patient_is_erased() -> None:
    referring = {m for m in apps.get_models() if m is not Patient and _refers_to_patient(m)}
    assert referring == {model for _, model, _ in patient_rows.TABLES}


def test_a_preview_counts_what_would_go_and_changes_nothing(ellen: World) -> None:
    shown = erasure.preview(ellen.adam, ellen.ellen["id"])
    assert shown["counts"]["diary_entries"] == 7 and shown["counts"]["session_addenda"] == 1
    assert Patient.objects.filter(pk=ellen.ellen["id"]).exists()
    with pytest.raises(ClinicError):
        erasure.preview(ellen.fran, ellen.ellen["id"])
