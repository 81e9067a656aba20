"""Whether the patient is pregnant, from which source, and how far along.

Pregnancy counts from the intake's ``pregnant`` flag, or from a current condition recognised as a
pregnancy (a code or free text; negated or past mentions are not recognised as current). The
trimester decides which points are avoided and which positions are planned; with the weeks
unknown, every trimester's cautions apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from crampcare.core.intake import IntakeDocument
from crampcare.core.recognition import Match
from crampcare.kb.loader import KnowledgeBase

# Last completed week of the first and second trimesters (weeks 1-13, 14-27, 28 onwards).
FIRST_TRIMESTER_LAST_WEEK = 13
SECOND_TRIMESTER_LAST_WEEK = 27


@dataclass(frozen=True)
class Pregnancy:
    pregnant: bool
    reason: str | None  # what made the patient count as pregnant, in words
    weeks: int | None

    @property
    def trimester(self) -> int | None:
        if not self.pregnant or self.weeks is None:
            return None
        if self.weeks <= FIRST_TRIMESTER_LAST_WEEK:
            return 1
        return 2 if self.weeks <= SECOND_TRIMESTER_LAST_WEEK else 3


NOT_PREGNANT = Pregnancy(pregnant=False, reason=None, weeks=None)


def pregnancy(doc: IntakeDocument, conditions: list[Match], kb: KnowledgeBase) -> Pregnancy:
    patient = doc.patient
    if patient.pregnant:
        weeks = patient.pregnancy_weeks
        reason = f"pregnant ({weeks} weeks)" if weeks else "pregnant"
        return Pregnancy(pregnant=True, reason=reason, weeks=weeks)
    for match in conditions:
        if kb.conditions[match.id].pregnancy:
            return Pregnancy(
                pregnant=True, reason=f"pregnancy recorded: {match.matched}", weeks=None
            )
    return NOT_PREGNANT
