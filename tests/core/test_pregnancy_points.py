"""Pregnancy by trimester (WHO 1999, section 2.1 as the kb paraphrases it): which points are left
out, and which positions are planned. Weeks unknown: every trimester's rules apply."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcare.kb.loader import KnowledgeBase, default_data_dir, load_kb
from tests.factories import run

LUMBOSACRAL = {"BL23", "BL25", "BL52", "GV3"}
FORBIDDEN = {"LI4", "GB21"}  # traditional "forbidden" points reachable from these regions
REGIONS = ["low_back", "hand", "neck"]
SIDE_OR_SEATED = {"side_lying", "seated"}


def pregnant(weeks: int | None) -> dict[str, Any]:
    patient: dict[str, Any] = {"age": 30, "sex": "female", "pregnant": True}
    if weeks is not None:
        patient["pregnancy_weeks"] = weeks
    return patient


# stage,            weeks, avoided (at least),                        positions restricted
TABLE: list[tuple[str, int | None, set[str], bool]] = [
    ("first trimester", 8, LUMBOSACRAL | FORBIDDEN, False),
    ("second trimester", 20, LUMBOSACRAL | FORBIDDEN, True),
    ("third trimester", 34, LUMBOSACRAL | FORBIDDEN, True),
    ("weeks unknown", None, LUMBOSACRAL | FORBIDDEN, True),
]


@pytest.mark.parametrize(
    ("weeks", "avoided", "restricted"), [r[1:] for r in TABLE], ids=[r[0] for r in TABLE]
)
def test_pregnancy_by_trimester(
    kb: KnowledgeBase, weeks: int | None, avoided: set[str], restricted: bool
) -> None:
    result = run(kb, patient=pregnant(weeks), complaint={"regions": REGIONS, "side": "both"})
    suggested = {p["code"] for p in result["points"]}
    assert avoided <= {a["code"] for a in result["avoid_points"]}
    assert not avoided & suggested
    positions = set(result["session"]["positions"])
    if restricted:
        assert positions <= SIDE_OR_SEATED
        assert all(set(p["positions"]) <= SIDE_OR_SEATED for p in result["points"])
    else:
        assert "pregnancy_positions" not in {c["id"] for c in result["cautions"]}


def test_lumbosacral_points_are_offered_when_not_pregnant(kb: KnowledgeBase) -> None:
    result = run(kb, complaint={"regions": ["low_back"], "side": "both"})
    assert {p["code"] for p in result["points"]} >= LUMBOSACRAL


def test_strong_sensation_points_stay_in_before_the_third_month_only_by_their_own_caution(
    kb: KnowledgeBase,
) -> None:
    """LI4 is avoided at week 8 because it is a traditional forbidden point, and from the second
    trimester also because it gives a strong sensation."""
    early = run(kb, patient=pregnant(8), complaint={"regions": ["hand"]})
    late = run(kb, patient=pregnant(20), complaint={"regions": ["hand"]})
    assert "pregnancy_after_first_trimester" not in {c["id"] for c in early["cautions"]}
    assert "pregnancy_after_first_trimester" in {c["id"] for c in late["cautions"]}
    assert "LI4" in {a["code"] for a in early["avoid_points"]}


@pytest.fixture(scope="module")
def abdominal_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A made-up kb with an abdominal point on the low back's list, so that the abdominal kinds
    can be wired into the trimester cautions."""
    data = tmp_path_factory.mktemp("kb") / "data"
    shutil.copytree(default_data_dir(), data)
    points = yaml.safe_load((data / "points.regions.yaml").read_text())
    st36 = next(
        p for p in yaml.safe_load((data / "points.yaml").read_text()) if p["code"] == "ST36"
    )
    names = {p["code"]: p for p in yaml.safe_load((data / "catalogue.st.yaml").read_text())}
    for code, kind in (("ST28", "lower_abdominal"), ("ST21", "upper_abdominal")):
        fake = dict(
            st36,
            code=code,
            pinyin=names[code]["pinyin"],
            chinese_traditional=names[code]["hanzi"],
            chinese_simplified=names[code]["hanzi_simplified"],
            cautions=[
                {
                    "kind": kind,
                    "summary": f"{kind} (test)",
                    "sources": ["who_1999_safety"],
                    "verification": "primary",
                }
            ],
        )
        points.append(fake)
    (data / "points.regions.yaml").write_text(yaml.safe_dump(points, allow_unicode=True))
    vocab = yaml.safe_load((data / "vocabularies.regions.yaml").read_text())
    low_back = next(r for r in vocab["regions"] if r["id"] == "low_back")
    for code in ("ST28", "ST21"):
        low_back["points"].append(
            {
                "code": code,
                "role": "local",
                "certainty": "traditional",
                "sources": ["who_1999_safety"],
            }
        )
    (data / "vocabularies.regions.yaml").write_text(yaml.safe_dump(vocab, allow_unicode=True))
    cautions = yaml.safe_load((data / "cautions.pregnancy.yaml").read_text())
    for c in cautions:
        if c["id"] == "pregnancy_first_trimester":
            c["effects"]["avoid_point_cautions"].append("lower_abdominal")
        if c["id"] == "pregnancy_after_first_trimester":
            c["effects"]["avoid_point_cautions"].append("upper_abdominal")
    (data / "cautions.pregnancy.yaml").write_text(yaml.safe_dump(cautions, allow_unicode=True))
    return load_kb(Path(data))


# weeks, lower-abdominal ST28 avoided, upper-abdominal ST21 avoided
ABDOMINAL: list[tuple[int | None, bool, bool]] = [
    (8, True, False),
    (20, False, True),
    (34, False, True),
    (None, True, True),
]


@pytest.mark.parametrize(("weeks", "lower", "upper"), ABDOMINAL)
def test_abdominal_points_follow_the_trimester(
    abdominal_kb: KnowledgeBase, weeks: int | None, lower: bool, upper: bool
) -> None:
    result = run(abdominal_kb, patient=pregnant(weeks), complaint={"regions": ["low_back"]})
    avoided = {a["code"] for a in result["avoid_points"]}
    assert ("ST28" in avoided) is lower
    assert ("ST21" in avoided) is upper
    plain = run(abdominal_kb, complaint={"regions": ["low_back"]})
    assert {"ST28", "ST21"} <= {p["code"] for p in plain["points"]}


PREGNANCY_KINDS = {"pregnancy", "lumbosacral", "lower_abdominal", "upper_abdominal"}


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    region=st.sampled_from(
        [
            "calf",
            "thigh",
            "hamstring",
            "foot",
            "low_back",
            "upper_back",
            "neck",
            "shoulder",
            "arm",
            "forearm",
            "hand",
            "face",
            "jaw",
            "head",
        ]
    ),
    side=st.sampled_from(["left", "right", "both", "midline"]),
    kind=st.sampled_from(["cramp", "spasm", "twitching", "tender_points"]),
    weeks=st.one_of(st.none(), st.just(0), st.integers(min_value=1, max_value=42)),
)
def test_never_a_pregnancy_avoided_point_and_needles_within_bounds_or_explained(
    kb: KnowledgeBase, region: str, side: str, kind: str, weeks: int | None
) -> None:
    patient = {"age": 30, "sex": "female", "pregnant": False} if weeks == 0 else pregnant(weeks)
    complaint = {"regions": [region], "side": side, "kind": kind}
    result = run(kb, patient=patient, complaint=complaint)
    session = result["session"]
    planned = session["needle_count"]["planned"]
    if result["points"]:
        assert planned <= 20
        assert planned >= 5 or "fewer than the usual" in session["note"]
    if weeks == 0:
        return
    late = weeks is None or weeks >= 14
    for point in result["points"]:
        kinds = {c.kind for c in kb.points[point["code"]].cautions}
        assert not kinds & PREGNANCY_KINDS, point["code"]
        if late:
            assert "strong_sensation" not in kinds, point["code"]
            assert set(point["positions"]) <= SIDE_OR_SEATED
    if late and session["positions"]:
        assert set(session["positions"]) <= SIDE_OR_SEATED
    if planned < 5 and result["points"]:
        assert "pregnancy" in session["note"].lower()


def test_pregnancy_only_cautions_are_not_shown_to_a_patient_who_is_not_pregnant(
    kb: KnowledgeBase,
) -> None:
    lumbo = next(c.summary for c in kb.points["BL23"].cautions if c.kind == "lumbosacral")
    result = run(kb, complaint={"regions": ["low_back"]})
    bl23 = next(p for p in result["points"] if p["code"] == "BL23")
    assert lumbo not in bl23["cautions"]
    assert any("kidney" in c for c in bl23["cautions"])


def test_side_lying_is_planned_only_when_the_positions_are_restricted(kb: KnowledgeBase) -> None:
    """Side-lying means turning the patient for the other side, so it counts as two positions
    when points are needled on both sides; late pregnancy leaves no other choice for the calf."""
    plain = run(kb, complaint={"regions": ["calf"], "side": "both"})
    assert plain["session"]["positions"] == ["supine", "prone"]
    late = run(kb, patient=pregnant(30), complaint={"regions": ["calf"], "side": "both"})
    assert late["session"]["positions"] == ["side_lying"]
    assert "turn the patient" in late["session"]["note"]
