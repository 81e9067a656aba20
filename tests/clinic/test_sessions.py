"""Treatment sessions: started from the plan, changed with reasons, counted, timed, closed only
when the needles are reconciled, then signed and locked (changes are addenda)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crampcare.clinic import patients, sessions
from crampcare.clinic.errors import Conflict, Forbidden, Invalid, NotFound
from crampcare.records.models import (
    AuditEntry,
    SessionAdverseEvent,
    TreatmentPlan,
    TreatmentSession,
)
from tests.clinic.session_steps import (
    Clock,
    assess,
    clock_fixture,  # noqa: F401  (the clock fixture)
    count,
    plan_for,
    run_session,
    start,
    suggested,
    unplanned,
)
from tests.world import World

LOCKED = "the session is signed and locked: add an addendum"


def fields(err: pytest.ExceptionInfo[Any]) -> list[str]:
    return [f for f, _ in err.value.errors]


# --- start ---------------------------------------------------------------------------------


def test_the_first_session_starts_from_the_plan(world: World) -> None:
    plan = plan_for(world)
    s = start(world)
    assert s["status"] == "open" and s["plan_id"] == plan["id"]
    assert s["assessment_id"] == world.assessment["id"]
    doc = s["document"]
    assert doc["schema"] == "crampcare.session/1" and doc["plan_id"] == str(plan["id"])
    assert [(p["code"], p["side"], p["stimulation"]) for p in doc["points"]] == [
        (p["code"], p["side"], "manual") for p in plan["points"]
    ]
    assert doc["positions"] == world.assessment["result"]["session"]["positions"]
    assert doc["needles"] == {"inserted": 0, "removed": 0}
    assert s["changes_from_plan"] == []
    assert s["needling"]["allowed"] is True


def test_the_next_session_starts_from_the_last_sessions_points(world: World, clock: Clock) -> None:
    plan = plan_for(world)
    first = start(world)
    dropped, *kept = suggested(world.assessment)
    extra = unplanned(world)
    sessions.update_session(
        world.alice,
        first["id"],
        {
            "points": [
                *[p for p in first["document"]["points"] if p["code"] != dropped],
                {"code": extra, "side": "both", "reason": "irritable, sleeps badly"},
            ],
            "omitted": [{"point": dropped, "reason": "bruised from last time"}],
        },
        world.kb,
    )
    run_session(world, clock, first["id"])
    sessions.close_session(world.alice, first["id"], world.kb)
    second = start(world)
    assert second["plan_id"] == plan["id"]
    assert [p["code"] for p in second["document"]["points"]] == [*kept, extra]
    assert second["changes_from_plan"] == [
        {"point": extra, "change": "added", "reason": "irritable, sleeps badly"},
        {"point": dropped, "change": "left_out", "reason": "bruised from last time"},
    ]


def _no_consent(world: World) -> None:
    patients.update_patient(world.alice, world.ellen["id"], {"consent_treatment": False})


def _deferred(world: World) -> None:
    assess(world, findings=["unilateral_calf_swelling", "calf_tenderness"])


def _open_session(world: World) -> None:
    start(world)


def _reassessed_without_plan(world: World) -> None:
    assess(world, complaint={"side": "right"})


def _course_complete(world: World) -> None:
    """As many closed sessions as the plan's course allows at most."""
    plan = TreatmentPlan.objects.get(patient_id=world.ellen["id"])
    maximum = plan.assessment.result["course"]["sessions"]["max"]
    TreatmentSession.objects.bulk_create(
        TreatmentSession(
            patient_id=plan.patient_id,
            plan=plan,
            assessment=plan.assessment,
            date=dt.date(2026, 1, 1) + dt.timedelta(days=7 * i),
            status="closed",
        )
        for i in range(maximum)
    )


@pytest.mark.parametrize(
    "situation, field, message",
    [
        pytest.param(_no_consent, "patient_id", "not consented to treatment", id="no consent"),
        pytest.param(_deferred, "patient_id", "needling is deferred", id="needling deferred"),
        pytest.param(_open_session, "patient_id", "already has an open session", id="open one"),
        pytest.param(
            _reassessed_without_plan, "plan_id", "no plan for the current", id="no current plan"
        ),
        pytest.param(_course_complete, "plan_id", "course of this plan is complete", id="done"),
    ],
)
def test_a_session_is_refused(world: World, situation: Any, field: str, message: str) -> None:
    plan_for(world)
    situation(world)
    before = TreatmentSession.objects.count()
    with pytest.raises(Conflict, match=message) as err:
        start(world)
    assert fields(err) == [field]
    assert TreatmentSession.objects.count() == before


def test_the_deferral_reason_is_shown(world: World) -> None:
    plan_for(world)
    deferring = assess(world, findings=["unilateral_calf_swelling", "calf_tenderness"])
    with pytest.raises(Conflict) as err:
        start(world)
    assert deferring["result"]["needling"]["reason"] in str(err.value)


def test_a_plan_of_an_earlier_assessment_is_refused(world: World) -> None:
    old = plan_for(world)
    plan_for(world, assess(world, complaint={"side": "right"}))
    with pytest.raises(Conflict, match="earlier assessment") as err:
        start(world, plan_id=str(old["id"]))
    assert fields(err) == ["plan_id"]


# --- changing points -----------------------------------------------------------------------


def test_a_point_not_in_the_plan_needs_a_reason(world: World) -> None:
    plan_for(world)
    s = start(world)
    points = [*s["document"]["points"], {"code": unplanned(world), "side": "both"}]
    with pytest.raises(Invalid) as err:
        sessions.update_session(world.alice, s["id"], {"points": points}, world.kb)
    assert fields(err) == [f"points[{len(points) - 1}].reason"]


def test_a_plan_point_left_out_needs_a_reason(world: World) -> None:
    plan_for(world)
    s = start(world)
    first = s["document"]["points"][0]["code"]
    with pytest.raises(Invalid, match=f"{first} of the plan is left out") as err:
        sessions.update_session(
            world.alice, s["id"], {"points": s["document"]["points"][1:]}, world.kb
        )
    assert fields(err) == ["omitted"]
    stored = TreatmentSession.objects.get(pk=s["id"])
    assert len(stored.document["points"]) == len(s["document"]["points"])  # nothing changed


def test_any_catalogue_point_is_recorded_and_says_its_cautions_are_not_in_the_kb(
    world: World,
) -> None:
    plan_for(world)
    s = start(world)
    extra = next(code for code in world.kb.catalogue if code not in world.kb.points)
    points = [*s["document"]["points"], {"code": extra.lower(), "side": "both", "reason": "why"}]
    s = sessions.update_session(world.alice, s["id"], {"points": points}, world.kb)
    info = {i["code"]: i for i in s["points_info"]}
    assert info[extra]["in_kb"] is False and "not in the knowledge base" in info[extra]["note"]
    assert info[extra]["pinyin"] == world.kb.catalogue[extra].pinyin
    known = s["document"]["points"][0]["code"]
    assert info[known]["in_kb"] is True and info[known]["note"] == ""


def test_a_point_outside_the_catalogue_is_refused(world: World) -> None:
    plan_for(world)
    s = start(world)
    points = [*s["document"]["points"], {"code": "XX99", "side": "both", "reason": "why"}]
    with pytest.raises(Invalid) as err:
        sessions.update_session(world.alice, s["id"], {"points": points}, world.kb)
    assert fields(err) == [f"points[{len(points) - 1}].code"]


ELECTRICAL = {"frequency_hz": 2, "intensity_ma": 1.5, "minutes": 20, "waveform": "dense_disperse"}
PACEMAKER = {
    "history": {
        "conditions": [],
        "medications": [],
        "devices": ["pacemaker"],
        "labs": [],
        "bleeding_disorder": False,
        "first_acupuncture": False,
        "needle_phobia": False,
    }
}


def test_electrical_stimulation_is_refused_where_the_assessment_does_not_allow_it(
    world: World,
) -> None:
    a = assess(world, **PACEMAKER)
    plan_for(world, a)
    s = start(world)
    assert s["electroacupuncture"]["allowed"] is False
    p = {**s["document"]["points"][0], "stimulation": "electrical", "electrical": ELECTRICAL}
    with pytest.raises(Invalid) as err:
        sessions.update_session(
            world.alice, s["id"], {"points": [p, *s["document"]["points"][1:]]}, world.kb
        )
    assert err.value.errors == [
        (
            "points[0].stimulation",
            "electrical stimulation is not allowed for this patient: "
            + a["result"]["electroacupuncture"]["reason"],
        )
    ]
    with pytest.raises(Invalid) as err:
        sessions.contact(world.alice, s["id"], {"action": "enter", "electrical": True})
    assert fields(err) == ["electrical"]


def test_electrical_stimulation_is_recorded_where_allowed(world: World) -> None:
    plan_for(world)
    s = start(world)
    p = {**s["document"]["points"][0], "stimulation": "electrical", "electrical": ELECTRICAL}
    s = sessions.update_session(
        world.alice, s["id"], {"points": [p, *s["document"]["points"][1:]]}, world.kb
    )
    assert s["document"]["points"][0]["electrical"]["waveform"] == "dense_disperse"


def test_a_point_to_avoid_and_a_position_not_allowed_are_refused(world: World) -> None:
    a = assess(
        world, patient={"pregnant": True, "pregnancy_weeks": 20}, complaint={"regions": ["neck"]}
    )
    plan_for(world, a)
    s = start(world)
    avoid = a["result"]["avoid_points"][0]
    points = [*s["document"]["points"], {"code": avoid["code"], "side": "both", "reason": "x y"}]
    with pytest.raises(Invalid) as err:
        sessions.update_session(
            world.alice, s["id"], {"points": points, "positions": ["prone"]}, world.kb
        )
    assert (
        f"points[{len(points) - 1}].code",
        f"{avoid['code']} is to be avoided for this patient: {avoid['reason']}",
    ) in err.value.errors
    assert "positions[0]" in fields(err)


# --- needles, retention, contact -----------------------------------------------------------


def test_needle_counts_go_up_and_down_but_never_out_of_range(world: World) -> None:
    plan_for(world)
    s = start(world)
    count(world, s["id"], "inserted", 3)
    s = count(world, s["id"], "removed", 2)
    assert s["needles"] == {"inserted": 3, "removed": 2, "lot": None}
    with pytest.raises(Conflict, match="no more needles can be counted out") as err:
        count(world, s["id"], "removed", 2)
    assert fields(err) == ["delta"]
    with pytest.raises(Conflict, match="cannot go below"):
        count(world, s["id"], "inserted", 2, delta=-1)
    assert TreatmentSession.objects.get(pk=s["id"]).needles_removed == 3


def test_the_retention_timer_is_stored_and_survives_a_reload(world: World, clock: Clock) -> None:
    plan_for(world)
    s = start(world)
    with pytest.raises(Conflict, match="count the needles in"):
        sessions.retention(world.alice, s["id"], {"action": "start"})
    count(world, s["id"], "inserted", 5)
    started = clock.at("10:05")
    sessions.retention(world.alice, s["id"], {"action": "start"})
    clock.at("10:05")
    with pytest.raises(Conflict, match="from the next minute"):
        sessions.retention(world.alice, s["id"], {"action": "end"})
    again = sessions.get_session(world.alice, s["id"], world.kb)  # a reload
    r = again["retention"]
    assert r["started_at"] == started and r["ended_at"] is None
    assert r["window"] == {"min": 15, "max": 30}
    assert (r["ends_latest"] - r["started_at"]).total_seconds() == 30 * 60
    assert (r["ends_earliest"] - r["started_at"]).total_seconds() == 15 * 60
    assert again["document"]["retention"] == {"start": "10:05"}
    clock.at("10:31")
    done = sessions.retention(world.alice, s["id"], {"action": "end"})
    assert done["document"]["retention"] == {"start": "10:05", "end": "10:31"}


def test_contact_intervals_carry_their_flags(world: World, clock: Clock) -> None:
    plan_for(world)
    s = start(world)
    clock.at("10:00")
    s = sessions.contact(world.alice, s["id"], {"action": "enter", "electrical": True})
    assert s["contact"]["open"]["start"] == "10:00" and s["contact"]["open"]["electrical"]
    with pytest.raises(Conflict, match="already in the room"):
        sessions.contact(world.alice, s["id"], {"action": "enter"})
    clock.at("10:16")
    s = sessions.contact(world.alice, s["id"], {"action": "leave", "reinsertion": True})
    clock.at("10:20")
    sessions.contact(world.alice, s["id"], {"action": "enter"})
    s = sessions.contact(world.alice, s["id"], {"action": "leave"})  # the same minute: dropped
    assert s["contact"]["open"] is None
    assert s["document"]["contact"] == [
        {"start": "10:00", "end": "10:16", "electrical": True, "reinsertion": True}
    ]
    with pytest.raises(Conflict, match="not marked in the room"):
        sessions.contact(world.alice, s["id"], {"action": "leave"})


# --- close ---------------------------------------------------------------------------------


def test_closing_reports_every_problem_at_once(world: World, clock: Clock) -> None:
    plan_for(world)
    s = start(world)
    clock.at("10:00")
    count(world, s["id"], "inserted", 6)
    sessions.retention(world.alice, s["id"], {"action": "start"})
    sessions.contact(world.alice, s["id"], {"action": "enter"})
    count(world, s["id"], "removed", 5)
    with pytest.raises(Conflict) as err:
        sessions.close_session(world.alice, s["id"], world.kb)
    assert fields(err) == ["contact", "retention.end", "needles", "needles.lot"]
    assert "6 inserted, 5 removed" in str(err.value)
    assert TreatmentSession.objects.get(pk=s["id"]).status == "open"


def test_a_mismatch_closes_only_with_a_retained_or_lost_needle_incident(
    world: World, clock: Clock
) -> None:
    plan_for(world)
    s = start(world)
    run_session(world, clock, s["id"])
    sessions.count_needles(world.alice, s["id"], {"which": "removed", "delta": -1})
    with pytest.raises(Conflict) as err:
        sessions.close_session(world.alice, s["id"], world.kb)
    assert fields(err) == ["needles"]
    s = sessions.add_adverse_event(
        world.alice,
        s["id"],
        {"kind": "lost_needle", "severity": "moderate", "action": "searched the couch"},
    )
    assert s["adverse_events"][0]["serious"] is True
    closed = sessions.close_session(world.alice, s["id"], world.kb)
    assert closed["status"] == "closed"
    assert closed["document"]["needles"] == {"inserted": 6, "removed": 5, "lot": "HW-2026-0412"}


def test_a_closed_session_keeps_a_complete_document(world: World, clock: Clock) -> None:
    plan_for(world)
    s = start(world)
    run_session(world, clock, s["id"])
    closed = sessions.close_session(world.alice, s["id"], world.kb)
    doc = TreatmentSession.objects.get(pk=s["id"]).document
    assert doc == closed["document"]
    assert doc["retention"] == {"start": "10:05", "end": "10:30"}
    assert doc["contact"] == [
        {"start": "10:00", "end": "10:05", "electrical": False, "reinsertion": False},
        {"start": "10:25", "end": "10:30", "electrical": False, "reinsertion": True},
    ]
    with pytest.raises(Conflict, match="the session is closed"):
        count(world, s["id"], "inserted", 1)
    noted = sessions.update_session(
        world.alice, s["id"], {"note": {"subjective": "slept better"}}, world.kb
    )
    assert noted["document"]["note"]["subjective"] == "slept better"


# --- sign, lock, addenda -------------------------------------------------------------------


def _signed(world: World, clock: Clock) -> dict[str, Any]:
    plan_for(world)
    s = start(world)
    run_session(world, clock, s["id"])
    with pytest.raises(Conflict, match="still open"):
        sessions.sign_session(world.alice, s["id"])
    sessions.close_session(world.alice, s["id"], world.kb)
    return sessions.sign_session(world.alice, s["id"])


def test_signing_locks_the_session(world: World, clock: Clock) -> None:
    s = _signed(world, clock)
    assert s["status"] == "locked" and s["signed_by"] == "alice" and s["signed_at"]
    sid = s["id"]
    changes = [
        lambda: sessions.update_session(world.alice, sid, {"note": {"plan": "x"}}, world.kb),
        lambda: sessions.count_needles(world.alice, sid, {"which": "inserted"}),
        lambda: sessions.retention(world.alice, sid, {"action": "end"}),
        lambda: sessions.contact(world.alice, sid, {"action": "enter"}),
        lambda: sessions.add_adverse_event(
            world.alice, sid, {"kind": "pain", "severity": "mild", "action": "reassured"}
        ),
        lambda: sessions.close_session(world.alice, sid, world.kb),
        lambda: sessions.sign_session(world.alice, sid),
    ]
    for change in changes:
        with pytest.raises(Conflict) as err:
            change()
        assert err.value.errors == [("status", LOCKED)]


def test_addenda_keep_the_original(world: World, clock: Clock) -> None:
    plan_for(world)
    open_one = start(world)
    with pytest.raises(Conflict, match="not signed"):
        sessions.add_addendum(world.alice, open_one["id"], {"reason": "late", "text": "x"})
    TreatmentSession.objects.filter(pk=open_one["id"]).delete()
    s = _signed(world, clock)
    with pytest.raises(Invalid) as err:
        sessions.add_addendum(world.alice, s["id"], {"reason": "", "text": ""})
    assert fields(err) == ["reason", "text"]
    after = sessions.add_addendum(
        world.alice,
        s["id"],
        {"reason": "late entry", "text": "bruise at BL57 seen the next day"},
    )
    assert after["document"] == s["document"] and after["signed_at"] == s["signed_at"]
    (addendum,) = after["addenda"]
    assert addendum["author"] == "alice" and addendum["reason"] == "late entry"
    assert sessions.get_session(world.alice, s["id"], world.kb)["addenda"] == [addendum]


def test_only_a_practitioner_signs_and_the_front_desk_sees_no_session(
    world: World, clock: Clock
) -> None:
    plan_for(world)
    s = start(world)
    for call in (
        lambda: sessions.sign_session(world.fran, s["id"]),
        lambda: sessions.get_session(world.fran, s["id"], world.kb),
        lambda: sessions.list_sessions(world.fran, world.ellen["id"]),
        lambda: sessions.count_needles(world.adam, s["id"], {"which": "inserted"}),
    ):
        with pytest.raises(Forbidden):
            call()


def test_another_clinic_does_not_find_the_session(world: World) -> None:
    plan_for(world)
    s = start(world)
    with pytest.raises(NotFound):
        sessions.get_session(world.bert, s["id"], world.kb)
    with pytest.raises(NotFound):
        sessions.count_needles(world.bert, s["id"], {"which": "inserted"})
    with pytest.raises(NotFound):
        sessions.start_session(world.bert, {"patient_id": world.ellen["id"]}, world.kb)
    assert TreatmentSession.objects.get(pk=s["id"]).needles_inserted == 0


def test_every_read_and_write_is_audited(world: World, clock: Clock) -> None:
    plan_for(world)
    s = start(world)
    sessions.get_session(world.alice, s["id"], world.kb)
    count(world, s["id"], "inserted", 1)
    sessions.list_sessions(world.alice, world.ellen["id"])
    entries = AuditEntry.objects.filter(record_type="session")
    assert [(e.action, e.record_id) for e in entries if e.record_id] == [
        ("create", str(s["id"])),
        ("read", str(s["id"])),
        ("needles", str(s["id"])),
    ]
    listing = entries.get(action="list")
    assert listing.detail == {"ids": [str(s["id"])]} and listing.patient_id == str(
        world.ellen["id"]
    )
    with pytest.raises(Forbidden):
        sessions.get_session(world.fran, s["id"], world.kb)
    assert entries.filter(action="denied", actor="fran").exists()


def test_adverse_events_are_counted_by_seriousness(world: World) -> None:
    plan_for(world)
    s = start(world)
    for kind, severity in [("pain", "mild"), ("fainting", "severe"), ("broken_needle", "mild")]:
        sessions.add_adverse_event(
            world.alice, s["id"], {"kind": kind, "severity": severity, "action": "handled"}
        )
    rows = SessionAdverseEvent.objects.filter(clinic_id=world.alice.clinic_id)
    assert sorted(rows.filter(serious=True).values_list("kind", flat=True)) == [
        "broken_needle",
        "fainting",
    ]
    with pytest.raises(Invalid, match="required when kind is other"):
        sessions.add_adverse_event(
            world.alice, s["id"], {"kind": "other", "severity": "mild", "action": "watched"}
        )
    assert rows.count() == 3
