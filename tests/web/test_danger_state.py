"""The banner's state follows the worst thing present: one row per cause, each alone on an
otherwise empty assessment. Only an assessment with nothing at all is green ("clear")."""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.web import danger
from tests.factories import merged

EMPTY: dict[str, Any] = {
    "referral": {"urgency": "none", "reasons": []},
    "needling": {"allowed": True, "reason": "No red flag or caution stops needling."},
    "red_flags": [],
    "cautions": [],
    "avoid_points": [],
    "electroacupuncture": {"allowed": True, "reason": ""},
    "lab_results": [],
    "unrecognised": {"medications": [], "conditions": []},
    "session": {"deferred": False, "note": ""},
    "course": {"starts": "now"},
}
FLAG = {"id": "f", "name": "A flag", "urgency": "routine"}
LAB = {"test": "ck", "status": "current", "judgement": "cannot_judge", "range": {}}


def with_(**changes: Any) -> dict[str, Any]:
    return merged(EMPTY, **changes)


# cause present                         | the banner's state | the needling heading
ROWS = [
    ("nothing at all", {}, "clear", "Needling allowed"),
    ("emergency referral", {"referral": {"urgency": "emergency"}}, "red", "Needling allowed"),
    ("urgent referral", {"referral": {"urgency": "urgent"}}, "red", "Needling allowed"),
    ("soon referral", {"referral": {"urgency": "soon"}}, "amber", "Needling allowed"),
    ("needling deferred", {"needling": {"allowed": False}}, "amber", "Needling deferred"),
    ("session deferred", {"session": {"deferred": True}}, "amber", "Needling deferred"),
    ("routine referral", {"referral": {"urgency": "routine"}}, "caution", "with cautions"),
    ("a red flag", {"red_flags": [FLAG]}, "caution", "with cautions"),
    ("a caution", {"cautions": [{"id": "c", "name": "C"}]}, "caution", "with cautions"),
    ("a point to avoid", {"avoid_points": [{"code": "SP6"}]}, "caution", "with cautions"),
    ("no electroacupuncture", {"electroacupuncture": {"allowed": False}}, "caution", "cautions"),
    ("a lab that cannot be judged", {"lab_results": [LAB]}, "caution", "with cautions"),
    ("an unrecognised drug", {"unrecognised": {"medications": ["x"]}}, "caution", "cautions"),
]


@pytest.mark.parametrize(("cause", "changes", "state", "heading"), ROWS, ids=[r[0] for r in ROWS])
def test_the_banner_state_follows_the_worst_thing_present(
    cause: str, changes: dict[str, Any], state: str, heading: str
) -> None:
    result = with_(**changes)
    tone = danger.state(result)
    assert tone == state
    needling = danger.needling_heading(result, tone)
    assert heading in needling
    if tone != "red" and not result["needling"]["allowed"]:
        assert needling == "Needling deferred"


def test_a_stored_assessment_missing_every_new_field_is_never_clear() -> None:
    old = {"referral": {"urgency": "none"}, "needling": {"allowed": True}}
    assert danger.state(old) == "caution"  # electroacupuncture unknown: not "nothing at all"


@pytest.mark.parametrize(
    ("flag", "needling", "electro"),
    [
        ({"urgency": "urgent"}, True, True),  # older record: urgent always stops both
        ({"urgency": "soon"}, False, False),
        ({"urgency": "soon", "stops_needling": True}, True, True),
        ({"urgency": "soon", "stops_electroacupuncture": True}, False, True),
        ({"urgency": "emergency", "stops_needling": False}, True, True),
    ],
)
def test_what_a_flag_stops(flag: dict[str, Any], needling: bool, electro: bool) -> None:
    shown = danger.flag_view(flag)
    assert (shown["stops_needling"], shown["stops_electroacupuncture"]) == (needling, electro)


def test_what_a_caution_changes_is_read_only_from_the_same_knowledge_base(kb: Any) -> None:
    caution = {"id": "implanted_electronic_device", "name": "Implanted electronic device"}
    assert "No electroacupuncture" in danger.caution_view(caution, kb, same_kb=True)["changes"]
    assert danger.caution_view(caution, kb, same_kb=False)["changes"] is None  # may have changed
    unknown = {"id": "no_longer_in_the_kb", "name": "Gone"}
    assert danger.caution_view(unknown, kb, same_kb=True)["changes"] is None
