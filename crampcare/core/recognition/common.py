"""What medication and condition recognition share: the match record, word handling, the loop
that turns a history list into matches and the entries nothing matched."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from crampcare.core.intake import CodedItem
from crampcare.kb.index import fold
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
WORD = re.compile(r"[a-z][a-z'\-]*")


@dataclass(frozen=True)
class Match:
    id: str  # medication or condition id
    matched: str  # what in the record matched, in words
    item: int  # index in the history list


def describe_code(item: CodedItem) -> str:
    label = f"{SYSTEM_NAMES.get(item.system, item.system)} {item.code}"
    return f"{label} ({item.display})" if item.display else label


def clean_words(text: str) -> list[str]:
    bare = _STRENGTH.sub(" ", fold(text))
    # a hyphen left dangling by a stripped strength ("ASA-81" -> "asa-") is not part of the word
    words = (w.strip("-'") for w in WORD.findall(bare))
    return [w for w in words if w and w not in _NOISE]


Hit = tuple[str, str]  # (id, how it matched)


def recognise(
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
            unknown.append(describe_code(item) if isinstance(item, CodedItem) else item)
        found.extend(Match(ident, matched, i) for ident, matched in hits)
    return found, unknown
