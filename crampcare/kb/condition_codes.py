"""Condition codes by hierarchy, built once from the knowledge base.

- ICD-10-CM: a code counts for a listed code and everything below it (``E11-`` or ``E11``: E11.65
  too; the ``-`` only says the kb means the whole family) or a range of categories
  (``O10``-``O48``). Codes are compared without their dot and in upper case, so ``E1165`` is
  E11.65; ``E1`` is not below ``E11``.
- ICD-11: the same for stem codes (``MB47.3`` takes ``MB47.30``), and ranges of stems (equal ends:
  that stem and everything below it). A postcoordinated cluster (``JB63.0/1B12.1&XS25``) is
  read stem by stem; extension codes (after ``&``) never decide the condition.
- SNOMED CT: a listed concept, or a value-set member the kb files under one of them.
Every match names the level it matched at, so a clinician can see why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from crampcare.kb.schema import Condition
from crampcare.kb.schema.conditions import ICD10CM, ICD11, SNOMED

_ICD_SYSTEMS = (ICD10CM, ICD11)
_CATEGORY_LENGTH = {ICD10CM: 3, ICD11: 4}
_CLUSTER = re.compile(r"[/&]")


def normalise(system: str, code: str) -> str:
    """Upper case without spaces; ICD codes also without the dot."""
    bare = "".join(code.split()).upper()
    return bare.replace(".", "") if system in _ICD_SYSTEMS else bare


def stems(system: str, code: str) -> list[str]:
    """The codes of an item to look up: ICD-11 clusters give each stem, extensions dropped."""
    if system != ICD11:
        return [code]
    parts = [p for p in _CLUSTER.split(code) if p.strip()]
    kept = [p for p in parts if not p.strip().upper().startswith("X")]
    return kept or [code]


@dataclass(frozen=True)
class CodeHit:
    condition: str
    how: str  # "code", "family E11", "range O10-O48", "value set: under 73211009 (Diabetes)"


@dataclass(frozen=True)
class ConditionCodes:
    exact: Mapping[tuple[str, str], tuple[CodeHit, ...]]  # (system, normalised code) -> hits
    families: tuple[tuple[str, str, CodeHit], ...]  # (system, normalised prefix, hit)
    ranges: tuple[tuple[str, str, str, CodeHit], ...]  # (system, first, last, hit)

    def lookup(self, system: str, code: str) -> list[CodeHit]:
        """Every condition the code belongs to, once each, most specific level first."""
        found: dict[str, CodeHit] = {}
        for stem in stems(system, code):
            bare = normalise(system, stem)
            if not bare:
                continue
            for hit in self.exact.get((system, bare), ()):
                found.setdefault(hit.condition, hit)
            for fam_system, prefix, hit in self.families:
                # longest prefix first: the most specific listed code names the match
                if fam_system == system and bare.startswith(prefix):
                    found.setdefault(
                        hit.condition, CodeHit(hit.condition, "code") if bare == prefix else hit
                    )
            size = _CATEGORY_LENGTH.get(system)
            if size is None or len(bare) < size:
                continue
            category = bare[:size]
            for r_system, first, last, hit in self.ranges:
                if r_system == system and first <= category <= last:
                    found.setdefault(hit.condition, hit)
        return list(found.values())


def build_condition_codes(conditions: Mapping[str, Condition]) -> ConditionCodes:
    exact: dict[tuple[str, str], list[CodeHit]] = {}
    families: list[tuple[str, str, CodeHit]] = []
    ranges: list[tuple[str, str, str, CodeHit]] = []
    for cond in conditions.values():
        if not cond.recognised_by_code:
            continue
        for code in cond.codes:
            if code.system in _ICD_SYSTEMS:
                prefix = normalise(code.system, code.code.rstrip("-"))
                name = code.code.rstrip("-")
                how = f"within {name} ({code.display})" if code.display else f"within {name}"
                families.append((code.system, prefix, CodeHit(cond.id, how)))
            else:
                key = (code.system, normalise(code.system, code.code))
                exact.setdefault(key, []).append(CodeHit(cond.id, "code"))
        for rng in cond.code_ranges:
            how = f"within {rng.first}-{rng.last} ({rng.display})"
            if rng.first == rng.last:
                how = f"within {rng.first} ({rng.display})"
            ranges.append((rng.system, rng.first, rng.last, CodeHit(cond.id, how)))
        displays = {c.code: c.display for c in cond.codes if c.system == SNOMED}
        for member in cond.value_set:
            under = f"{member.under} ({displays.get(member.under) or ''})".replace(" ()", "")
            hit = CodeHit(cond.id, f"{member.display}, a kind of {under}")
            exact.setdefault((SNOMED, member.code), []).append(hit)
    return ConditionCodes(
        exact={k: tuple(v) for k, v in exact.items()},
        families=tuple(sorted(families, key=lambda r: (-len(r[1]), r[0], r[1], r[2].condition))),
        ranges=tuple(ranges),
    )
