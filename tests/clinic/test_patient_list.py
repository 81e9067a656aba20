"""The patient list carries each patient's latest urgency and needling decision, for those who
may see clinical records, in a constant number of queries however many patients are listed."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from crampcare.clinic import assessments, patients
from crampcare.records.models import Assessment, AuditEntry, Intake, Patient
from tests.factories import make_intake
from tests.world import World

URGENCIES = ("none", "routine", "soon", "urgent", "emergency")


def by_name(listing: dict[str, Any]) -> dict[str, Any]:
    return {p["given_name"]: p for p in listing["items"]}


def test_each_patient_shows_the_newest_assessment(world: World) -> None:
    urgent = assessments.create_assessment(
        world.alice,
        {
            "patient_id": world.ellen["id"],
            "intake": make_intake(findings=["unilateral_calf_swelling"]),
        },
        world.kb,
    )
    rows = by_name(patients.list_patients(world.alice))
    latest = rows["Ellen"]["latest_assessment"]
    assert latest == {
        "id": urgent["id"],
        "assessed_on": urgent["assessed_on"],
        "urgency": "urgent",
        "needling_allowed": False,
    }
    assert rows["Nadia"]["latest_assessment"] is None  # never assessed


def test_a_role_without_clinical_access_is_never_shown_an_urgency(world: World) -> None:
    for user in (world.fran, world.adam):
        rows = by_name(patients.list_patients(user))
        assert rows["Ellen"]["latest_assessment"] is None


def test_the_listing_audits_the_assessments_it_showed(world: World) -> None:
    patients.list_patients(world.alice)
    entry = AuditEntry.objects.filter(action="list", record_type="patient").last()
    assert entry is not None
    assert entry.detail["assessments"] == [str(world.assessment["id"])]
    patients.list_patients(world.fran)
    entry = AuditEntry.objects.filter(action="list", record_type="patient").last()
    assert entry is not None and "assessments" not in entry.detail


def add_assessed_patients(world: World, count: int) -> None:
    """``count`` patients of Alice's clinic, each with two assessments (the newer counts)."""
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    people = [
        Patient(
            clinic_id=world.alice.clinic_id,
            given_name=f"P{i:04d}",
            family_name=f"Many{i:04d}",
            birth_date=dt.date(1950, 1, 1),
            sex="female",
        )
        for i in range(count)
    ]
    Patient.objects.bulk_create(people)
    intakes = [
        Intake(patient=p, version=1, taken_on=dt.date(2026, 1, 1), document={}) for p in people
    ]
    Intake.objects.bulk_create(intakes)
    rows = []
    for i, (p, intake) in enumerate(zip(people, intakes, strict=True)):
        for age, urgency in ((dt.timedelta(0), "none"), (dt.timedelta(days=1), URGENCIES[i % 5])):
            rows.append(
                Assessment(
                    patient=p,
                    intake=intake,
                    kb_version="test",
                    assessed_on=dt.date(2026, 1, 1),
                    urgency=urgency,
                    needling_allowed=urgency not in ("urgent", "emergency"),
                    result={},
                    created_at=old + age,
                    current=bool(age),  # the newer one is the intake's current assessment
                )
            )
    Assessment.objects.bulk_create(rows)


def queries_to_list(world: World, limit: int) -> tuple[int, dict[str, Any], float]:
    with CaptureQueriesContext(connection) as seen:
        start = time.perf_counter()
        listing = patients.list_patients(world.alice, limit=limit)
        took = time.perf_counter() - start
    return len(seen.captured_queries), listing, took


def test_the_list_takes_the_same_queries_for_two_patients_or_two_hundred(world: World) -> None:
    few, small, _ = queries_to_list(world, 200)
    assert small["count"] == 2
    add_assessed_patients(world, 198)
    many, big, took = queries_to_list(world, 200)
    assert big["count"] == 200 and len(big["items"]) == 200
    assert many == few, f"{few} queries for 2 patients, {many} for 200: a query per patient"
    assert took < 2.0, f"listing 200 patients took {took:.2f} s"
    rows = by_name(big)
    for i in range(198):
        latest = rows[f"P{i:04d}"]["latest_assessment"]
        assert latest["urgency"] == URGENCIES[i % 5], i  # the newer of the two
        assert latest["needling_allowed"] is (URGENCIES[i % 5] not in ("urgent", "emergency"))
