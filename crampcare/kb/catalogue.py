"""Look up catalogue points by the codes people write, and check the catalogue against points.yaml.

``normalise_point_code`` turns 'li-4', 'LV3', 'SJ5', 'Du 20', 'REN12', 'ex-hn3' into the
catalogue key ('LI4', 'LR3', 'TE5', 'GV20', 'CV12', 'EXHN3'); ``catalogue_point`` finds the entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from crampcare.kb.schema import CataloguePoint, Point

if TYPE_CHECKING:
    from crampcare.kb.loader import KnowledgeBase

# Older or national meridian abbreviations -> WHO 2008 codes. Only unambiguous ones: "H", "B",
# "L" are left out ("L" is Lung in some books and Liver in others).
ALIASES: dict[str, str] = {
    "LV": "LR",
    "LIV": "LR",
    "UB": "BL",
    "SJ": "TE",
    "TB": "TE",
    "TH": "TE",
    "TW": "TE",
    "DU": "GV",
    "GOV": "GV",
    "REN": "CV",
    "RN": "CV",
    "CON": "CV",
    "HE": "HT",
    "K": "KI",
    "KID": "KI",
    "P": "PC",
}
_SHAPE = re.compile(r"^([A-Z]+)(\d{1,2})$")


def normalise_point_code(text: str) -> str:
    """Upper case, without hyphens, dots or spaces, with legacy meridian names mapped to WHO 2008
    ('SJ5' -> 'TE5', 'LV3' -> 'LR3', 'DU20' -> 'GV20', 'REN12' -> 'CV12', 'EX-HN3' -> 'EXHN3').
    Leading zeros go ('LI04' -> 'LI4'). Text that is not code-shaped comes back compacted only."""
    compact = re.sub(r"[\s.\-_]", "", text).upper()
    match = _SHAPE.match(compact)
    if not match:
        return compact
    prefix, number = match.groups()
    return f"{ALIASES.get(prefix, prefix)}{int(number)}"


def catalogue_point(kb: KnowledgeBase, text: str) -> CataloguePoint | None:
    """The catalogue entry a written code names, tolerant of case, hyphens and legacy names."""
    return kb.catalogue.get(normalise_point_code(text))


def catalogue_problems(
    points: Mapping[str, Point],
    catalogue: Mapping[str, CataloguePoint],
    origins: Mapping[tuple[str, str], str],
) -> list[str]:
    """Every prescribable point but ASHI is in the catalogue under the same names."""
    problems: list[str] = []
    for code, point in points.items():
        if code == "ASHI":
            continue
        where = f"{origins.get(('points.yaml', code), 'points.yaml')}, entry '{code}'"
        entry = catalogue.get(code)
        if entry is None:
            problems.append(f"{where}, field 'code': not in the catalogue")
            continue
        pairs = (
            ("pinyin", point.pinyin, entry.pinyin),
            ("chinese_traditional", point.chinese_traditional, entry.hanzi),
            ("chinese_simplified", point.chinese_simplified, entry.hanzi_simplified),
            ("meridian", point.meridian, entry.meridian),
        )
        for field, ours, theirs in pairs:
            if ours != theirs:
                problems.append(
                    f"{where}, field '{field}': {ours!r} differs from the catalogue's {theirs!r}"
                )
    return problems
