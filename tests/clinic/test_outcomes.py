"""A patient's outcomes and the course review as the use cases give them: gathered from the
diary, the current plan's session measures and the intake; who may see them; clinic isolation;
audit; one decision per review (parallel decisions on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from crampcare.clinic import outcomes
from crampcare.clinic.errors import Conflict, Forbidden, Invalid, NotFound
from crampcare.records.models import AuditEntry, DiaryEntry, ReviewDecision, TreatmentPlan
from tests.clinic.course_world import make_plan, record_session
from tests.parallel import in_parallel, postgres_only
from tests.world import World


def log(world: World, days_ago: int, cramps: int, **fields: Any) -> None:
    DiaryEntry.objects.create(
        patient_id=world.ellen["id"],
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        cramps=cramps,
        source="patient",
        **fields,
    )


def session(world: World, plan: TreatmentPlan, days_ago: int, before: int, after: int) -> None:
    measures = {"pain_before": before, "pain_after": after}
    record_session(world, plan, days_ago, document={"measures": measures})


def course_with_diary(world: World) -> TreatmentPlan:
    """Sessions 21, 14 and 7 days ago; 14 diary days before the first at 4 cramps a week,
    and every day since at 2 a week (a 50 % fall)."""
    plan = make_plan(world)
    for days_ago, before in ((21, 6), (14, 5), (7, 4)):
        session(world, plan, days_ago, before, before - 2)
    for days_ago in range(22, 36):
        log(world, days_ago, 1 if days_ago % 7 < 4 else 0, worst_severity=6)
    for days_ago in range(0, 22):
        log(world, days_ago, 1 if days_ago % 7 < 2 else 0, worst_severity=3)
    return plan


def test_outcomes_from_the_diary_and_the_session_measures(world: World) -> None:
    plan = course_with_diary(world)
    got = outcomes.outcomes(world.alice, world.ellen["id"])
    assert got["plan_id"] == plan.id and got["patient_id"] == world.ellen["id"]
    assert got["baseline"]["source"] == "diary" and got["baseline"]["days"] == 14
    assert got["baseline"]["weekly_frequency"] == 4.0
    assert got["current_weekly_frequency"] == 2.0
    assert (got["change_percent"], got["responder_25"], got["responder_50"]) == (-50.0, True, True)
    assert [w["sessions"] for w in got["weeks"] if w["week"] >= 1][:3] == [1, 1, 1]
    assert {w["worst_severity"] for w in got["weeks"] if w["week"] <= 0} == {6}
    pain = got["pain"]
    assert (pain["baseline"], pain["latest"], pain["change"]) == (6, 4, -2)
    assert pain["clinically_important"] is True
    assert got["review"]["due"] is True and got["review"]["key"] == "session:4"


def test_without_a_diary_the_intake_is_the_baseline(world: World) -> None:
    make_plan(world)
    got = outcomes.outcomes(world.alice, world.ellen["id"])
    assert got["baseline"]["source"] == "intake" and got["baseline"]["weekly_frequency"] == 2.0
    assert got["current_weekly_frequency"] is None and got["change_percent"] is None
    assert any("no treatment session" in m for m in got["missing"])


def test_without_a_plan_only_the_baseline_shows(world: World) -> None:
    for days_ago in range(1, 8):
        log(world, days_ago, 1)
    got = outcomes.outcomes(world.alice, world.ellen["id"])
    assert got["plan_id"] is None and got["weeks"] == [] and got["review"] is None
    assert got["baseline"]["source"] == "diary"


def test_an_older_plans_sessions_are_not_this_course(world: World) -> None:
    old = make_plan(world)
    session(world, old, 60, 8, 6)
    make_plan(world)
    got = outcomes.outcomes(world.alice, world.ellen["id"])
    assert got["pain"]["baseline"] is None and got["weeks"] == []


@pytest.mark.parametrize(
    ("user", "error"),
    [
        pytest.param("alice", None, id="practitioner sees outcomes"),
        pytest.param("fran", Forbidden, id="front desk may not"),
        pytest.param("adam", Forbidden, id="clinic admin may not"),
        pytest.param("bert", NotFound, id="another clinic's practitioner: not found"),
    ],
)
def test_who_sees_outcomes(world: World, user: str, error: type[Exception] | None) -> None:
    for call in (outcomes.outcomes, outcomes.review):
        if error is None:
            call(world.user(user), world.ellen["id"])
        else:
            with pytest.raises(error):
                call(world.user(user), world.ellen["id"])


def test_reads_are_audited(world: World) -> None:
    plan = course_with_diary(world)
    outcomes.outcomes(world.alice, world.ellen["id"])
    entry = AuditEntry.objects.filter(record_type="outcomes").latest("seq")
    assert (entry.action, entry.actor, entry.record_id) == ("read", "alice", str(plan.id))
    assert entry.patient_id == str(world.ellen["id"]) and len(entry.detail["sessions"]) == 3


def test_continue_records_the_review_once(world: World) -> None:
    plan = course_with_diary(world)
    body = {"key": "session:4", "decision": "continue", "note": "fewer cramps"}
    made = outcomes.decide_review(world.alice, world.ellen["id"], body)
    assert (made["session_number"], made["decision"], made["plan_id"]) == (4, "continue", plan.id)
    after = outcomes.review(world.alice, world.ellen["id"])
    assert after is not None and after["due"] is False and after["session_number"] == 8
    entry = AuditEntry.objects.filter(record_type="review", action="decide").get()
    assert entry.detail["key"] == "session:4"
    with pytest.raises(Conflict) as again:
        outcomes.decide_review(world.alice, world.ellen["id"], body)
    assert again.value.errors[0][0] == "key"
    assert ReviewDecision.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        pytest.param({"key": "session:8", "decision": "continue"}, Conflict, "key", id="not due"),
        pytest.param({"key": "session:4", "decision": "stop"}, Invalid, "decision", id="unknown"),
        pytest.param({"decision": "continue"}, Invalid, "key", id="no key"),
    ],
)
def test_a_review_decision_is_refused(
    world: World, body: dict[str, Any], error: type[Exception], field: str
) -> None:
    course_with_diary(world)
    with pytest.raises(error) as refused:
        outcomes.decide_review(world.alice, world.ellen["id"], body)
    assert refused.value.errors[0][0] == field  # type: ignore[attr-defined]
    assert ReviewDecision.objects.count() == 0


def test_front_desk_may_not_decide(world: World) -> None:
    course_with_diary(world)
    with pytest.raises(Forbidden):
        outcomes.decide_review(
            world.fran, world.ellen["id"], {"key": "session:4", "decision": "continue"}
        )


@postgres_only
def test_parallel_decisions_record_one(committed_world: World) -> None:
    world = committed_world
    course_with_diary(world)
    body = {"key": "session:4", "decision": "continue"}
    results = in_parallel(
        [lambda: outcomes.decide_review(world.alice, world.ellen["id"], body)] * 6
    )
    assert sum(isinstance(r, dict) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 5
    assert ReviewDecision.objects.count() == 1
