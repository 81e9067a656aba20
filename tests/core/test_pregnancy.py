"""Who is pregnant and how far along, as a table a clinician can read.

Sources: the intake's ``pregnant`` flag (with ``pregnancy_weeks``), a current code (SNOMED CT,
ICD-10-CM, ICD-11) or free text. Negated and past mentions never make a patient pregnant. Weeks:
the flag, else a Z3A code, else the text; trimesters by the ICD-10-CM chapter 15 definition.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crampcare.core.facts import gather_facts
from crampcare.core.intake import parse_intake
from crampcare.core.pregnancy import Pregnancy
from crampcare.core.recognition.conditions import dated_past
from crampcare.kb.loader import KnowledgeBase, load_kb
from tests.conftest import TODAY
from tests.factories import caution_ids, factor_ids, make_intake, run
from tests.strategies import condition_codes

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
ICD11 = "http://id.who.int/icd/release/11/mms"
KB = load_kb()


def pregnancy_of(kb: KnowledgeBase, *conditions: Any, **patient: Any) -> Pregnancy:
    doc = make_intake(
        patient={"age": 30, "sex": "female", "pregnant": False, **patient},
        history={"conditions": list(conditions)},
    )
    return gather_facts(parse_intake(doc, kb, TODAY), kb).pregnancy


def code(system: str, value: str) -> dict[str, str]:
    return {"system": system, "code": value}


# source, patient flags, conditions -> pregnant?, weeks, trimester, reason contains
Row = tuple[str, dict[str, Any], list[Any], bool, int | None, int | None, str]
TABLE: list[Row] = [
    ("flag", {"pregnant": True}, [], True, None, None, "pregnant"),
    ("flag, 12 weeks", {"pregnant": True, "pregnancy_weeks": 12}, [], True, 12, 1, "12 weeks"),
    ("flag, 20 weeks", {"pregnant": True, "pregnancy_weeks": 20}, [], True, 20, 2, "20 weeks"),
    ("flag, 32 weeks", {"pregnant": True, "pregnancy_weeks": 32}, [], True, 32, 3, "32 weeks"),
    ("SNOMED Pregnant", {}, [code(SNOMED, "77386006")], True, None, None, "77386006"),
    ("SNOMED Normal pregnancy", {}, [code(SNOMED, "72892002")], True, None, None, "72892002"),
    ("ICD-10-CM Z33.1", {}, [code(ICD10, "Z33.1")], True, None, None, "Z33.1"),
    ("ICD-10-CM Z34.02", {}, [code(ICD10, "Z34.02")], True, None, None, "Z34.02"),
    ("ICD-10-CM O09.90", {}, [code(ICD10, "O09.90")], True, None, None, "O09.90"),
    ("ICD-10-CM O26.893", {}, [code(ICD10, "O26.893")], True, None, None, "O26.893"),
    ("ICD-10-CM Z3A.28", {}, [code(ICD10, "Z3A.28")], True, 28, 3, "Z3A.28"),
    ("ICD-10-CM Z3A.13", {}, [code(ICD10, "Z3A.13")], True, 13, None, "further along"),
    ("ICD-10-CM Z3A.14", {}, [code(ICD10, "Z3A.14")], True, 14, None, "at least 14"),
    ("ICD-10-CM Z3A.27", {}, [code(ICD10, "Z3A.27")], True, 27, None, "Z3A.27"),
    ("ICD-10-CM Z3A.01 (<8 w)", {}, [code(ICD10, "Z3A.01")], True, None, None, "Z3A.01"),
    ("ICD-11 JA65.1", {}, [code(ICD11, "JA65.1")], True, None, None, "JA65.1"),
    ("text: pregnant", {}, ["pregnant"], True, None, None, "'pregnant'"),
    ("text: currently pregnant", {}, ["currently pregnant"], True, None, None, "currently"),
    ("text: 12 weeks pregnant", {}, ["12 weeks pregnant"], True, 12, 1, "12 weeks"),
    ("text: pregnancy 28/40", {}, ["pregnancy 28/40"], True, 28, 3, "28/40"),
    ("text: pregnant, 30 weeks", {}, ["pregnant, 30 weeks"], True, 30, 3, "30 weeks"),
    ("text: weeks elsewhere", {}, ["pregnant, 2 weeks of nausea"], True, None, None, "nausea"),
    # not pregnant now
    ("SNOMED Not pregnant", {}, [code(SNOMED, "60001007")], False, None, None, ""),
    ("SNOMED miscarriage", {}, [code(SNOMED, "19169002")], False, None, None, ""),
    ("ICD-10-CM O03.9 abortion", {}, [code(ICD10, "O03.9")], False, None, None, ""),
    ("ICD-10-CM O80 delivery", {}, [code(ICD10, "O80")], False, None, None, ""),
    ("ICD-10-CM Z33.2 termination", {}, [code(ICD10, "Z33.2")], False, None, None, ""),
    ("ICD-11 JA00 abortive outcome", {}, [code(ICD11, "JA00.0")], False, None, None, ""),
    ("text: not pregnant", {}, ["not pregnant"], False, None, None, ""),
    ("text: pregnancy test negative", {}, ["pregnancy test negative"], False, None, None, ""),
    ("text: negative pregnancy test", {}, ["negative pregnancy test"], False, None, None, ""),
    ("text: pregnancy: negative", {}, ["pregnancy: negative"], False, None, None, ""),
    ("text: pregnancy test - negative", {}, ["pregnancy test - negative"], False, None, None, ""),
    ("text: denies pregnancy", {}, ["denies pregnancy"], False, None, None, ""),
    ("text: previous pregnancy", {}, ["previous pregnancy"], False, None, None, ""),
    ("text: history of pregnancy", {}, ["history of pregnancy"], False, None, None, ""),
    ("text: pregnant in 2019", {}, ["pregnant in 2019"], False, None, None, ""),
    ("text: pregnancy 2021", {}, ["pregnancy 2021"], False, None, None, ""),
    ("text: pregnancy ended 2024-03-01", {}, ["pregnancy ended 2024-03-01"], False, None, None, ""),
    ("text: postpartum", {}, ["postpartum"], False, None, None, ""),
    ("text: G2P2 (obstetric history)", {}, ["G2P2"], False, None, None, ""),
    ("text: no longer pregnant", {}, ["no longer pregnant"], False, None, None, ""),
    # several sources
    (
        "flag and Z3A disagree: flag wins",
        {"pregnant": True, "pregnancy_weeks": 20},
        [code(ICD10, "Z3A.30")],
        True,
        20,
        2,
        "says 30 weeks: the intake's 20 weeks are used",
    ),
    (
        "flag without weeks, Z3A gives them",
        {"pregnant": True},
        [code(ICD10, "Z3A.30")],
        True,
        30,
        3,
        "Z3A.30",
    ),
    (
        "code and text disagree: the code wins",
        {},
        [code(ICD10, "Z3A.30"), "12 weeks pregnant"],
        True,
        30,
        3,
        "says 12 weeks: the coded 30 weeks are used",
    ),
    (
        "two codes disagree: weeks unknown",
        {},
        [code(ICD10, "Z3A.12"), code(ICD10, "Z3A.30")],
        True,
        None,
        None,
        "they disagree",
    ),
    (
        "flag without weeks, code and text disagree: the code wins",
        {"pregnant": True},
        [code(ICD10, "Z3A.30"), "pregnant 12/40"],
        True,
        30,
        3,
        "says 12 weeks: the coded 30 weeks are used",
    ),
    ("a dated pregnancy this year still counts", {}, ["pregnant 2026"], True, None, None, "2026"),
]


@pytest.mark.parametrize(
    ("source", "patient", "conditions", "pregnant", "weeks", "trimester", "reason"),
    TABLE,
    ids=[r[0] for r in TABLE],
)
def test_who_is_pregnant_and_how_far_along(
    kb: KnowledgeBase,
    source: str,
    patient: dict[str, Any],
    conditions: list[Any],
    pregnant: bool,
    weeks: int | None,
    trimester: int | None,
    reason: str,
) -> None:
    preg = pregnancy_of(kb, *conditions, **patient)
    assert (preg.pregnant, preg.weeks, preg.trimester) == (pregnant, weeks, trimester), preg
    assert reason in (preg.reason or ""), preg.reason


TRIMESTERS = [(1, 1), (13, 1), (14, 2), (27, 2), (28, 3), (40, 3), (44, 3)]


@pytest.mark.parametrize(("weeks", "trimester"), TRIMESTERS)
def test_trimester_boundaries(weeks: int, trimester: int) -> None:
    """ICD-10-CM chapter 15: first < 14 w 0 d, second 14 w 0 d to < 28 w 0 d, third from 28."""
    assert Pregnancy(pregnant=True, reason="", weeks=weeks).trimester == trimester


@pytest.mark.parametrize(("weeks", "trimester"), [(13, None), (27, None), (28, 3), (40, 3)])
def test_weeks_from_an_undated_code_are_a_lower_bound(weeks: int, trimester: int | None) -> None:
    """A code's weeks may be old: before the third trimester every trimester's cautions apply."""
    preg = Pregnancy(pregnant=True, reason="", weeks=weeks, weeks_at_least=True)
    assert preg.trimester == trimester


def test_a_coded_pregnancy_brings_the_cautions_and_the_factor(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        patient={"age": 30, "sex": "female", "pregnant": False},
        history={"conditions": [code(ICD10, "Z3A.30")]},
    )
    assert "pregnancy" in factor_ids(result)
    assert any(c.startswith("pregnancy") for c in caution_ids(result))
    factor = next(f for f in result["contributing_factors"] if f["id"] == "pregnancy")
    assert "Z3A.30" in factor["matched"][0] and "30 weeks" in factor["matched"][0]


def test_a_past_pregnancy_brings_neither(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        patient={"age": 30, "sex": "female", "pregnant": False},
        history={"conditions": ["previous pregnancy 2019", code(ICD10, "O80")]},
    )
    assert "pregnancy" not in factor_ids(result)
    assert not any(c.startswith("pregnancy") for c in caution_ids(result))


DATED = [
    ("pregnant in 2019", dt.date(2026, 1, 15), True),
    ("pregnant since 2025", dt.date(2026, 1, 15), False),  # may well still be pregnant
    ("pregnant, lmp 2025-12-20", dt.date(2026, 1, 15), False),
    ("pregnancy ended 2024-03-01", dt.date(2026, 1, 15), True),
    ("pregnancy 2025", dt.date(2026, 11, 27), True),  # the year ended over 44 weeks ago
    ("pregnant 2026", dt.date(2026, 11, 27), False),
]


@pytest.mark.parametrize(("clause", "today", "past"), DATED, ids=[r[0] for r in DATED])
def test_a_date_is_past_only_beyond_a_pregnancy_s_length(
    clause: str, today: dt.date, past: bool
) -> None:
    assert dated_past(clause, today) is past


# --- never-events ---------------------------------------------------------------------------

PHRASES = ["pregnant", "pregnancy", "currently pregnant", "12 weeks pregnant", "pregnancy 28/40"]
NEGATED = [
    "not {p}",
    "no {p}",
    "denies {p}",
    "{p} test negative",
    "negative {p} test",
    "{p}: negative",
    "{p} - negative",
    "{p}: no",
    "{p} excluded",
    "{p} ruled out",
    "no longer {p}",
]
PAST = [
    "previous {p}",
    "prior {p}",
    "history of {p}",
    "hx of {p}",
    "past {p}",
    "{p} in {year}",
    "{p} {year}",
    "{p} ended",
    "{p} 2 years ago",
    "after {p}",
]


@given(
    st.sampled_from(PHRASES),
    st.sampled_from(NEGATED + PAST),
    st.integers(min_value=1990, max_value=TODAY.year - 2),
    st.sampled_from(["lower", "upper", "title"]),
)
def test_a_negated_or_past_pregnancy_never_makes_the_patient_pregnant(
    phrase: str, form: str, year: int, case: str
) -> None:
    text = getattr(form.format(p=phrase, year=year), case)()
    preg = pregnancy_of(KB, text)
    assert not preg.pregnant, (text, preg.reason)


@given(
    st.sampled_from(condition_codes(KB, pregnancy=True)),
    st.sampled_from(["", "not pregnant", "previous pregnancy"]),
)
def test_any_current_pregnancy_code_makes_the_patient_pregnant(
    pair: tuple[str, str], text: str
) -> None:
    """A current code counts even beside text that denies or dates a pregnancy: the code is
    the record's own statement, and the cautious reading keeps the pregnancy cautions."""
    items: list[Any] = [code(*pair)] + ([text] if text else [])
    preg = pregnancy_of(KB, *items)
    assert preg.pregnant, pair
    assert pair[1] in (preg.reason or "")
