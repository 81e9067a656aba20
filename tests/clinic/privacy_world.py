"""Ellen's whole record for the export and erasure tests: identifiers no other patient shares,
and a free-text marker planted in every table that holds text (notes, reasons, descriptions,
documents, diary, FHIR import), so that a search of the database can find what is left."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from crampcare.clinic import patients, sessions
from crampcare.records.models import (
    Booking,
    DiaryEntry,
    DiaryLink,
    FhirImport,
    Intake,
    PlanPoint,
    ReviewDecision,
    TreatmentPlan,
)
from tests.clinic.course_world import adverse_event, ahead, make_plan, record_session, sign
from tests.fhir.test_export import MANUAL
from tests.world import World

IDENTITY = {
    "given_name": "Zelphira",
    "family_name": "Quokkaberg",
    "phone": "+44 20 7946 0999",
    "email": "zelphira.q@example.org",
    "birth_date": "1957-08-23",
    "address": "12 Marrowbone Lane, Exeter",
}
MARKERS = {
    "plan note": "MARKERPLANNOTE",
    "plan point reason": "MARKERPOINTREASON",
    "session note": "MARKERSOAPNOTE",
    "adverse event": "MARKERADVERSE",
    "addendum reason": "MARKERADDREASON",
    "addendum text": "MARKERADDTEXT",
    "booking note": "MARKERBOOKING",
    "review note": "MARKERREVIEW",
    "diary regions": "MARKERDIARY",
    "intake": "MARKERINTAKE",
    "fhir import": "MARKERFHIR",
}


def _ago(day: dt.date, days: int) -> str:
    return (day - dt.timedelta(days=days)).isoformat()


def full_record(world: World) -> dict[str, Any]:
    """Give Ellen her own identifiers and a record in every table; returns what was made."""
    patients.update_patient(world.alice, world.ellen["id"], IDENTITY)
    pid = world.ellen["id"]
    plan = make_plan(world)
    TreatmentPlan.objects.filter(pk=plan.pk).update(note=MARKERS["plan note"])
    PlanPoint.objects.create(
        plan=plan,
        position=99,
        point="ST36",
        code="ST36",
        side="both",
        decision="added",
        reason=MARKERS["plan point reason"],
    )
    note = {"subjective": MARKERS["session note"], "plan": "continue"}
    day = timezone.localdate()
    first = record_session(
        world, plan, 20, document={**MANUAL, "note": note, "date": _ago(day, 20)}
    )
    second = record_session(world, plan, 13, "closed", document={**MANUAL, "date": _ago(day, 13)})
    event = adverse_event(world, second, "fainting", "moderate", serious=False)
    type(event).objects.filter(pk=event.pk).update(description=MARKERS["adverse event"])
    sign(world, second)
    sessions.add_addendum(
        world.alice,
        first.id,
        {"reason": MARKERS["addendum reason"], "text": MARKERS["addendum text"]},
    )
    Booking.objects.create(
        patient_id=pid,
        plan=plan,
        session_number=3,
        starts_at=ahead(3),
        duration_minutes=30,
        note=MARKERS["booking note"],
    )
    ReviewDecision.objects.create(
        patient_id=pid, plan=plan, key="session:4", decision="continue", note=MARKERS["review note"]
    )
    link = DiaryLink.objects.create(
        patient_id=pid,
        token_hash=hashlib.sha256(b"privacy-test").hexdigest(),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    for days_ago in range(21, 28):
        DiaryEntry.objects.create(
            patient_id=pid,
            date=timezone.localdate() - dt.timedelta(days=days_ago),
            cramps=2,
            worst_severity=5,
            regions=["calf", MARKERS["diary regions"]],
            source="patient",
            link=link,
        )
    intake = Intake.objects.filter(patient_id=pid).first()
    assert intake is not None
    Intake.objects.filter(pk=intake.pk).update(
        document={**intake.document, "note": MARKERS["intake"]}
    )
    FhirImport.objects.create(
        patient_id=pid,
        intake=intake,
        file_name="record.json",
        record={"note": MARKERS["fhir import"], "name": IDENTITY["family_name"]},
    )
    return {"plan": plan, "sessions": [first, second]}
