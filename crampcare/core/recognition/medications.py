"""Recognising medications: generic or brand names in any case, with strengths and dose forms
("Zocor 40 mg", "Lasix 40mg"), listed misspellings and close misspellings of exactly one known
drug (see spelling.py), RxNorm ingredient and product codes, and ATC codes by level: a code at
or below a known entry counts as that entry, a code above a class does not count as the class.
A coded item whose code is unknown is read from its display text, and the match says so. An item
naming several known drugs (a combination product) matches each of them."""

from __future__ import annotations

from crampcare.core.intake import CodedItem
from crampcare.core.recognition.common import Hit, Match, clean_words, describe_code, recognise
from crampcare.core.recognition.spelling import read_misspelling
from crampcare.kb.index import ATC
from crampcare.kb.loader import KnowledgeBase

LONGEST_NAME_WORDS = 4


def _parts(word: str) -> list[str]:
    """A hyphenated word and, when it has several, each of its parts."""
    parts = [p for p in word.split("-") if p]
    return [word] if len(parts) < 2 else [word, *parts]


def medication_from_text(kb: KnowledgeBase, text: str) -> list[Hit]:
    """Every known medication a free-text entry names, each with how it matched."""
    names = kb.index.medication_names
    words = clean_words(text)
    used = [False] * len(words)
    hits: list[Hit] = []
    for size in range(min(LONGEST_NAME_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start : start + size]):
                continue
            phrase = " ".join(words[start : start + size])
            med_id = names.get(phrase)
            if med_id is not None:
                used[start : start + size] = [True] * size
                hits.append((med_id, f"{text!r} (name {phrase!r})"))
    for i, whole in enumerate(words):
        if used[i]:
            continue
        for word in _parts(whole):  # "triamterene-hydrochlorothiazide": each part on its own
            med_id = names.get(word)
            if med_id is not None:
                hits.append((med_id, f"{text!r} (name {word!r})"))
                continue
            read = read_misspelling(
                word, kb.index.medication_words, kb.index.medication_word_variants
            )
            if read is not None:
                name, med_id = read
                hits.append((med_id, f"{text!r} (read {word!r} as {name!r}: please check)"))
    first: dict[str, Hit] = {}
    for hit in hits:
        first.setdefault(hit[0], hit)
    return list(first.values())


def _atc_entry(kb: KnowledgeBase, code: str) -> tuple[str, str] | None:
    """(ATC code of the kb entry, medication id) at or above this code, most specific first."""
    for prefix, prefix_id in kb.index.atc_prefixes:
        if code.startswith(prefix):
            return prefix, prefix_id
    return None


def medication_from_code(kb: KnowledgeBase, item: CodedItem) -> list[Hit]:
    """The medication a coded item names: by its code, else by its display text."""
    med_id = kb.index.medication_codes.get((item.system, item.code))
    if med_id is not None:
        return [(med_id, describe_code(item))]
    if item.system == ATC:
        entry = _atc_entry(kb, item.code.strip().upper())
        if entry is not None:
            return [(entry[1], f"{describe_code(item)}, within ATC {entry[0]}")]
    if item.display:
        return [
            (ident, f"{describe_code(item)}: code not known, read from its display text {how}")
            for ident, how in medication_from_text(kb, item.display)
        ]
    return []


def recognise_medications(
    kb: KnowledgeBase, items: tuple[str | CodedItem, ...]
) -> tuple[list[Match], list[str]]:
    """Recognised medications and the entries that matched nothing."""
    return recognise(
        items,
        lambda item: medication_from_code(kb, item),
        lambda text: medication_from_text(kb, text),
    )
