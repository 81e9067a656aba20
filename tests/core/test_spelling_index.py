"""The misspelling matcher's look-up index finds exactly what a full scan of the names finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crampcare.core.recognition.spelling import allowed_edits, read_misspelling
from crampcare.kb.index import MAX_EDITS, deletions
from crampcare.kb.loader import KnowledgeBase
from crampcare.services import knowledge_base

KB: KnowledgeBase = knowledge_base()
WORDS = [w for w, _ in KB.index.medication_words]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def test_the_index_reaches_as_far_as_the_matcher_allows() -> None:
    assert max(allowed_edits("x" * n) for n in range(1, 40)) <= MAX_EDITS


def test_deletions_of_a_short_word() -> None:
    assert deletions("abc", 1) == {"abc", "bc", "ac", "ab"}
    assert deletions("abc", 2) == {"abc", "bc", "ac", "ab", "a", "b", "c"}


@st.composite
def near_words(draw: st.DrawFn) -> str:
    """A known drug word with up to two random edits (insert, delete, substitute, swap)."""
    word = draw(st.sampled_from(WORDS))
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, max(0, len(word) - 1)))
        op = draw(st.sampled_from(["insert", "delete", "substitute", "swap"]))
        c = draw(st.sampled_from(LETTERS))
        if op == "insert":
            word = word[:i] + c + word[i:]
        elif op == "delete" and len(word) > 1:
            word = word[:i] + word[i + 1 :]
        elif op == "substitute" and word:
            word = word[:i] + c + word[i + 1 :]
        elif op == "swap" and i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


@settings(max_examples=300, deadline=None)
@given(near_words())
def test_indexed_reading_equals_a_full_scan(word: str) -> None:
    names = KB.index.medication_words
    assert read_misspelling(word, names, KB.index.medication_word_variants) == read_misspelling(
        word, names
    )
