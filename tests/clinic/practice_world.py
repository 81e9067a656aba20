"""A small clinic for the practice-view tests (tests/clinic and tests/web): Willow's patients with
courses, diaries and adverse events whose figures are worked out by hand in the tests, and one
Birch patient who must never be counted at Willow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from crampcare.clinic import assessments, patients, plans
from crampcare.records.models import DiaryEntry, TreatmentPlan
from tests.clinic.course_world import adverse_event, record_session
from tests.factories import make_intake
from tests.world import World, person

NECK = {"complaint": {"regions": ["neck"], "nocturnal": False, "kind": "spasm"}}


def add_patient(world: World, actor: Any, given: str, **intake: Any) -> dict[str, Any]:
    made = patients.create_patient(actor, person(given, "Test"))
    return assessments.create_assessment(
        actor, {"patient_id": made["id"], "intake": make_intake(**intake)}, world.kb
    )


def add_plan(world: World, actor: Any, assessment: dict[str, Any], drop: int = 0) -> TreatmentPlan:
    ids = [plans.point_id(p["code"], p["region"]) for p in assessment["result"]["points"]]
    body: dict[str, Any] = {"accepted": ids[drop:]}
    if drop:
        body["removed"] = [{"point": i, "reason": "fewer needles"} for i in ids[:drop]]
    made = plans.create_plan(actor, assessment["id"], body, world.kb)
    return TreatmentPlan.objects.get(pk=made["id"])


def add_sessions(
    world: World, plan: TreatmentPlan, days_ago: list[int], status: str = "locked"
) -> list[Any]:
    measures = {"measures": {"pain_before": 6, "pain_after": 4}}
    return [record_session(world, plan, d, status, document=measures) for d in days_ago]


def add_diary(patient_id: object, days_ago: range, cramps: int) -> None:
    today = timezone.localdate()
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            patient_id=patient_id,
            date=today - dt.timedelta(days=d),
            cramps=cramps,
            source="patient",
        )
        for d in days_ago
    )


def small_clinic(world: World) -> dict[str, Any]:
    """Willow: Ellen responds (diary 7 a week -> 0), Iris does not (diary kept, no change, one
    point removed), Jon finished 12 sessions for his neck (no diary), Kay is two sessions in
    with no diary and a serious adverse event. Birch: Otto, who must never be counted."""
    ellen = add_plan(world, world.alice, world.assessment)
    first = add_sessions(world, ellen, [38], "closed")[0]
    adverse_event(world, first, "bleeding_bruising", "mild", serious=False)
    add_sessions(world, ellen, [31, 24, 17, 10, 3])
    add_diary(world.ellen["id"], range(39, 60), 1)  # baseline: 21 days before the first session
    add_diary(world.ellen["id"], range(0, 14), 0)  # the last 14 days: no cramps

    iris_a = add_patient(world, world.alice, "Iris")
    iris = add_plan(world, world.alice, iris_a, drop=1)
    add_sessions(world, iris, [30, 23, 16])
    add_diary(iris_a["patient_id"], range(31, 45), 1)
    add_diary(iris_a["patient_id"], range(0, 14), 1)

    jon_a = add_patient(world, world.alice, "Jon", **NECK)
    add_sessions(world, add_plan(world, world.alice, jon_a), list(range(90, 6, -7)))

    kay_a = add_patient(world, world.alice, "Kay")
    kay = add_plan(world, world.alice, kay_a)
    add_sessions(world, kay, [17])
    adverse_event(world, add_sessions(world, kay, [10], "closed")[0], "fainting", "severe", True)

    otto_a = assessments.create_assessment(
        world.bert, {"patient_id": world.otto["id"], "intake": make_intake()}, world.kb
    )
    add_sessions(world, add_plan(world, world.bert, otto_a), [9, 2])
    add_diary(world.otto["id"], range(0, 14), 3)
    return {"kay": kay_a["patient_id"], "ellen_plan": ellen}
