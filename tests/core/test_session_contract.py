"""The session contract crampcare.session/1: every bad input names its field; the rules that
span fields (ASHI region, electrical block, time order) and the needle reconciliation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from crampcare.core.session import (
    InvalidSession,
    Session,
    is_serious,
    needle_problems,
    parse_session,
)
from crampcare.kb.loader import KnowledgeBase

# the DESIGN.md example, as a session page would write it
GOOD: dict[str, Any] = {
    "schema": "crampcare.session/1",
    "date": "2026-12-01",
    "patient": "p-17",
    "positions": ["prone"],
    "points": [
        {"code": "BL57", "side": "left", "depth_mm": 25, "stimulation": "manual"},
        {
            "code": "GB34",
            "side": "both",
            "stimulation": "electrical",
            "electrical": {
                "frequency_hz": 2,
                "intensity_ma": 1.5,
                "minutes": 20,
                "waveform": "dense_disperse",
            },
        },
        {"code": "ASHI", "region": "calf", "side": "left", "stimulation": "manual"},
    ],
    "needles": {"inserted": 6, "removed": 6, "lot": "HW-2026-0412"},
    "retention": {"start": "10:05", "end": "10:30"},
    "contact": [
        {"start": "10:00", "end": "10:15", "electrical": False},
        {"start": "10:15", "end": "10:30", "electrical": True, "reinsertion": True},
    ],
    "adverse_events": [],
    "measures": {"pain_before": 6, "pain_after": 3, "global_change": "much_improved"},
    "note": {"subjective": "", "objective": "", "assessment": "", "plan": ""},
}


def changed(path: str, value: Any) -> dict[str, Any]:
    """GOOD with one value set (``None`` deletes the key); path like "points.1.electrical"."""
    doc = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node: Any = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is None:
        del node[last]
    else:
        node[last] = value
    return doc


def problems(kb: KnowledgeBase, doc: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidSession) as info:
        parse_session(doc, kb)
    return info.value.errors


def test_the_design_example_is_valid(kb: KnowledgeBase) -> None:
    session = parse_session(GOOD, kb)
    assert isinstance(session, Session)
    assert [p.code for p in session.points] == ["BL57", "GB34", "ASHI"]
    assert session.date.isoformat() == "2026-12-01"
    assert needle_problems(session) == []


def test_the_session_is_frozen(kb: KnowledgeBase) -> None:
    session = parse_session(GOOD, kb)
    with pytest.raises(ValueError):
        session.needles.inserted = 7  # type: ignore[misc]


# (field path named in the error, how the document is broken)
BAD_FIELDS = [
    ("schema", "schema", "crampcare.session/2"),
    ("schema", "schema", None),
    ("date", "date", "2026-13-01"),
    ("date", "date", "1 December 2026"),
    ("date", "date", None),
    ("patient", "patient", ""),
    ("positions[0]", "positions", ["standing"]),
    ("points[0].code", "points.0.code", "XX99"),
    ("points[0].code", "points.0.code", ""),
    ("points[0].side", "points.0.side", "up"),
    ("points[0].side", "points.0.side", None),
    ("points[0].depth_mm", "points.0.depth_mm", 0),
    ("points[0].depth_mm", "points.0.depth_mm", 151),
    ("points[0].stimulation", "points.0.stimulation", "laser"),
    ("points[0].reason", "points.0.reason", ""),
    ("points[1].electrical.frequency_hz", "points.1.electrical.frequency_hz", 0),
    ("points[1].electrical.intensity_ma", "points.1.electrical.intensity_ma", -1),
    ("points[1].electrical.minutes", "points.1.electrical.minutes", 0),
    ("points[1].electrical.waveform", "points.1.electrical.waveform", "square"),
    ("points[1].electrical.frequency_hz", "points.1.electrical.frequency_hz", None),
    ("points[2].region", "points.2.region", "knee"),
    ("needles.inserted", "needles.inserted", -1),
    ("needles.removed", "needles.removed", "six"),
    ("needles.lot", "needles.lot", ""),
    ("retention.start", "retention.start", "25:00"),
    ("retention.end", "retention.end", "10:60"),
    ("retention.end", "retention.end", "10:00"),
    ("retention.start", "retention.start", None),
    ("contact[0].start", "contact.0.start", "10"),
    ("contact[0].end", "contact.0.end", "09:59"),
    ("contact[1].electrical", "contact.1.electrical", "sometimes"),
    ("contact[1].start", "contact.1.start", "10:14"),
    ("contact[1].start", "contact.1.start", "09:00"),
    ("adverse_events[0].kind", "adverse_events", [{"kind": "itch", "severity": "mild"}]),
    ("adverse_events[0].severity", "adverse_events", [{"kind": "pain", "action": "reassured"}]),
    ("adverse_events[0].action", "adverse_events", [{"kind": "pain", "severity": "mild"}]),
    (
        "adverse_events[0].description",
        "adverse_events",
        [{"kind": "other", "severity": "mild", "action": "rested"}],
    ),
    (
        "adverse_events[0].at",
        "adverse_events",
        [{"kind": "pain", "severity": "mild", "action": "rested", "at": "noon"}],
    ),
    ("measures.pain_before", "measures.pain_before", 11),
    ("measures.pain_after", "measures.pain_after", -1),
    ("measures.global_change", "measures.global_change", "better"),
    (
        "measures.range_of_motion[0].degrees",
        "measures.range_of_motion",
        [{"region": "neck", "movement": "flexion", "degrees": 181, "when": "before"}],
    ),
    (
        "measures.range_of_motion[0].region",
        "measures.range_of_motion",
        [{"region": "calf", "movement": "flexion", "degrees": 40, "when": "before"}],
    ),
    ("note.plan", "note.plan", 3),
    ("note.summary", "note.summary", "x"),
    ("colour", "colour", "blue"),
    ("points[0].colour", "points.0.colour", "blue"),
]


@pytest.mark.parametrize(
    ("field", "where", "value"),
    BAD_FIELDS,
    ids=[f"{field}={value!r}" for field, _, value in BAD_FIELDS],
)
def test_bad_input_names_its_field(kb: KnowledgeBase, field: str, where: str, value: Any) -> None:
    found = problems(kb, changed(where, value))
    assert field in {path for path, _ in found}, found


def test_an_unknown_key_lists_the_valid_ones(kb: KnowledgeBase) -> None:
    [(path, message)] = problems(kb, changed("needles.colour", "red"))
    assert path == "needles.colour"
    assert "inserted, lot, removed" in message


def test_every_problem_is_reported_at_once(kb: KnowledgeBase) -> None:
    doc = changed("points.0.depth_mm", -3)
    doc["points"][2].pop("region")
    doc["contact"][1]["start"] = "10:10"
    doc["measures"]["pain_after"] = 12
    found = {path for path, _ in problems(kb, doc)}
    assert found == {
        "points[0].depth_mm",
        "points[2].region",
        "contact[1].start",
        "measures.pain_after",
    }


def test_a_document_that_is_not_a_mapping(kb: KnowledgeBase) -> None:
    assert problems(kb, ["schema"]) == [
        ("(document)", "a session is a mapping with the key schema first")
    ]


def test_unquoted_yaml_time_gets_a_hint(kb: KnowledgeBase) -> None:
    # YAML 1.1 reads 10:05 unquoted as the sexagesimal number 605
    [(path, message)] = problems(kb, changed("retention.start", 605))
    assert path == "retention.start"
    assert '"10:05"' in message and "quotes" in message


POINT_RULES = [
    # (point, field, what the message says)
    ({"code": "ASHI", "side": "left"}, "region", "required for an ASHI point"),
    ({"code": "BL57", "side": "left", "region": "calf"}, "region", "only for ASHI points"),
    (
        {"code": "GB34", "side": "both", "stimulation": "electrical"},
        "electrical",
        "required with electrical stimulation",
    ),
    (
        {
            "code": "GB34",
            "side": "both",
            "stimulation": "manual",
            "electrical": {
                "frequency_hz": 2,
                "intensity_ma": 1,
                "minutes": 10,
                "waveform": "continuous",
            },
        },
        "electrical",
        "only with stimulation: electrical",
    ),
]


@pytest.mark.parametrize(
    ("point", "field", "says"),
    POINT_RULES,
    ids=[
        "ashi-without-region",
        "region-on-a-fixed-point",
        "electrical-without-block",
        "manual-with-block",
    ],
)
def test_point_rules(kb: KnowledgeBase, point: dict[str, Any], field: str, says: str) -> None:
    [(path, message)] = problems(kb, changed("points.0", point))
    assert path == f"points[0].{field}"
    assert says in message


@pytest.mark.parametrize(
    ("written", "code"),
    [("gb34", "GB34"), ("GB-34", "GB34"), (" li 4 ", "LI4"), ("ashi", "ASHI"), ("Ashi", "ASHI")],
)
def test_point_codes_are_normalised(kb: KnowledgeBase, written: str, code: str) -> None:
    point = {"code": written, "side": "left"}
    if code == "ASHI":
        point["region"] = "calf"
    session = parse_session(changed("points.0", point), kb)
    assert session.points[0].code == code


def test_a_catalogued_point_outside_the_prescribing_kb_is_accepted(kb: KnowledgeBase) -> None:
    extra = sorted(set(kb.catalogue) - set(kb.points))
    if not extra:
        pytest.skip("the catalogue has no point beyond kb.points yet")
    session = parse_session(changed("points.0", {"code": extra[0], "side": "left"}), kb)
    assert session.points[0].code == extra[0]


def test_touching_contact_intervals_are_fine_overlapping_ones_are_not(kb: KnowledgeBase) -> None:
    assert parse_session(GOOD, kb).contact[1].start == "10:15"  # 10:00-10:15 then 10:15-10:30
    [(path, message)] = problems(kb, changed("contact.1.start", "10:14"))
    assert path == "contact[1].start" and "overlaps contact[0] (10:00-10:15)" in message


def test_retention_may_be_open_but_not_end_without_start(kb: KnowledgeBase) -> None:
    parse_session(changed("retention", {"start": "10:05"}), kb)
    parse_session(changed("retention", {}), kb)
    [(path, _)] = problems(kb, changed("retention", {"end": "10:30"}))
    assert path == "retention.start"


def test_minimal_document(kb: KnowledgeBase) -> None:
    session = parse_session({"schema": "crampcare.session/1", "date": "2026-12-01"}, kb)
    assert session.points == () and session.contact == ()
    assert session.needles.inserted == session.needles.removed == 0


# --- needles -------------------------------------------------------------------------------

NEEDLES = [
    # (inserted, removed, lot, incident kinds, problems as (field, message start))
    (6, 6, "L1", [], []),
    (
        6,
        5,
        "L1",
        [],
        [("needles", "6 inserted, 5 removed: record a retained or lost needle incident")],
    ),
    (6, 5, "L1", ["retained_needle"], []),
    (6, 5, "L1", ["lost_needle"], []),
    (
        6,
        5,
        "L1",
        ["bent_needle"],
        [("needles", "6 inserted, 5 removed: record a retained or lost needle incident")],
    ),
    (5, 6, "L1", ["lost_needle"], [("needles", "5 inserted, 6 removed: more removed")]),
    (6, 6, None, [], [("needles.lot", "required")]),
    (
        3,
        0,
        None,
        [],
        [("needles", "3 inserted, 0 removed"), ("needles.lot", "required")],
    ),
]


@pytest.mark.parametrize(
    ("inserted", "removed", "lot", "incidents", "expected"),
    NEEDLES,
    ids=[
        "counts-match",
        "one-missing-no-incident",
        "one-missing-retained-incident",
        "one-missing-lost-incident",
        "one-missing-other-incident-does-not-explain",
        "more-removed-than-inserted",
        "no-lot",
        "open-session-nothing-removed-no-lot",
    ],
)
def test_needle_reconciliation(
    kb: KnowledgeBase,
    inserted: int,
    removed: int,
    lot: str | None,
    incidents: list[str],
    expected: list[tuple[str, str]],
) -> None:
    needles: dict[str, Any] = {"inserted": inserted, "removed": removed}
    if lot:
        needles["lot"] = lot
    doc = changed("needles", needles)
    doc["adverse_events"] = [
        {"kind": kind, "severity": "moderate", "action": "recorded, patient informed"}
        for kind in incidents
    ]
    found = needle_problems(parse_session(doc, kb))
    assert [field for field, _ in found] == [field for field, _ in expected]
    for (_, message), (_, start) in zip(found, expected, strict=True):
        assert message.startswith(start), message


SERIOUS = [
    ("fainting", "mild", False),
    ("fainting", "severe", True),
    ("bleeding_bruising", "moderate", False),
    ("pain", "severe", True),
    ("pneumothorax_symptoms", "mild", True),
    ("broken_needle", "mild", True),
    ("retained_needle", "mild", True),
    ("lost_needle", "moderate", True),
    ("stuck_needle", "moderate", False),
    ("bent_needle", "mild", False),
]


@pytest.mark.parametrize(
    ("kind", "severity", "serious"),
    SERIOUS,
    ids=[f"{k}-{s}" for k, s, _ in SERIOUS],
)
def test_serious_adverse_events(kb: KnowledgeBase, kind: str, severity: str, serious: bool) -> None:
    doc = changed("adverse_events", [{"kind": kind, "severity": severity, "action": "observed"}])
    assert is_serious(parse_session(doc, kb).adverse_events[0]) is serious
