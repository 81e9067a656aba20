"""Billing as tables a clinician or coder can read (clinical-facts section 5.5).

Contact is written "10:00-10:15", with "E" when electrical stimulation was used in the interval
and "R" when needles were re-inserted (a re-insertion is dated at the start of its interval).
Expected codes are written "97810 97811x2": each code with its units, in order.
"""

from __future__ import annotations

from typing import Any

import pytest

from crampcare.core.billing import PAYER_ISSUE, ROUNDING_ISSUE, Unbillable, bill
from crampcare.core.session import Session, parse_session
from crampcare.kb.loader import KnowledgeBase


def session(
    kb: KnowledgeBase,
    *contact: str,
    patient: str = "p-1",
    date: str = "2026-12-01",
    needles: tuple[int, int] = (6, 6),
    retention: dict[str, str] | None = None,
) -> Session:
    intervals = []
    for text in contact:
        span, *flags = text.split()
        start, end = span.split("-")
        intervals.append(
            {"start": start, "end": end, "electrical": "E" in flags, "reinsertion": "R" in flags}
        )
    electrical = any("E" in text.split()[1:] for text in contact)
    point: dict[str, Any] = {"code": "GB34", "side": "both", "stimulation": "manual"}
    if electrical:
        point |= {
            "stimulation": "electrical",
            "electrical": {
                "frequency_hz": 2,
                "intensity_ma": 1.5,
                "minutes": 15,
                "waveform": "dense_disperse",
            },
        }
    doc = {
        "schema": "crampcare.session/1",
        "date": date,
        "patient": patient,
        "points": [point],
        "needles": {"inserted": needles[0], "removed": needles[1], "lot": "HW-2026-0412"},
        "retention": retention or {},
        "contact": intervals,
    }
    return parse_session(doc, kb)


def codes(result: dict[str, Any]) -> str:
    return " ".join(
        line["code"] + (f"x{line['units']}" if line["units"] > 1 else "")
        for line in result["lines"]
    )


# --- durations: one interval from 10:00, manual; the partial increment by the midpoint rule ----

DURATIONS = [
    ("7 min: under half an increment", ["10:00-10:07"], ""),
    ("8 min: past half of the initial increment", ["10:00-10:08"], "97810"),
    ("15 min", ["10:00-10:15"], "97810"),
    ("22 min: 7-min remainder dropped", ["10:00-10:15", "10:15-10:22 R"], "97810"),
    ("23 min with re-insertion", ["10:00-10:15", "10:15-10:23 R"], "97810 97811"),
    ("23 min without re-insertion", ["10:00-10:23"], "97810"),
    ("30 min with re-insertion", ["10:00-10:15", "10:15-10:30 R"], "97810 97811"),
    (
        "37 min: 7-min remainder dropped",
        ["10:00-10:15", "10:15-10:30 R", "10:30-10:37 R"],
        "97810 97811",
    ),
    (
        "38 min, re-inserted twice",
        ["10:00-10:15", "10:15-10:30 R", "10:30-10:38 R"],
        "97810 97811x2",
    ),
    (
        "45 min, re-inserted twice",
        ["10:00-10:15", "10:15-10:30 R", "10:30-10:45 R"],
        "97810 97811x2",
    ),
    ("45 min, one interval re-inserted at its start", ["10:00-10:45 R"], "97810"),
]


@pytest.mark.parametrize(
    ("contact", "expected"),
    [case[1:] for case in DURATIONS],
    ids=[case[0] for case in DURATIONS],
)
def test_durations(kb: KnowledgeBase, contact: list[str], expected: str) -> None:
    assert codes(bill([session(kb, *contact)])) == expected


@pytest.mark.parametrize(
    ("contact", "says"),
    [
        (["10:00-10:07"], "does not count, half (8 of 15 min) has not passed"),
        (["10:00-10:08"], "counts, more than half (8 of 15 min) has passed"),
        (["10:00-10:15", "10:15-10:23 R"], "counts, more than half (8 of 15 min) has passed"),
    ],
    ids=["7-min-not-billed", "8-min-initial-billed", "8-min-add-on-billed"],
)
def test_every_increment_decided_by_rounding_says_the_rule_is_unverified(
    kb: KnowledgeBase, contact: list[str], says: str
) -> None:
    result = bill([session(kb, *contact)])
    decided = [
        why
        for why in [*(b for line in result["lines"] for b in line["because"])]
        + [entry["because"] for entry in result["not_billed"]]
        if "partial" in why
    ]
    assert len(decided) == 1
    assert says in decided[0] and "UNVERIFIED" in decided[0]
    assert ROUNDING_ISSUE in result["issues"]


def test_full_increments_name_no_rounding_rule(kb: KnowledgeBase) -> None:
    result = bill([session(kb, "10:00-10:15", "10:15-10:30 R")])
    assert ROUNDING_ISSUE not in result["issues"]
    assert PAYER_ISSUE in result["issues"]  # payer limits are never verified


# --- stimulation per increment ------------------------------------------------------------

STIMULATION = [
    ("electrical from the start", ["10:00-10:15 E"], "97813"),
    (
        "manual, then electrical with re-insertion",
        ["10:00-10:15", "10:15-10:30 E R"],
        "97810 97814",
    ),
    (
        "electrical, then manual with re-insertion",
        ["10:00-10:15 E", "10:15-10:30 R"],
        "97813 97811",
    ),
    (
        "electrical throughout, re-inserted each increment",
        ["10:00-10:15 E", "10:15-10:30 E R", "10:30-10:45 E R"],
        "97813 97814x2",
    ),
    (
        "stimulation in the last minutes of the first increment only",
        ["10:00-10:13", "10:13-10:15 E", "10:15-10:30 R"],
        "97813 97811",
    ),
    (
        "stimulation for one minute of the second increment",
        ["10:00-10:20", "10:20-10:29 R", "10:29-10:30 E"],
        "97810 97814",
    ),
    (
        "manual, electrical, manual: codes follow each increment",
        ["10:00-10:15", "10:15-10:30 E R", "10:30-10:45 R"],
        "97810 97814 97811",
    ),
]


@pytest.mark.parametrize(
    ("contact", "expected"),
    [case[1:] for case in STIMULATION],
    ids=[case[0] for case in STIMULATION],
)
def test_stimulation_per_increment(kb: KnowledgeBase, contact: list[str], expected: str) -> None:
    assert codes(bill([session(kb, *contact)])) == expected


# --- re-insertion ---------------------------------------------------------------------------

REINSERTION = [
    (
        "no re-insertion: the second increment is not billed",
        ["10:00-10:15", "10:15-10:30"],
        "97810",
        [2],
    ),
    (
        "re-insertion inside the second increment",
        ["10:00-10:20", "10:20-10:30 R"],
        "97810 97811",
        [],
    ),
    (
        "re-insertion recorded in the first increment does not carry to the second",
        ["10:00-10:10", "10:10-10:30 R"],
        "97810",
        [2],
    ),
    (
        "third increment re-inserted, second not",
        ["10:00-10:15", "10:15-10:30", "10:30-10:45 R"],
        "97810 97811",
        [2],
    ),
]


@pytest.mark.parametrize(
    ("contact", "expected", "not_billed"),
    [case[1:] for case in REINSERTION],
    ids=[case[0] for case in REINSERTION],
)
def test_add_on_increments_need_a_reinsertion(
    kb: KnowledgeBase, contact: list[str], expected: str, not_billed: list[int]
) -> None:
    result = bill([session(kb, *contact)])
    assert codes(result) == expected
    assert [entry["increment"] for entry in result["not_billed"]] == not_billed
    for entry in result["not_billed"]:
        assert "no re-insertion in it" in entry["because"]


# --- out-of-room time -----------------------------------------------------------------------

OUT_OF_ROOM = [
    (
        "in 10 min, out 30 min of retention, in 5 min to remove: 15 min",
        ["10:00-10:10", "10:40-10:45"],
        {"start": "10:10", "end": "10:40"},
        "97810",
    ),
    (
        "in 5 min, out 30 min, in 5 min: 10 min, past half",
        ["10:00-10:05", "10:35-10:40"],
        {"start": "10:05", "end": "10:35"},
        "97810",
    ),
    (
        "in 4 min, out 25 min, in 3 min: 7 min, nothing",
        ["10:00-10:04", "10:29-10:32"],
        {"start": "10:04", "end": "10:29"},
        "",
    ),
    (
        "in 15, out 20, back in to re-insert for 15",
        ["10:00-10:15", "10:35-10:50 R"],
        {"start": "10:15", "end": "10:50"},
        "97810 97811",
    ),
]


@pytest.mark.parametrize(
    ("contact", "retention", "expected"),
    [case[1:] for case in OUT_OF_ROOM],
    ids=[case[0] for case in OUT_OF_ROOM],
)
def test_retention_out_of_the_room_does_not_count(
    kb: KnowledgeBase, contact: list[str], retention: dict[str, str], expected: str
) -> None:
    assert codes(bill([session(kb, *contact, retention=retention)])) == expected


def test_an_increment_spanning_a_gap_names_both_parts(kb: KnowledgeBase) -> None:
    result = bill([session(kb, "10:00-10:10", "10:40-10:45")])
    assert result["lines"][0]["because"][0].startswith(
        "increment 1, 10:00-10:10, 10:40-10:45 (15 min)"
    )


# --- one initial code per patient per day, across sessions ----------------------------------


def test_one_initial_code_per_day_across_two_sessions(kb: KnowledgeBase) -> None:
    morning = session(kb, "09:00-09:15 E")
    afternoon = session(kb, "15:00-15:15 E R")
    result = bill([afternoon, morning])  # the order given does not matter
    assert codes(result) == "97813 97814"
    assert result["lines"][1]["because"][0].startswith("increment 2, 15:00-15:15")


def test_a_second_session_without_reinsertion_bills_no_add_on(kb: KnowledgeBase) -> None:
    result = bill([session(kb, "09:00-09:15"), session(kb, "15:00-15:15")])
    assert codes(result) == "97810"
    assert [e["increment"] for e in result["not_billed"]] == [2]


def test_partial_minutes_of_two_sessions_add_up(kb: KnowledgeBase) -> None:
    # 10 min in the morning + 10 min in the afternoon: increment 1 full, increment 2 of 5 min
    result = bill([session(kb, "09:00-09:10"), session(kb, "15:00-15:10 R")])
    assert codes(result) == "97810"
    assert result["not_billed"][0]["because"].startswith("increment 2, 15:05-15:10 (5 min)")


@pytest.mark.parametrize(
    ("first", "second"),
    [({"patient": "p-2"}, {}), ({"date": "2026-12-02"}, {})],
    ids=["two-patients-same-day", "same-patient-two-days"],
)
def test_each_patient_day_has_its_own_initial_code(
    kb: KnowledgeBase, first: dict[str, Any], second: dict[str, Any]
) -> None:
    result = bill([session(kb, "10:00-10:15", **first), session(kb, "10:00-10:15", **second)])
    assert codes(result) == "97810 97810"


def test_overlapping_sessions_of_one_patient_day_are_an_issue_counted_once(
    kb: KnowledgeBase,
) -> None:
    result = bill([session(kb, "10:00-10:20"), session(kb, "10:15-10:30 R")], labels=["a", "b"])
    assert codes(result) == "97810 97811"  # 30 distinct minutes, not 40
    assert any(
        issue.startswith("a and b overlap in time (10:00-10:20 and 10:15-10:30)")
        for issue in result["issues"]
    )


def test_sessions_without_a_patient_key_count_as_one_patient(kb: KnowledgeBase) -> None:
    first, second = session(kb, "10:00-10:15"), session(kb, "11:00-11:15")
    result = bill(
        [first.model_copy(update={"patient": None}), second.model_copy(update={"patient": None})]
    )
    assert codes(result) == "97810"
    assert any("without a patient key" in issue for issue in result["issues"])


# --- merging, refusal, nothing to bill ------------------------------------------------------


def test_identical_consecutive_codes_merge_into_one_line(kb: KnowledgeBase) -> None:
    result = bill([session(kb, "10:00-10:15", "10:15-10:30 R", "10:30-10:45 R", "10:45-11:00 R")])
    [initial, add_on] = result["lines"]
    assert (add_on["code"], add_on["units"], add_on["increments"]) == ("97811", 3, [2, 3, 4])
    assert len(add_on["because"]) == 3
    assert result["total_units"] == 4


def test_a_session_without_contact_bills_nothing_and_says_so(kb: KnowledgeBase) -> None:
    result = bill([session(kb, retention={"start": "10:00", "end": "10:30"})])
    assert result["lines"] == [] and result["total_units"] == 0
    assert result["issues"] == ["session 1: no contact time is recorded: nothing is billed for it"]


def test_needle_counts_that_differ_without_an_incident_are_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(Unbillable) as info:
        bill([session(kb, "10:00-10:15"), session(kb, "11:00-11:15", needles=(6, 5))])
    assert info.value.errors == [
        (
            "session 2: needles",
            "6 inserted, 5 removed: record a retained or lost needle incident, or count again",
        )
    ]


def test_a_missing_lot_is_an_issue_not_a_refusal(kb: KnowledgeBase) -> None:
    base = session(kb, "10:00-10:15")
    result = bill(
        [base.model_copy(update={"needles": base.needles.model_copy(update={"lot": None})})]
    )
    assert codes(result) == "97810"
    assert "session 1: needles.lot: the needle lot number is not recorded" in result["issues"]


def test_stimulation_on_points_but_not_in_contact_is_an_issue(kb: KnowledgeBase) -> None:
    electrical = session(kb, "10:00-10:15 E")
    manual_contact = electrical.model_copy(
        update={"contact": (electrical.contact[0].model_copy(update={"electrical": False}),)}
    )
    result = bill([manual_contact])
    assert codes(result) == "97810"
    assert any("no contact interval is marked electrical" in i for i in result["issues"])


# --- diagnoses from the assessment ----------------------------------------------------------

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD11 = "http://id.who.int/icd/release/11/mms"


def test_diagnoses_primary_presentations_then_contributing_conditions(kb: KnowledgeBase) -> None:
    assessment = {
        "conditions": [
            {
                "id": "low_back_spasm",
                "name": "Low back muscle spasm",
                "codes": [
                    {"system": ICD10CM, "code": "M62.830", "display": "Muscle spasm of back"},
                    {"system": ICD10CM, "code": "M54.5-", "display": "Low back pain"},
                    {"system": ICD11, "code": "ME84.2", "display": "Low back pain"},
                ],
            },
            {"id": "tender_points", "name": "Tender points", "codes": []},
        ],
        "contributing_factors": [
            {"id": "pregnancy", "kind": "condition", "matched": ["pregnant (28 weeks)"]},
            {"id": "furosemide", "kind": "medication", "matched": ["ATC C03CA01"]},
        ],
    }
    found = bill([session(kb, "10:00-10:15")], assessment)["diagnoses"]
    assert [(d["role"], d["condition"], d["code"]) for d in found] == [
        ("primary", "Low back muscle spasm", "M62.830"),
        ("primary", "Low back muscle spasm", "M54.5-"),
        ("primary", "Tender points", None),
        ("secondary", "pregnancy", None),
    ]
    assert found[0]["note"] == ""
    assert "not a complete code" in found[1]["note"]
    assert found[2]["note"].startswith("ICD-10-CM code not known")
    assert found[3]["note"].startswith("ICD-10-CM code not known")


def test_no_assessment_no_diagnoses(kb: KnowledgeBase) -> None:
    assert bill([session(kb, "10:00-10:15")])["diagnoses"] == []
