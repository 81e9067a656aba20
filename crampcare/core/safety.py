"""Cautions and contraindications: which hold for this patient, and what they change.

A caution is not only listed: its effects remove points, forbid electroacupuncture or bleeding
techniques, restrict positions, or stop needling altogether.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crampcare.core.citations import cite
from crampcare.core.contract import CautionOut
from crampcare.core.facts import Facts
from crampcare.core.rules import because
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Caution, Position


@dataclass
class Effects:
    """The union of the effects of every caution that holds, with the cautions behind each."""

    avoid_point_cautions: dict[str, list[Caution]] = field(default_factory=dict)
    no_electroacupuncture: list[Caution] = field(default_factory=list)
    lying_only: list[Caution] = field(default_factory=list)
    no_bleeding_technique: list[Caution] = field(default_factory=list)
    superficial_near_vessels: list[Caution] = field(default_factory=list)
    no_needling_at_site: list[Caution] = field(default_factory=list)
    needling_not_allowed: list[Caution] = field(default_factory=list)
    positions_allowed: list[Caution] = field(default_factory=list)
    needle_count_max: list[Caution] = field(default_factory=list)
    retention_max_minutes: list[Caution] = field(default_factory=list)

    def allowed_positions(self, positions: tuple[Position, ...]) -> list[Position]:
        """The point's positions that every position rule of the cautions allows."""
        allowed = [p for p in positions if not self.lying_only or p in LYING]
        for caution in self.positions_allowed:
            allowed = [p for p in allowed if p in caution.effects.positions_allowed]
        return allowed

    def limit(self, name: str, plan_value: int) -> int:
        """The plan's value, lowered by any caution that sets a lower ceiling for it."""
        cautions: list[Caution] = getattr(self, name)
        values: list[int] = [getattr(c.effects, name) for c in cautions]
        return min([plan_value, *values])


LYING: tuple[Position, ...] = ("prone", "supine", "side_lying")
FLAGS = (
    "no_electroacupuncture",
    "lying_only",
    "no_bleeding_technique",
    "superficial_near_vessels",
    "no_needling_at_site",
    "needling_not_allowed",
    "positions_allowed",
    "needle_count_max",
    "retention_max_minutes",
)


def active_cautions(facts: Facts, kb: KnowledgeBase) -> tuple[list[CautionOut], Effects]:
    out: list[CautionOut] = []
    effects = Effects()
    for caution in kb.cautions.values():
        reasons = because(caution.when, facts, kb)
        if reasons is None:
            continue
        out.append(
            {
                "id": caution.id,
                "name": caution.name,
                "summary": caution.summary,
                "because": reasons,
                "verification": caution.verification.value,
                "sources": cite(kb, caution.sources),
            }
        )
        for kind in caution.effects.avoid_point_cautions:
            effects.avoid_point_cautions.setdefault(kind, []).append(caution)
        for flag in FLAGS:
            if getattr(caution.effects, flag):
                getattr(effects, flag).append(caution)
    return out, effects


def names(cautions: list[Caution]) -> str:
    return ", ".join(c.name.lower() for c in cautions)
