"""What recognition reports, word for word, as tables a clinician can read.

Medications: which drugs one entry names and in which order (names found whole first, in the
order written, then the misspellings to check), and the exact words of a match. Conditions: how
far a negation or a past cue reaches, where a date makes a pregnancy past (the 44-week bound at
its exact day), one match per condition, and the exact words of a coded match. Written against
the mutants that survived the first mutation run of ``crampcare/core/recognition/`` (see
docs/mutation.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from crampcare.core.intake import CodedItem
from crampcare.core.recognition import recognise_conditions, recognise_medications
from crampcare.core.recognition.common import clean_words
from crampcare.kb.loader import KnowledgeBase
from tests.conftest import TODAY

ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
LOCAL = "http://example.org/local-drug-codes"  # a code system the kb does not name


def _ids(rows: list[tuple[str, list[str], str]]) -> list[str]:
    return [row[2] for row in rows]


# --- medications ---------------------------------------------------------------------------

# one free-text entry                  -> medication ids, in the order reported
SEVERAL_DRUGS: list[tuple[str, list[str], str]] = [
    (
        "simvastatin lasix",
        ["simvastatin", "furosemide"],
        "two names found whole: in the order written",
    ),
    (
        "simvastatn lasix",
        ["furosemide", "simvastatin"],
        "a name found whole comes before a misspelling to check",
    ),
    (
        "lasix simvastatn",
        ["furosemide", "simvastatin"],
        "a misspelling after a name found whole is still read",
    ),
    (
        "warfarin sodium simvastatn lasix",
        ["warfarin", "furosemide", "simvastatin"],
        "a two-word name, then the one-word names after it, then the misspelling",
    ),
    (
        "low molecular weight heparin",
        ["heparins"],
        "the words of a longer name are not read again on their own (heparin)",
    ),
]


@pytest.mark.parametrize(("text", "expected", "why"), SEVERAL_DRUGS, ids=_ids(SEVERAL_DRUGS))
def test_the_drugs_one_entry_names(
    kb: KnowledgeBase, text: str, expected: list[str], why: str
) -> None:
    found, unknown = recognise_medications(kb, (text,))
    assert [m.id for m in found] == expected, why
    assert unknown == []


# a record's item                                    -> (medication id, what the match says)
MEDICATION_WORDS: list[tuple[str | CodedItem, tuple[str, str], str]] = [
    (
        CodedItem(system=ATC, code="C10AA06"),
        ("statins", "ATC C10AA06, within ATC C10AA"),
        "an ATC code below a class names the class's code, not its id",
    ),
    (
        "simvastatn lasix",
        ("simvastatin", "'simvastatn lasix' (read 'simvastatn' as 'simvastatin': please check)"),
        "a misspelling says what it was read as",
    ),
]


@pytest.mark.parametrize(
    ("item", "expected", "why"), MEDICATION_WORDS, ids=[r[2] for r in MEDICATION_WORDS]
)
def test_what_a_medication_match_says(
    kb: KnowledgeBase, item: str | CodedItem, expected: tuple[str, str], why: str
) -> None:
    found, _ = recognise_medications(kb, (item,))
    assert (found[-1].id, found[-1].matched) == expected, why


def test_an_unknown_code_system_is_named_as_written(kb: KnowledgeBase) -> None:
    found, unknown = recognise_medications(kb, (CodedItem(system=LOCAL, code="X1"),))
    assert found == []
    assert unknown == [f"{LOCAL} X1"]


# --- conditions: free text -------------------------------------------------------------------

# one free-text entry                   -> condition ids, in the order reported
CONDITION_TEXT: list[tuple[str, list[str], str]] = [
    # negation reaches three words before the phrase and three after it
    (
        "no alcohol since she found out she is pregnant",
        ["pregnancy"],
        "a negation more than three words before does not reach the phrase",
    ),
    (
        "pregnant woman whose hiv test came back negative",
        ["pregnancy"],
        "a negation more than three words after does not reach the phrase",
    ),
    ("pregnancy test: no", [], "'no' closing the clause two words after negates"),
    (
        "pregnant 28 weeks nausea none",
        ["pregnancy"],
        "'none' three words after answers something else",
    ),
    # a past cue reaches three words before and four after; only words after count as 'after'
    (
        "history taken today confirms she is pregnant",
        ["pregnancy"],
        "a past cue more than three words before does not reach the phrase",
    ),
    ("pregnant 20 weeks", ["pregnancy"], "words after the phrase that are no past cue"),
    (
        "over 20 weeks pregnant",
        ["pregnancy"],
        "'over' before the phrase is no past cue (it is one only after it)",
    ),
    (
        "pregnant first trimester nausea has now resolved",
        ["pregnancy"],
        "a past cue more than four words after does not reach the phrase",
    ),
    # the same phrase twice in a clause: the second mention counts on its own
    (
        "pregnancy test negative last month but pregnancy now confirmed",
        ["pregnancy"],
        "a negated mention, then a current one",
    ),
    (
        "miscarriage in a previous pregnancy but pregnancy now confirmed",
        ["pregnancy"],
        "a past mention, then a current one",
    ),
    # several conditions, and one condition several times
    ("diabetes; pregnant", ["diabetes_mellitus", "pregnancy"], "two conditions, in order"),
    ("pregnant; diabetes", ["pregnancy", "diabetes_mellitus"], "the same, the other way"),
    (
        "pregnant; pregnancy confirmed by scan",
        ["pregnancy"],
        "one condition named twice is reported once",
    ),
    # dates: an impossible date is skipped, the next date is still read
    (
        "pregnant 2026-02-30 or 2019-04-01",
        [],
        "after an impossible date, a date years ago makes it past",
    ),
]


@pytest.mark.parametrize(("text", "expected", "why"), CONDITION_TEXT, ids=_ids(CONDITION_TEXT))
def test_conditions_in_free_text(
    kb: KnowledgeBase, text: str, expected: list[str], why: str
) -> None:
    found, _ = recognise_conditions(kb, (text,), TODAY)
    assert [m.id for m in found] == expected, why


# A pregnancy lasts at most 44 weeks (308 days): a date, or the end of a year, at most that long
# before today may belong to a current pregnancy; one day more and it is past.
LONGEST = dt.timedelta(days=44 * 7)
PREGNANCY_DATES: list[tuple[str, dt.date, bool, str]] = [
    (f"pregnant since {TODAY - LONGEST}", TODAY, True, "a date exactly 44 weeks ago"),
    (
        f"pregnant since {TODAY - LONGEST - dt.timedelta(days=1)}",
        TODAY,
        False,
        "a date a day more than 44 weeks ago",
    ),
    ("pregnant in 2025", dt.date(2025, 12, 31) + LONGEST, True, "44 weeks after the year"),
    (
        "pregnant in 2025",
        dt.date(2025, 12, 31) + LONGEST + dt.timedelta(days=1),
        False,
        "44 weeks and a day after the year",
    ),
]


@pytest.mark.parametrize(
    ("text", "today", "current", "why"), PREGNANCY_DATES, ids=[r[3] for r in PREGNANCY_DATES]
)
def test_a_dated_pregnancy_at_the_44_week_bound(
    kb: KnowledgeBase, text: str, today: dt.date, current: bool, why: str
) -> None:
    found, _ = recognise_conditions(kb, (text,), today)
    assert ("pregnancy" in {m.id for m in found}) is current, why


# --- conditions: codes -----------------------------------------------------------------------


def test_a_listed_code_says_only_the_code(kb: KnowledgeBase) -> None:
    """A concept the kb lists is named as it is; a code reached by a family, range or value set
    says how (those rows are in test_condition_recognition.py)."""
    item = CodedItem(system=SNOMED, code="73211009", display="Diabetes mellitus")
    found, _ = recognise_conditions(kb, (item,), TODAY)
    assert [(m.id, m.matched) for m in found] == [
        ("diabetes_mellitus", "SNOMED CT 73211009 (Diabetes mellitus)")
    ]


# --- the words a free-text entry is read as -----------------------------------------------------


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("Simvastatin 20 mg tablets", ["simvastatin"]),
        ("ASA-81", ["asa"]),
        ("ASA - 81 mg", ["asa"]),
        ("co-codamol 30/500", ["co-codamol"]),
        ("'Lasix' 40mg", ["lasix"]),
        ("tablet", []),
    ],
    ids=["dose form dropped", "dangling hyphen", "lone hyphen", "inner hyphen", "quotes", "noise"],
)
def test_the_words_an_entry_is_read_as(written: str, words: list[str]) -> None:
    assert clean_words(written) == words
