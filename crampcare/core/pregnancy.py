"""Whether the patient is pregnant, from which sources, and how far along.

Pregnancy counts from the intake's ``pregnant`` flag, or from a current condition recognised as a
pregnancy: a code (SNOMED CT, ICD-10-CM, ICD-11: see the kb's ``pregnancy`` entry) or free text
(negated or past mentions are not recognised: see recognition/conditions.py).

Weeks come from ``pregnancy_weeks``, else from an ICD-10-CM Z3A code (weeks of gestation), else
from free text ("12 weeks pregnant", "28/40"). A code carries no date here, so its weeks are a
lower bound: before the third trimester every trimester's cautions apply. The flag wins over
codes and codes over text; a disagreement is said in the reason. Two codes (or two phrases)
that disagree leave the weeks unknown, so every trimester's cautions apply.

Trimesters follow the ICD-10-CM chapter 15 definition (counted from the first day of the last
menstrual period): first, less than 14 weeks 0 days; second, 14 weeks 0 days to less than 28
weeks 0 days; third, 28 weeks 0 days until delivery (icd10cm_tabular_ch15 in
sources.conditions.yaml). Completed weeks 1-13 are the first trimester, 14-27 the second, 28 on
the third.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crampcare.core.intake import CodedItem, IntakeDocument
from crampcare.core.recognition import Match
from crampcare.core.recognition.conditions import clauses
from crampcare.kb.loader import KnowledgeBase

# last completed week of the first and second trimesters (ICD-10-CM chapter 15 definition)
FIRST_TRIMESTER_LAST_WEEK = 13
SECOND_TRIMESTER_LAST_WEEK = 27
# the intake's own bounds on pregnancy_weeks
SHORTEST_WEEKS, LONGEST_WEEKS = 1, 44

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
# Z3A.08 to Z3A.42 are "N weeks gestation of pregnancy"; Z3A.00 (not specified), Z3A.01 (less
# than 8 weeks) and Z3A.49 (more than 42 weeks) give no exact week and leave the weeks unknown
_Z3A = re.compile(r"^Z3A\.?(\d{2})$")
Z3A_FIRST_EXACT, Z3A_LAST_EXACT = 8, 42
_ABOUT_PREGNANCY = re.compile(r"pregnan|gestation|gravid|natal|/\s*40\b")
_WEEKS_ONLY = re.compile(
    r"^(?:at\s+)?\d{1,2}(?:\s*\+\s*\d)?\s*(?:/\s*40|weeks?|wks?|w)(?:\s+(?:gestation|pregnant))?$"
)
_TEXT_WEEKS = (
    re.compile(r"\b(\d{1,2})\s*/\s*40\b"),  # "28/40"
    re.compile(r"\b(\d{1,2})(?:\s*\+\s*\d)?\s*(?:weeks?|wks?|w)\b"),  # "12 weeks", "12+3 w"
)


@dataclass(frozen=True)
class Pregnancy:
    pregnant: bool
    reason: str | None  # what made the patient count as pregnant, in words
    weeks: int | None
    # the weeks come from a code, which carries no date here: the pregnancy may have moved on
    # since it was recorded, so the weeks are a lower bound
    weeks_at_least: bool = False

    @property
    def trimester(self) -> int | None:
        """1, 2 or 3; None when every trimester's cautions apply (weeks unknown, or a lower
        bound before the third trimester)."""
        if not self.pregnant or self.weeks is None:
            return None
        if self.weeks <= FIRST_TRIMESTER_LAST_WEEK:
            found = 1
        else:
            found = 2 if self.weeks <= SECOND_TRIMESTER_LAST_WEEK else 3
        return None if self.weeks_at_least and found < 3 else found


NOT_PREGNANT = Pregnancy(pregnant=False, reason=None, weeks=None)


def weeks_from_code(item: CodedItem) -> int | None:
    """Completed weeks from an ICD-10-CM Z3A code (Z3A.28 -> 28), else None."""
    if item.system != ICD10CM:
        return None
    found = _Z3A.match("".join(item.code.split()).upper())
    if not found:
        return None
    weeks = int(found.group(1))
    return weeks if Z3A_FIRST_EXACT <= weeks <= Z3A_LAST_EXACT else None


def weeks_from_text(text: str) -> int | None:
    """Weeks of pregnancy written in a clause about the pregnancy ("12 weeks pregnant",
    "pregnancy 28/40"), or in a clause of its own right after it ("pregnant, 30 weeks"); weeks
    in another clause ("pregnant, 2 weeks of nausea") do not count."""
    parts = clauses(text)
    for i, clause in enumerate(parts):
        if not _ABOUT_PREGNANCY.search(clause):
            continue
        candidates = [clause]
        if i + 1 < len(parts) and _WEEKS_ONLY.match(parts[i + 1]):
            candidates.append(parts[i + 1])
        for candidate in candidates:
            for pattern in _TEXT_WEEKS:
                found = pattern.search(candidate)
                if found and SHORTEST_WEEKS <= int(found.group(1)) <= LONGEST_WEEKS:
                    return int(found.group(1))
    return None


def _agreed(values: list[tuple[int, str]]) -> tuple[int | None, str | None]:
    """One weeks value if every source agrees; otherwise None and the disagreement in words."""
    weeks = {w for w, _ in values}
    if len(weeks) == 1:
        return weeks.pop(), None
    if not weeks:
        return None, None
    said = "; ".join(f"{src} says {w} weeks" for w, src in values)
    return None, f"{said}: they disagree, so the weeks are unknown"


def _record_weeks(
    code_weeks: list[tuple[int, str]], text_weeks: list[tuple[int, str]]
) -> tuple[int | None, list[str]]:
    """Weeks from the record: codes over text; a disagreement is said, never hidden."""
    weeks, note = _agreed(code_weeks) if code_weeks else _agreed(text_weeks)
    notes = [note] if note else []
    if code_weeks and weeks is not None:
        differ = [(w, src) for w, src in text_weeks if w != weeks]
        if differ:
            said = "; ".join(f"{src} says {w} weeks" for w, src in differ)
            notes.append(f"{said}: the coded {weeks} weeks are used")
    return weeks, notes


def pregnancy(doc: IntakeDocument, conditions: list[Match], kb: KnowledgeBase) -> Pregnancy:
    patient = doc.patient
    items = doc.history.conditions
    recorded = [m for m in conditions if kb.conditions[m.id].pregnancy]
    code_weeks: list[tuple[int, str]] = []
    text_weeks: list[tuple[int, str]] = []
    for match in recorded:
        item = items[match.item]
        w = weeks_from_code(item) if isinstance(item, CodedItem) else weeks_from_text(item)
        if w is not None:
            (code_weeks if isinstance(item, CodedItem) else text_weeks).append((w, match.matched))
    if not patient.pregnant and not recorded:
        return NOT_PREGNANT
    at_least = False
    if patient.pregnant and patient.pregnancy_weeks is not None:
        weeks: int | None = patient.pregnancy_weeks
        reason = f"pregnant ({weeks} weeks)"
        others = [(w, src) for w, src in code_weeks + text_weeks if w != weeks]
        said = "; ".join(f"{src} says {w} weeks" for w, src in others)
        notes = [f"{said}: the intake's {weeks} weeks are used"] if others else []
    else:
        weeks, notes = _record_weeks(code_weeks, text_weeks)
        at_least = weeks is not None and bool(code_weeks)
        if patient.pregnant:
            reason = "pregnant"
        else:
            reason = "pregnancy recorded: " + "; ".join(m.matched for m in recorded)
        if weeks is not None:
            reason += f" ({'at least ' if at_least else ''}{weeks} weeks)"
    preg = Pregnancy(pregnant=True, reason=None, weeks=weeks, weeks_at_least=at_least)
    if at_least and preg.trimester is None:
        notes.append(
            "a code gives the weeks when it was recorded, a date not known here: the pregnancy "
            "may be further along, so every trimester's cautions apply"
        )
    if patient.pregnant and recorded:
        reason += "; also recorded: " + "; ".join(m.matched for m in recorded)
    if notes:
        reason += " (" + "; ".join(notes) + ")"
    return Pregnancy(pregnant=True, reason=reason, weeks=weeks, weeks_at_least=at_least)
