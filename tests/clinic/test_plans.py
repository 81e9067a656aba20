"""Treatment plans: every suggestion decided, every override with a reason, safety kept."""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.clinic import assessments, plans
from crampcare.clinic.errors import Conflict, Forbidden, Invalid, NotFound
from crampcare.records.models import TreatmentPlan
from tests.factories import make_intake
from tests.world import World


def suggested(world: World) -> list[str]:
    return [plans.point_id(p["code"], p["region"]) for p in world.assessment["result"]["points"]]


def test_a_plan_records_accepted_removed_and_added_points(world: World) -> None:
    ids = suggested(world)
    extra = next(code for code in world.kb.points if code not in ids and code != "ASHI")
    plan = plans.create_plan(
        world.alice,
        world.assessment["id"],
        {
            "accepted": ids[1:],
            "removed": [{"point": ids[0], "reason": "bruises easily there"}],
            "added": [{"code": extra, "side": "both", "reason": "helped her last course"}],
            "note": "review at 4",
        },
        world.kb,
    )
    decisions = {p["point"]: (p["decision"], p["reason"]) for p in plan["points"]}
    assert decisions[ids[0]] == ("removed", "bruises easily there")
    assert decisions[extra] == ("added", "helped her last course")
    assert all(decisions[i] == ("accepted", None) for i in ids[1:])
    feedback = {f["card"].split("/")[1]: f for f in plan["feedback"]}
    assert feedback[ids[0]]["outcome"] == "overridden"
    assert feedback[ids[0]]["overrideReason"]["userComment"] == "bruises easily there"
    assert feedback[ids[1]]["acceptedSuggestions"] == [{"id": ids[1]}]
    assert plans.get_plan(world.alice, plan["id"])["points"] == plan["points"]


def test_every_suggestion_needs_a_decision(world: World) -> None:
    ids = suggested(world)
    with pytest.raises(Invalid) as err:
        plans.create_plan(world.alice, world.assessment["id"], {"accepted": ids[1:]}, world.kb)
    assert err.value.errors == [
        ("accepted", f"{ids[0]} is suggested but neither accepted nor removed (with a reason)")
    ]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"removed": [{"point": "GB34", "reason": ""}]}, "removed[0].reason"),
        ({"added": [{"code": "LI4", "side": "both"}]}, "added[0].reason"),
        ({"added": [{"code": "XX99", "side": "both", "reason": "why not"}]}, "added[0].code"),
        ({"added": [{"code": "ASHI", "side": "left", "reason": "tender"}]}, "added[0].region"),
        ({"accepted": ["NOPE"]}, "accepted[0]"),
    ],
)
def test_bad_decisions_name_their_field(world: World, change: dict[str, Any], field: str) -> None:
    body = {"accepted": suggested(world), **change}
    with pytest.raises(Invalid) as err:
        plans.create_plan(world.alice, world.assessment["id"], body, world.kb)
    assert field in [f for f, _ in err.value.errors]
    assert TreatmentPlan.objects.count() == 0


def test_a_point_to_avoid_cannot_be_added(world: World) -> None:
    a = assessments.create_assessment(
        world.alice,
        {
            "patient_id": world.ellen["id"],
            "intake": make_intake(
                patient={"pregnant": True, "pregnancy_weeks": 20},
                complaint={"regions": ["neck"]},
            ),
        },
        world.kb,
    )
    avoid = a["result"]["avoid_points"]
    assert avoid, "a pregnant patient has points to avoid"
    ids = [plans.point_id(p["code"], p["region"]) for p in a["result"]["points"]]
    with pytest.raises(Invalid, match="is to be avoided"):
        plans.create_plan(
            world.alice,
            a["id"],
            {
                "accepted": ids,
                "added": [{"code": avoid[0]["code"], "side": "both", "reason": "I know best"}],
            },
            world.kb,
        )


def test_no_needles_are_planned_while_needling_is_deferred(world: World) -> None:
    a = assessments.create_assessment(
        world.alice,
        {
            "patient_id": world.ellen["id"],
            "intake": make_intake(findings=["unilateral_calf_swelling", "calf_tenderness"]),
        },
        world.kb,
    )
    assert a["needling_allowed"] is False and a["result"]["points"] == []
    with pytest.raises(Invalid, match="needling is deferred"):
        plans.create_plan(
            world.alice,
            a["id"],
            {"added": [{"code": "GB34", "side": "both", "reason": "patient insists"}]},
            world.kb,
        )


def test_plans_need_consent_to_treatment(world: World) -> None:
    from crampcare.clinic import patients

    patients.update_patient(world.alice, world.ellen["id"], {"consent_treatment": False})
    with pytest.raises(Conflict, match="consented to treatment"):
        plans.create_plan(
            world.alice, world.assessment["id"], {"accepted": suggested(world)}, world.kb
        )


def test_only_practitioners_of_the_clinic_plan(world: World) -> None:
    body = {"accepted": suggested(world)}
    with pytest.raises(Forbidden):
        plans.create_plan(world.fran, world.assessment["id"], body, world.kb)
    with pytest.raises(Forbidden):
        plans.create_plan(world.adam, world.assessment["id"], body, world.kb)
    with pytest.raises(NotFound):
        plans.create_plan(world.bert, world.assessment["id"], body, world.kb)
