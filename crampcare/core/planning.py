"""The session and course plan: positions, needle count, retention, stimulation, sessions."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from crampcare.core.contract import (
    AvoidOut,
    Course,
    Electro,
    PointOut,
    PositionId,
    Range,
    RedFlagOut,
    Session,
)
from crampcare.core.prescribing import needles
from crampcare.core.safety import Effects, names
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Caution

POSITION_ORDER: tuple[PositionId, ...] = ("supine", "prone", "side_lying", "seated")


def positions(points: list[PointOut]) -> list[PositionId]:
    """The fewest positions that expose every point. Side-lying counts twice when a point is
    needled on both sides (the patient turns over); ties go to the plan without side-lying, then
    to the earlier in POSITION_ORDER."""
    if not points:
        return []
    both = any(p["side"] == "both" for p in points)
    best: tuple[int, bool, int] | None = None
    chosen: list[PositionId] = list(POSITION_ORDER)
    order = 0
    for size in range(1, len(POSITION_ORDER) + 1):
        for combo in combinations(POSITION_ORDER, size):
            order += 1
            if not all(any(p in combo for p in point["positions"]) for point in points):
                continue
            side = "side_lying" in combo
            key = (size + (1 if side and both else 0), side, order)
            if best is None or key < best:
                best, chosen = key, list(combo)
    return chosen


def electroacupuncture(
    effects: Effects, needling_allowed: bool, flags: list[RedFlagOut]
) -> Electro:
    if not needling_allowed:
        return {"allowed": False, "reason": "Needling is deferred until the referral is answered."}
    stopping = [f["name"] for f in flags if f["stops_electroacupuncture"]]
    if stopping:
        return {
            "allowed": False,
            "reason": f"No electrical stimulation: {', '.join(stopping).lower()}. "
            "Use manual stimulation.",
        }
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


def needle_limit(kb: KnowledgeBase, effects: Effects) -> int:
    return effects.limit("needle_count_max", kb.plan.needle_count_max)


def _removing_cautions(effects: Effects) -> list[Caution]:
    """The cautions that take points off the plan (by kind or by position), once each."""
    found: dict[str, Caution] = {}
    for cautions in effects.avoid_point_cautions.values():
        found.update((c.id, c) for c in cautions)
    found.update((c.id, c) for c in [*effects.positions_allowed, *effects.lying_only])
    return list(found.values())


def _listed(cautions: list[Caution]) -> str:
    return "; ".join(c.name.lower() for c in cautions)


def shortfall_note(
    planned: int, least: int, effects: Effects, avoided: Sequence[AvoidOut] = ()
) -> str:
    """Why fewer than the usual number of needles are planned: the cautions that removed points
    (with the points, when known), else the knowledge base has no further point."""
    if planned >= least:
        return ""
    head = f"Only {planned} needle(s) planned, fewer than the usual {least}: "
    removing = _removing_cautions(effects)
    if avoided:
        codes = ", ".join(a["code"] for a in avoided)
        why = f"{len(avoided)} point(s) were left out ({codes})"
        why += f" because of: {_listed(removing)}" if removing else ""
        why += " (see the points to avoid), and the region has no further safe point"
    elif removing:
        why = f"points are left out because of: {_listed(removing)}; no further safe point remains"
    else:
        why = "the knowledge base has no further point for this presentation"
    return head + why + "; add tender points found on palpation if appropriate."


def session(
    points: list[PointOut],
    kb: KnowledgeBase,
    effects: Effects,
    electro: Electro,
    needling_allowed: bool,
    avoided: Sequence[AvoidOut] = (),
) -> Session:
    plan = kb.plan
    most = needle_limit(kb, effects)
    least = min(plan.needle_count_min, most)
    retention_max = effects.limit("retention_max_minutes", plan.retention_max)
    planned = sum(needles(p) for p in points) if needling_allowed else 0
    retention: Range = {"min": min(plan.retention_min, retention_max), "max": retention_max}
    if not needling_allowed:
        return {
            "positions": [],
            "needle_count": {"min": least, "max": most, "planned": 0},
            "retention_minutes": retention,
            "stimulation": [],
            "deferred": True,
            "note": "Nothing is planned: needling is deferred until medical clearance.",
        }
    note = ""
    if most < plan.needle_count_max:
        note = f"At most {most} needles: {names(effects.needle_count_max)}. "
    note += shortfall_note(planned, least, effects, avoided)
    chosen = positions(points)
    if chosen == ["side_lying"] and any(p["side"] == "both" for p in points):
        note += " Side-lying: turn the patient to reach the points on the other side."
    return {
        "positions": chosen,
        "needle_count": {"min": least, "max": most, "planned": planned},
        "retention_minutes": retention,
        "stimulation": ["manual", "electrical"] if electro["allowed"] else ["manual"],
        "deferred": False,
        "note": note.strip(),
    }


def course(kb: KnowledgeBase, needling_allowed: bool) -> Course:
    plan = kb.plan
    return {
        "sessions": {"min": plan.sessions_min, "max": plan.sessions_max},
        "review_at": list(plan.review_at),
        "starts": "now" if needling_allowed else "after_medical_clearance",
    }
