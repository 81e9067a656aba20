"""Recognising conditions: free text (with negation), SNOMED CT, ICD-10-CM (including code
families) and ICD-11 codes. An item may match several conditions."""

from __future__ import annotations

from crampcare.core.intake import CodedItem
from crampcare.core.recognition.common import WORD, Match, describe_code, recognise
from crampcare.kb.index import fold
from crampcare.kb.loader import KnowledgeBase

NEGATIONS = ("no", "not", "denies", "denied", "without", "negative", "non", "never", "excluded")
NEGATION_WINDOW = 3  # words before a phrase that can negate it ("no known liver disease")


def _negated(words: list[str], start: int) -> bool:
    return any(w in NEGATIONS for w in words[max(0, start - NEGATION_WINDOW) : start])


def _condition_from_text(kb: KnowledgeBase, text: str) -> list[tuple[str, str]]:
    words = WORD.findall(fold(text))
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
        return [(cond_id, describe_code(item))]
    for system, prefix, family_id in kb.index.condition_code_families:
        if system == item.system and item.code.startswith(prefix):
            return [(family_id, f"{describe_code(item)}, within {prefix}-")]
    return []


def recognise_conditions(
    kb: KnowledgeBase, items: tuple[str | CodedItem, ...]
) -> tuple[list[Match], list[str]]:
    """Recognised conditions (an item may match several) and the entries that matched nothing."""
    return recognise(
        items,
        lambda item: _condition_from_code(kb, item),
        lambda text: _condition_from_text(kb, text),
    )
