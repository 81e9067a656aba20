"""Look-up tables built once from the knowledge base: names, brands, misspellings and codes of
medications and conditions, so that recognising a record's entries costs dictionary look-ups."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from crampcare.kb.condition_codes import ConditionCodes, build_condition_codes
from crampcare.kb.schema import Condition, Medication

ATC = "http://www.whocc.no/atc"


def fold(text: str) -> str:
    """Lower case, no accents or tone marks, single spaces: 'Yánglíngquán' -> 'yanglingquan'."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


@dataclass(frozen=True)
class Index:
    medication_names: Mapping[str, str]  # folded name, brand or synonym -> medication id
    medication_codes: Mapping[tuple[str, str], str]  # (system, code) -> medication id
    atc_prefixes: tuple[tuple[str, str], ...]  # (ATC code, medication id), longest first
    conditions: ConditionCodes  # codes, families, ranges and value sets of conditions
    condition_phrases: tuple[tuple[str, str], ...]  # (folded phrase, condition id), longest first
    medication_classes: Mapping[str, frozenset[str]]  # medication id -> itself and its classes
    medication_effects: Mapping[str, frozenset[str]]  # medication id -> effects with classes'
    # one-word names the misspelling matcher may read a word as: (folded name, medication id),
    # and every other one-word drug name a word must not be close to (id None: not in the kb)
    medication_words: tuple[tuple[str, str | None], ...] = ()
    # every string reached by deleting up to MAX_EDITS letters from a medication word -> the
    # positions of those words in medication_words: a misspelling's candidates in a few look-ups
    medication_word_variants: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


MAX_EDITS = 2  # the most edits the misspelling matcher ever allows (core.recognition.spelling)


def deletions(word: str, depth: int) -> set[str]:
    """The word and every string made by deleting up to ``depth`` of its letters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))} - found
        found |= frontier
    return found


def _word_variants(words: tuple[tuple[str, str | None], ...]) -> dict[str, tuple[int, ...]]:
    variants: dict[str, list[int]] = {}
    for position, (word, _med) in enumerate(words):
        for variant in deletions(word, MAX_EDITS):
            variants.setdefault(variant, []).append(position)
    return {v: tuple(p) for v, p in variants.items()}


def _medication_names(med: Medication) -> Iterable[str]:
    yield med.name
    yield med.id.replace("_", " ")
    yield from med.brands
    yield from med.synonyms


def _class_closure(medications: Mapping[str, Medication], med_id: str) -> frozenset[str]:
    """The medication and every class above it, following member_of through wider classes."""
    seen = {med_id}
    todo = [med_id]
    while todo:
        for parent in medications[todo.pop()].member_of:
            if parent not in seen and parent in medications:
                seen.add(parent)
                todo.append(parent)
    return frozenset(seen)


def _medication_words(
    medications: Mapping[str, Medication], names: Mapping[str, str]
) -> tuple[tuple[str, str | None], ...]:
    words: dict[str, str | None] = {n: i for n, i in names.items() if " " not in n}
    for med in medications.values():
        for other in med.lookalikes:
            words.setdefault(fold(other), None)
    return tuple(sorted(words.items(), key=lambda row: row[0]))


def build_index(
    medications: Mapping[str, Medication], conditions: Mapping[str, Condition]
) -> Index:
    names: dict[str, str] = {}
    codes: dict[tuple[str, str], str] = {}
    atc: list[tuple[str, str]] = []
    for med in medications.values():
        for name in _medication_names(med):
            names.setdefault(fold(name), med.id)
        for code in med.codes:
            codes[(code.system, code.code)] = med.id
            if code.system == ATC:
                atc.append((code.code, med.id))
    classes = {med.id: _class_closure(medications, med.id) for med in medications.values()}
    effects = {
        med_id: frozenset(e for c in ids for e in medications[c].effects)
        for med_id, ids in classes.items()
    }
    words = _medication_words(medications, names)
    phrases: list[tuple[str, str]] = []
    for cond in conditions.values():
        phrases.extend((fold(p), cond.id) for p in (*cond.match_text, cond.name))
    return Index(
        medication_names=names,
        medication_codes=codes,
        atc_prefixes=tuple(sorted(atc, key=lambda row: (-len(row[0]), row))),
        conditions=build_condition_codes(conditions),
        condition_phrases=tuple(sorted(set(phrases), key=lambda r: (-len(r[0]), r))),
        medication_classes=classes,
        medication_effects=effects,
        medication_words=words,
        medication_word_variants=_word_variants(words),
    )
