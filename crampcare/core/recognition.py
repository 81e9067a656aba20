"""Recognising medications and conditions as they arrive in real records.

Medications: generic or brand names in any case, with strengths and dose forms ("Zocor 40 mg",
"Simvistatin 10 MG", "Lasix 40mg"), common misspellings, RxNorm ingredient and product codes,
ATC codes (a code below a known class counts as that class). Conditions: free text, SNOMED CT,
ICD-10-CM (including code families) and ICD-11 codes. Every match says what it matched.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from crampcare.core.intake import CodedItem
from crampcare.kb.index import ATC, fold
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import SYSTEM_NAMES

_STRENGTH = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|ml|iu|units?|%|meq|mmol)?(?:\s*/\s*\w+)?\b"
)
_NOISE = {
    "tablet",
    "tablets",
    "tab",
    "tabs",
    "oral",
    "capsule",
    "capsules",
    "cap",
    "caps",
    "inhaler",
    "inhalation",
    "injection",
    "injectable",
    "solution",
    "suspension",
    "er",
    "sr",
    "xl",
    "xr",
    "cr",
    "la",
    "extended",
    "release",
    "delayed",
    "daily",
    "once",
    "twice",
    "per",
    "day",
    "hr",
    "hour",
    "prefilled",
    "syringe",
    "pen",
    "patch",
    "dose",
    "doses",
    "metered",
    "powder",
    "spray",
    "actuat",
    "mg",
    "mcg",
    "ml",
    "the",
    "and",
    "of",
    "with",
}
_WORD = re.compile(r"[a-z][a-z'\-]*")
FUZZY_CUTOFF = 0.84
FUZZY_MIN_LENGTH = 5


@dataclass(frozen=True)
class Match:
    id: str  # medication or condition id
    matched: str  # what in the record matched, in words
    item: int  # index in the history list


def _describe_code(item: CodedItem) -> str:
    label = f"{SYSTEM_NAMES.get(item.system, item.system)} {item.code}"
    return f"{label} ({item.display})" if item.display else label


def _clean_words(text: str) -> list[str]:
    bare = _STRENGTH.sub(" ", fold(text))
    return [w for w in _WORD.findall(bare) if w not in _NOISE]


def medication_from_text(kb: KnowledgeBase, text: str) -> tuple[str, str] | None:
    """(medication id, how it matched) for a free-text medication, or None."""
    names = kb.index.medication_names
    words = _clean_words(text)
    for size in range(min(4, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            med_id = names.get(phrase)
            if med_id is not None:
                return med_id, f"{text!r} (name {phrase!r})"
    for word in words:
        if len(word) < FUZZY_MIN_LENGTH:
            continue
        close = difflib.get_close_matches(word, names.keys(), n=1, cutoff=FUZZY_CUTOFF)
        if close:
            return names[close[0]], f"{text!r} (read as {close[0]!r})"
    return None


def medication_from_code(kb: KnowledgeBase, item: CodedItem) -> tuple[str, str] | None:
    med_id = kb.index.medication_codes.get((item.system, item.code))
    if med_id is not None:
        return med_id, _describe_code(item)
    if item.system == ATC:
        code = item.code.upper()
        for prefix, prefix_id in kb.index.atc_prefixes:
            if code.startswith(prefix):
                return prefix_id, f"{_describe_code(item)}, within ATC {prefix}"
    return None


Hit = tuple[str, str]  # (id, how it matched)


def _recognise(
    items: tuple[str | CodedItem, ...],
    by_code: Callable[[CodedItem], list[Hit]],
    by_text: Callable[[str], list[Hit]],
) -> tuple[list[Match], list[str]]:
    """Matches for every item, and the items (described) that matched nothing."""
    found: list[Match] = []
    unknown: list[str] = []
    for i, item in enumerate(items):
        hits = by_code(item) if isinstance(item, CodedItem) else by_text(item)
        if not hits:
            unknown.append(_describe_code(item) if isinstance(item, CodedItem) else item)
        found.extend(Match(ident, matched, i) for ident, matched in hits)
    return found, unknown


def recognise_medications(
    kb: KnowledgeBase, items: tuple[str | CodedItem, ...]
) -> tuple[list[Match], list[str]]:
    """Recognised medications and the entries that matched nothing."""

    def listed(hit: Hit | None) -> list[Hit]:
        return [hit] if hit else []

    return _recognise(
        items,
        lambda item: listed(medication_from_code(kb, item)),
        lambda text: listed(medication_from_text(kb, text)),
    )


NEGATIONS = ("no", "not", "denies", "denied", "without", "negative", "non", "never", "excluded")
NEGATION_WINDOW = 3  # words before a phrase that can negate it ("no known liver disease")


def _negated(words: list[str], start: int) -> bool:
    return any(w in NEGATIONS for w in words[max(0, start - NEGATION_WINDOW) : start])


def _condition_from_text(kb: KnowledgeBase, text: str) -> list[tuple[str, str]]:
    words = _WORD.findall(fold(text))
    hits: list[tuple[str, str]] = []
    for phrase, cond_id in kb.index.condition_phrases:
        if cond_id in {h[0] for h in hits}:
            continue
        size = phrase.count(" ") + 1
        for start in range(len(words) - size + 1):
            if " ".join(words[start : start + size]) == phrase and not _negated(words, start):
                hits.append((cond_id, f"{text!r} (phrase {phrase!r})"))
                break
    return hits


def _condition_from_code(kb: KnowledgeBase, item: CodedItem) -> list[tuple[str, str]]:
    cond_id = kb.index.condition_codes.get((item.system, item.code))
    if cond_id is not None:
        return [(cond_id, _describe_code(item))]
    for system, prefix, family_id in kb.index.condition_code_families:
        if system == item.system and item.code.startswith(prefix):
            return [(family_id, f"{_describe_code(item)}, within {prefix}-")]
    return []


def recognise_conditions(
    kb: KnowledgeBase, items: tuple[str | CodedItem, ...]
) -> tuple[list[Match], list[str]]:
    """Recognised conditions (an item may match several) and the entries that matched nothing."""
    return _recognise(
        items,
        lambda item: _condition_from_code(kb, item),
        lambda text: _condition_from_text(kb, text),
    )
