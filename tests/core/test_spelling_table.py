"""The misspelling matcher's rules, as tables: how many edits a word may carry, the edit
distance it counts, where a class stem starts, and which known name a misspelling is read as.
Written against the mutants that survived the first mutation run of
``crampcare/core/recognition/spelling.py`` (see docs/mutation.md)."""

from __future__ import annotations

import pytest

from crampcare.core.recognition.spelling import (
    allowed_edits,
    edit_distance,
    read_misspelling,
    stems_clash,
)
from crampcare.kb.loader import KnowledgeBase

# word length -> edits a misspelling may carry (crampcare decision: from 5 letters one edit,
# from 9 letters two)
ALLOWED_EDITS = [(4, 0), (5, 1), (8, 1), (9, 2), (12, 2)]


@pytest.mark.parametrize(
    ("length", "edits"), ALLOWED_EDITS, ids=[f"{n} letters: {e}" for n, e in ALLOWED_EDITS]
)
def test_edits_allowed_by_length(length: int, edits: int) -> None:
    assert allowed_edits("x" * length) == edits


# (a, b, limit) -> distance; anything past the limit is reported as limit + 1
EDIT_DISTANCES: list[tuple[str, str, int, int, str]] = [
    ("", "", 1, 0, "two empty words"),
    ("", "ab", 2, 2, "an empty word: one insertion a letter"),
    ("zocor", "zocor", 1, 0, "the same word"),
    ("zocorr", "zocor", 1, 1, "one letter deleted"),
    ("zocor", "zocorr", 1, 1, "one letter inserted"),
    ("zocor", "ozcor", 1, 1, "the first two letters swapped"),
    ("lasix", "lasxi", 1, 1, "the last two letters swapped"),
    ("aaa", "a", 2, 2, "two deletions, no swap across the word's ends"),
    ("ab", "bca", 1, 2, "three edits, limit one: reported as two"),
    ("a", "b", 0, 1, "one substitution, limit zero: reported as one"),
    ("lasix", "zocor", 1, 2, "far apart: stops early, reported as limit + 1"),
    ("a", "", 0, 1, "lengths further apart than the limit: reported as limit + 1"),
    ("zocor", "simvastatin", 2, 3, "lengths far apart: reported as limit + 1"),
]


@pytest.mark.parametrize(
    ("a", "b", "limit", "distance", "why"), EDIT_DISTANCES, ids=[r[4] for r in EDIT_DISTANCES]
)
def test_edit_distance(a: str, b: str, limit: int, distance: int, why: str) -> None:
    assert edit_distance(a, b, limit) == distance, why


# (word, name) -> do they carry one class stem after different prefixes?
STEM_CLASHES: list[tuple[str, str, bool, str]] = [
    ("pitavastatin", "pravastatin", True, "two statins"),
    ("pravastatin", "pravastatin", False, "the same prefix"),
    ("heparin", "dalteparin", True, "a two-letter prefix counts (he-parin)"),
    ("dalteparin", "heparin", True, "the same, the other way"),
    ("parin", "heparin", False, "a stem at the start has no prefix"),
    ("rosuvastatinstatin", "rosuvastatin", True, "a doubled stem: the last one counts"),
]


@pytest.mark.parametrize(
    ("word", "name", "clash", "why"), STEM_CLASHES, ids=[r[3] for r in STEM_CLASHES]
)
def test_stems_clash(word: str, name: str, clash: bool, why: str) -> None:
    assert stems_clash(word, name) is clash, why


# misspelt word -> (the known name it is read as, medication id)
READINGS: list[tuple[str, tuple[str, str], str]] = [
    ("lasixx", ("lasix", "furosemide"), "a five-letter brand may be the reading"),
    ("zocorr", ("zocor", "simvastatin"), "the same for another five-letter brand"),
    ("gabapentinn", ("gabapentin", "gabapentin"), "the nearest name, not the first in order"),
    ("abapentin", ("gabapentin", "gabapentin"), "the same with a letter missing"),
]


@pytest.mark.parametrize(("word", "reading", "why"), READINGS, ids=[r[2] for r in READINGS])
def test_the_name_a_misspelling_is_read_as(
    kb: KnowledgeBase, word: str, reading: tuple[str, str], why: str
) -> None:
    names = kb.index.medication_words
    assert read_misspelling(word, names, kb.index.medication_word_variants) == reading, why
