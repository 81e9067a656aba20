"""The assessment page shows danger first: the urgency banner, the needling decision, every red
flag and every active caution come before the first point card, and the banner is never green
while anything is active. A deferred patient's page plans nothing until medical clearance."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from crampcare.clinic import assessments
from crampcare.records.models import Assessment
from tests.factories import make_intake
from tests.web.test_pages import client_for, html
from tests.world import World

# persona: (intake sections, the caution or flag heading that must come before the points)
PERSONAS: dict[str, tuple[dict[str, Any], str]] = {
    "anticoagulant": ({"history": {"medications": ["warfarin 5 mg"]}}, 'id="caution-'),
    "pacemaker": ({"history": {"devices": ["pacemaker"]}}, 'id="caution-'),
    "deferred (urgent)": ({"findings": ["unilateral_calf_swelling"]}, 'id="flag-'),
}


def assess(world: World, **sections: Any) -> dict[str, Any]:
    history = {**make_intake()["history"], **sections.pop("history", {})}
    intake = make_intake(history=history, **sections)
    return assessments.create_assessment(
        world.alice, {"patient_id": world.ellen["id"], "intake": intake}, world.kb
    )


def page_of(world: World, a: dict[str, Any]) -> str:
    page = html(client_for(world.alice).get(f"/assessments/{a['id']}"))
    return page[page.index("<main") :]


def first_point(main: str) -> int:
    """Where the first point card (or, with none, the points section) starts."""
    card = main.find('class="card point"')
    return card if card >= 0 else main.index('id="points-title"')


@pytest.mark.parametrize("persona", PERSONAS)
def test_urgency_needling_flags_and_cautions_come_before_the_first_point(
    world: World, persona: str
) -> None:
    sections, danger = PERSONAS[persona]
    a = assess(world, **copy.deepcopy(sections))
    main = page_of(world, a)
    points = first_point(main)
    order = [
        main.index('id="urgency-banner"'),
        main.index('id="needling-decision"'),
        main.index('id="electro-decision"'),
    ]
    if a["result"]["red_flags"]:
        order.append(main.index('id="flags-title"'))
    if a["result"]["cautions"]:
        order.append(main.index('id="cautions-title"'))
    assert order == sorted(order) and order[-1] < points
    assert main.index(danger) < points
    for caution in a["result"]["cautions"]:  # every active caution, each above the points
        assert 0 <= main.index(f'id="caution-{caution["id"]}"') < points, caution["id"]
    for flag in a["result"]["red_flags"]:
        assert 0 <= main.index(f'id="flag-{flag["id"]}"') < points, flag["id"]
    assert "state-clear" not in main and 'data-state="clear"' not in main


def test_the_anticoagulant_caution_says_what_it_changes_under_an_amber_banner(
    world: World,
) -> None:
    a = assess(world, history={"medications": ["warfarin 5 mg"]})
    assert "anticoagulation" in {c["id"] for c in a["result"]["cautions"]}
    main = page_of(world, a)
    assert 'data-state="caution"' in main
    assert "Needling allowed with cautions." in main
    caution = main[main.index('id="caution-anticoagulation"') :]
    changes = caution[: caution.index("</p>")]
    assert "No bleeding techniques" in changes and "superficially near large vessels" in changes


def test_the_pacemaker_caution_rules_out_electroacupuncture_at_the_top(world: World) -> None:
    a = assess(world, history={"devices": ["pacemaker"]})
    assert a["result"]["electroacupuncture"]["allowed"] is False
    main = page_of(world, a)
    electro = main[main.index('id="electro-decision"') :]
    assert electro.index("Electroacupuncture not allowed.") < electro.index("</p>")
    caution = main[main.index('id="caution-implanted_electronic_device"') :]
    assert "No electroacupuncture" in caution[: caution.index("</p>")]
    assert 'data-state="caution"' in main


def test_a_deferred_patient_sees_no_session_plan_only_after_medical_clearance(
    world: World,
) -> None:
    a = assess(world, findings=["unilateral_calf_swelling"])
    result = a["result"]
    assert result["needling"]["allowed"] is False
    main = page_of(world, a)
    assert 'data-state="red"' in main and 'data-urgency="urgent"' in main
    assert "Needling deferred." in main
    plan = main[main.index('id="session-plan"') : main.index("</section>", main.index("session"))]
    assert "Nothing is planned until medical clearance." in plan
    assert "after medical clearance" in plan
    for planned in ("<dt>Needles</dt>", "<dt>Positions</dt>", "<dt>Retention</dt>", "planned ("):
        assert planned not in plan, planned
    assert 'class="card point"' not in main
    assert "Stops needling" in main


def test_a_patient_with_nothing_active_is_the_only_green(world: World) -> None:
    a = assess(world)
    r = a["result"]
    nothing = not (
        r["red_flags"] or r["cautions"] or r["avoid_points"] or r["referral"]["urgency"] != "none"
    )
    main = page_of(world, a)
    assert ('data-state="clear"' in main) == (nothing and r["electroacupuncture"]["allowed"])


def test_an_older_stored_assessment_without_the_new_fields_still_shows_danger_first(
    world: World,
) -> None:
    a = assess(world, findings=["unilateral_calf_swelling"])
    old = copy.deepcopy(a["result"])
    for key in ("lab_results",):
        old.pop(key, None)
    old["session"].pop("deferred", None)
    old["session"].pop("note", None)
    old["course"].pop("starts", None)
    for flag in old["red_flags"]:
        flag.pop("stops_needling", None)
        flag.pop("stops_electroacupuncture", None)
    Assessment.objects.filter(pk=a["id"]).update(result=old)
    main = page_of(world, a)
    assert 'data-state="red"' in main and "Needling deferred." in main
    assert "Nothing is planned until medical clearance." in main
    assert "Stops needling" in main  # an urgent flag stops needling, said or not


def test_laboratory_results_show_stale_and_cannot_judge_clearly(world: World) -> None:
    a = assess(world)
    stored = copy.deepcopy(a["result"])
    stored["lab_results"] = [
        {
            "test": "potassium",
            "name": "Potassium",
            "value": "3.1 mmol/L",
            "date": "2026-11-20",
            "status": "current",
            "range": {"low": 3.5, "high": 5.1, "from": "laboratory"},
            "judgement": "low",
            "tier": "mild_low",
            "note": "",
        },
        {
            "test": "potassium",
            "name": "Potassium",
            "value": "2.4 mmol/L",
            "date": "2025-01-02",
            "status": "stale",
            "range": {"low": 3.5, "high": 5.1, "from": "default"},
            "judgement": "low",
            "tier": None,
            "note": "Too old to count.",
        },
        {
            "test": "ck",
            "name": "Creatine kinase",
            "value": "900 U/L",
            "date": None,
            "status": "current",
            "range": {"low": None, "high": None, "from": "none"},
            "judgement": "cannot_judge",
            "tier": None,
            "note": "",
        },
    ]
    Assessment.objects.filter(pk=a["id"]).update(result=stored)
    main = page_of(world, a)
    table = main[main.index('id="labs-title"') : main.index("</table>")]
    assert table.count('<tr class="lab ') == 3
    stale = table[table.index("status-stale") :]
    assert "Stale: too old to count" in stale[: stale.index("</tr>")]
    assert "not-counted" in stale[:80]
    judge = table[table.index("judgement-cannot_judge") :]
    assert "Cannot be judged without the laboratory&#x27;s range" in judge[: judge.index("</tr>")]
    assert "undated" in judge[: judge.index("</tr>")]
    assert "3.5–5.1 (the laboratory&#x27;s)" in table
    assert main.index('id="labs-title"') < first_point(main)
    assert 'data-state="clear"' not in main


# --- the patient list ------------------------------------------------------------------------


def test_the_patient_list_shows_each_patients_urgency_and_needling_in_words(world: World) -> None:
    a = assess(world, findings=["unilateral_calf_swelling"])
    page = html(client_for(world.alice).get("/"))
    assert ">Latest assessment</th>" in page
    ellen = page[page.index("Ayres, Ellen") :]
    ellen = ellen[: ellen.index("</tr>")]
    assert f'href="/assessments/{a["id"]}"' in ellen  # the newest, not the first
    assert "Referral: Urgent" in ellen and "Needling deferred" in ellen  # words, not colour
    nadia = page[page.index("Bloom, Nadia") :]
    assert "Not assessed yet" in nadia[: nadia.index("</tr>")]


def test_the_front_desk_list_shows_no_urgency(world: World) -> None:
    page = html(client_for(world.fran).get("/"))
    assert "Ayres, Ellen" in page
    assert "Latest assessment" not in page and "Referral:" not in page


def test_the_plan_form_repeats_the_cautions_and_is_not_green(world: World) -> None:
    a = assess(world, history={"medications": ["warfarin 5 mg"], "devices": ["pacemaker"]})
    page = html(client_for(world.alice).get(f"/assessments/{a['id']}/plan"))
    start = page.index('id="plan-banner"')
    banner = page[start : page.index("</section>", start)]
    assert 'data-state="caution"' in banner
    assert "Needling allowed with cautions." in banner
    assert "Electroacupuncture not allowed." in banner
    for caution in a["result"]["cautions"]:
        assert caution["name"] in banner, caution["id"]
    assert "No bleeding techniques" in banner
    assert start < page.index('id="suggested-title"')  # before the points to accept


def test_the_engines_own_laboratory_results_reach_the_table(world: World) -> None:
    labs = [
        {"test": "potassium", "value": 3.3, "unit": "mmol/L", "date": "2024-01-02"},
        {"test": "ck", "value": 900, "unit": "U/L"},
    ]
    a = assess(world, history={"labs": labs})
    results = a["result"]["lab_results"]
    assert [r["status"] for r in results][0] == "stale"
    main = page_of(world, a)
    table = main[main.index('id="labs-title"') : main.index("</table>")]
    assert table.count('<tr class="lab ') == len(results) == 2
    stale = table[table.index("status-stale") :]
    assert "Stale: too old to count" in stale[: stale.index("</tr>")]
    ck = table[table.index('data-test="ck"') :]
    shown = {"cannot_judge": "Cannot be judged", "high": "High", "normal": "Within range"}
    assert shown[results[1]["judgement"]] in ck[: ck.index("</tr>")]
