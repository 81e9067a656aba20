"""Recognising medications: generic or brand names in any case, with strengths and dose forms
("Zocor 40 mg", "Lasix 40mg"), common misspellings, RxNorm ingredient and product codes, ATC codes
(a code below a known class counts as that class)."""

from __future__ import annotations

import difflib

from crampcare.core.intake import CodedItem
from crampcare.core.recognition.common import Hit, Match, clean_words, describe_code, recognise
from crampcare.kb.index import ATC
from crampcare.kb.loader import KnowledgeBase

FUZZY_CUTOFF = 0.84
FUZZY_MIN_LENGTH = 5


def medication_from_text(kb: KnowledgeBase, text: str) -> tuple[str, str] | None:
    """(medication id, how it matched) for a free-text medication, or None."""
    names = kb.index.medication_names
    words = clean_words(text)
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
        return med_id, describe_code(item)
    if item.system == ATC:
        code = item.code.upper()
        for prefix, prefix_id in kb.index.atc_prefixes:
            if code.startswith(prefix):
                return prefix_id, f"{describe_code(item)}, within ATC {prefix}"
    return None


def recognise_medications(
    kb: KnowledgeBase, items: tuple[str | CodedItem, ...]
) -> tuple[list[Match], list[str]]:
    """Recognised medications and the entries that matched nothing."""

    def listed(hit: Hit | None) -> list[Hit]:
        return [hit] if hit else []

    return recognise(
        items,
        lambda item: listed(medication_from_code(kb, item)),
        lambda text: listed(medication_from_text(kb, text)),
    )
