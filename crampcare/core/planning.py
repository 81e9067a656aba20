"""The session and course plan: positions, needle count, retention, stimulation, sessions."""

from __future__ import annotations

from itertools import combinations

from crampcare.core.contract import Course, Electro, PointOut, PositionId, Session
from crampcare.core.prescribing import needles
from crampcare.core.safety import Effects, names
from crampcare.kb.loader import KnowledgeBase

POSITION_ORDER: tuple[PositionId, ...] = ("supine", "prone", "side_lying", "seated")


def positions(points: list[PointOut]) -> list[PositionId]:
    """The fewest positions that expose every point (ties: the earlier in POSITION_ORDER)."""
    if not points:
        return []
    for size in range(1, len(POSITION_ORDER) + 1):
        for combo in combinations(POSITION_ORDER, size):
            if all(any(p in combo for p in point["positions"]) for point in points):
                return list(combo)
    return list(POSITION_ORDER)  # unreachable: every point has at least one position


def electroacupuncture(effects: Effects, needling_allowed: bool) -> Electro:
    if not needling_allowed:
        return {"allowed": False, "reason": "Needling is deferred until the referral is answered."}
    if effects.no_electroacupuncture:
        return {
            "allowed": False,
            "reason": f"No electrical stimulation: {names(effects.no_electroacupuncture)}. "
            "Use manual stimulation.",
        }
    return {
        "allowed": True,
        "reason": "No caution against electrical stimulation was found; never pass current "
        "across the chest.",
    }


def session(
    points: list[PointOut], kb: KnowledgeBase, electro: Electro, needling_allowed: bool
) -> Session:
    plan = kb.plan
    planned = sum(needles(p) for p in points) if needling_allowed else 0
    stimulation: list[str] = ["manual", "electrical"] if electro["allowed"] else ["manual"]
    return {
        "positions": positions(points),
        "needle_count": {
            "min": plan.needle_count_min,
            "max": plan.needle_count_max,
            "planned": planned,
        },
        "retention_minutes": {"min": plan.retention_min, "max": plan.retention_max},
        "stimulation": stimulation if needling_allowed else [],  # type: ignore[typeddict-item]
    }


def course(kb: KnowledgeBase) -> Course:
    plan = kb.plan
    return {
        "sessions": {"min": plan.sessions_min, "max": plan.sessions_max},
        "review_at": list(plan.review_at),
    }
