"""The point catalogue: every WHO standard point and the common extra points, by name only.

A catalogue entry says what a point is called (code, pinyin with tone marks, Chinese characters,
English name, meridian); it carries no location, depth, caution or indication. Those live in
``points.yaml`` for the points crampcare prescribes. The catalogue lets a session record any point.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import model_validator

from crampcare.kb.schema.base import Cited, Verification

# WHO 2008 meridian codes, their English names (as WHO 2008 heads its chapters) and point counts.
MERIDIANS: dict[str, tuple[str, int]] = {
    "LU": ("Lung", 11),
    "LI": ("Large Intestine", 20),
    "ST": ("Stomach", 45),
    "SP": ("Spleen", 21),
    "HT": ("Heart", 9),
    "SI": ("Small Intestine", 19),
    "BL": ("Bladder", 67),
    "KI": ("Kidney", 27),
    "PC": ("Pericardium", 9),
    "TE": ("Triple Energizer", 23),
    "GB": ("Gallbladder", 44),
    "LR": ("Liver", 14),
    "GV": ("Governor Vessel", 28),
    "CV": ("Conception Vessel", 24),
}
# WHO 1991 extra-point groups (display prefix without the hyphen) and their sizes.
EXTRA_GROUPS: dict[str, tuple[str, int]] = {
    "EXHN": ("Extra points: head and neck", 15),
    "EXCA": ("Extra points: chest and abdomen", 1),
    "EXB": ("Extra points: back", 9),
    "EXUE": ("Extra points: upper extremities", 11),
    "EXLE": ("Extra points: lower extremities", 12),
}
CATALOGUE_CODE = re.compile(
    r"^(?P<group>LU|LI|ST|SP|HT|SI|BL|KI|PC|TE|GB|LR|GV|CV|EXHN|EXCA|EXB|EXUE|EXLE)"
    r"(?P<number>[1-9][0-9]?)$"
)
_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_TONE_MARKS = {"\u0304", "\u0301", "\u030c", "\u0300"}  # macron, acute, caron, grave


def group_of(code: str) -> str | None:
    """'LI4' -> 'LI', 'EXHN3' -> 'EXHN'; None for a code that is not a catalogue code (LI21 is
    none: the Large Intestine meridian has 20 points)."""
    match = CATALOGUE_CODE.match(code)
    if not match:
        return None
    group = match["group"]
    return (
        group if int(match["number"]) <= (MERIDIANS.get(group) or EXTRA_GROUPS[group])[1] else None
    )


def display_code(code: str) -> str:
    """The code as WHO prints it: 'LI4' stays, 'EXHN3' becomes 'EX-HN3'."""
    return f"EX-{code[2:]}" if code.startswith("EX") else code


def meridian_name(group: str) -> str:
    return (MERIDIANS.get(group) or EXTRA_GROUPS[group])[0]


def has_tone_mark(text: str) -> bool:
    return any(ch in _TONE_MARKS for ch in unicodedata.normalize("NFD", text))


class CataloguePoint(Cited):
    """One point of the catalogue. ``display_code`` and ``meridian`` follow from ``code`` and may
    be left out of the data file; when given they must agree with it."""

    code: str  # the key: WHO code without hyphen, e.g. LI4, GV20, EXHN3
    display_code: str  # as printed, e.g. LI4, EX-HN3
    pinyin: str  # with tone marks
    hanzi: str  # traditional characters, as WHO 2008 prints them first
    hanzi_simplified: str
    english: str
    # English names differ between translators; this grades the one given here
    english_verification: Verification = Verification.unverified
    meridian: str  # e.g. "Large Intestine", "Extra points: head and neck"
    note: str | None = None  # where sources disagree

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        code = data.get("code")
        if not isinstance(code, str) or group_of(code) is None:
            raise ValueError(
                f"malformed catalogue code {code!r} (WHO code without hyphen, e.g. LI4, EXHN3)"
            )
        return {
            "display_code": display_code(code),
            "meridian": meridian_name(group_of(code) or ""),
            **data,
        }

    @model_validator(mode="after")
    def _consistent(self) -> CataloguePoint:
        group = group_of(self.code) or ""
        if self.display_code != display_code(self.code):
            raise ValueError(f"display_code must be {display_code(self.code)!r}")
        if self.meridian != meridian_name(group):
            raise ValueError(f"meridian must be {meridian_name(group)!r} for {self.code}")
        if not has_tone_mark(self.pinyin):
            raise ValueError(f"pinyin {self.pinyin!r} has no tone marks")
        for name in ("hanzi", "hanzi_simplified"):
            if not _CJK.match(getattr(self, name)):
                raise ValueError(f"{name} must be Chinese characters only")
        if not self.english.strip():
            raise ValueError("english is empty")
        return self
