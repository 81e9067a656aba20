"""Finding knowledge-base entries by the names people use: codes in any spelling, pinyin with or
without tone marks, brand names, ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crampcare.kb import catalogue
from crampcare.kb.index import fold
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import CataloguePoint, Condition, Medication, Pattern, Point, RedFlag

LEGACY_MERIDIANS = {
    "LIV": "LR",
    "LV": "LR",
    "UB": "BL",
    "SJ": "TE",
    "TH": "TE",
    "TW": "TE",
    "DU": "GV",
    "REN": "CV",
    "HE": "HT",
    "K": "KI",
    "P": "PC",
    "SJ.": "TE",
}
_CODE = re.compile(r"^([A-Z]+)\s*[-. ]?\s*(\d{1,2})$")

Kind = str  # "point" | "catalogue_point" | "condition" | "pattern" | "medication" | "red_flag"
AnyEntry = Point | CataloguePoint | Condition | Pattern | Medication | RedFlag


@dataclass(frozen=True)
class Hit:
    kind: Kind
    id: str
    name: str
    matched: str  # which name or code matched
    entry: AnyEntry


def normalise_point_code(text: str) -> str | None:
    """'GB-34', 'gb34', 'Liv 3', 'UB40', 'L.I.4' -> WHO code, or None if it is not code-shaped."""
    compact = text.strip().upper().replace("L.I.", "LI")
    if compact == "ASHI" or fold(compact) == "ashi":
        return "ASHI"
    match = _CODE.match(compact)
    if not match:
        return None
    meridian, number = match.groups()
    meridian = LEGACY_MERIDIANS.get(meridian, meridian)
    return f"{meridian}{int(number)}"


def _entries(kb: KnowledgeBase) -> list[tuple[Kind, str, str, AnyEntry]]:
    rows: list[tuple[Kind, str, str, AnyEntry]] = []
    rows += [("point", p.code, p.english, p) for p in kb.points.values()]
    rows += [
        ("catalogue_point", c.code, c.english, c)
        for c in kb.catalogue.values()
        if c.code not in kb.points
    ]
    rows += [("condition", c.id, c.name, c) for c in kb.conditions.values()]
    rows += [("pattern", p.id, p.name, p) for p in kb.patterns.values()]
    rows += [("medication", m.id, m.name, m) for m in kb.medications.values()]
    rows += [("red_flag", r.id, r.name, r) for r in kb.red_flags.values()]
    return rows


def _names(entry: AnyEntry) -> list[str]:
    if isinstance(entry, Point):
        return [
            entry.code,
            entry.pinyin,
            entry.english,
            entry.chinese_simplified,
            entry.chinese_traditional,
        ]
    if isinstance(entry, CataloguePoint):
        return [
            entry.code,
            entry.display_code,
            entry.pinyin,
            entry.english,
            entry.hanzi,
            entry.hanzi_simplified,
        ]
    names = [entry.id.replace("_", " "), entry.name]
    codes = getattr(entry, "codes", ())
    names += [c.code for c in codes]
    if isinstance(entry, Medication):
        names += [*entry.brands, *entry.synonyms]
    if isinstance(entry, Condition):
        names += list(entry.match_text)
    return names


def resolve(kb: KnowledgeBase, ident: str) -> Hit | None:
    """The one entry that ``ident`` names exactly (code, id, name, pinyin or brand), or None."""
    code = normalise_point_code(ident)
    if code and code in kb.points:
        point = kb.points[code]
        return Hit("point", code, point.english, ident, point)
    listed = catalogue.catalogue_point(kb, ident)
    if listed is not None and listed.code not in kb.points:
        return Hit("catalogue_point", listed.code, listed.english, ident, listed)
    wanted = fold(ident).replace("_", " ").replace("-", " ")
    for kind, key, name, entry in _entries(kb):
        for candidate in _names(entry):
            if fold(candidate).replace("-", " ") == wanted:
                return Hit(kind, key, name, candidate, entry)
    return None


def search(kb: KnowledgeBase, text: str) -> list[Hit]:
    """Every entry with a name, code, pinyin or brand that contains ``text`` (exact hits first)."""
    wanted = fold(text)
    if not wanted:
        return []
    exact = resolve(kb, text)
    hits: list[Hit] = [exact] if exact else []
    seen = {(exact.kind, exact.id)} if exact else set()
    for kind, key, name, entry in _entries(kb):
        if (kind, key) in seen:
            continue
        for candidate in _names(entry):
            if wanted in fold(candidate):
                hits.append(Hit(kind, key, name, candidate, entry))
                seen.add((kind, key))
                break
    return hits
