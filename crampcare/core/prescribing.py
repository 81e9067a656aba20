"""Point prescription: local and distal points for each region, points for the presentation and
the patterns, tender (ASHI) points where they were found; then safety applied to the list."""

from __future__ import annotations

from dataclasses import dataclass, field

from crampcare.core.citations import cite
from crampcare.core.contract import AvoidOut, PatternOut, PointOut, PresentationOut, SideId
from crampcare.core.facts import Facts
from crampcare.core.safety import Effects, names
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Certainty, Point, PointRole, PointUse
from crampcare.kb.schema.points import PREGNANCY_KINDS

ROLE_ORDER = {"local": 0, "distal": 1, "pattern": 2}
CERTAINTY_RANK = {
    Certainty.high: 5,
    Certainty.moderate: 4,
    Certainty.low: 3,
    Certainty.very_low: 2,
    Certainty.expert_opinion: 1,
    Certainty.traditional: 0,
}


@dataclass
class Candidate:
    code: str
    role: PointRole
    region: str | None
    certainty: Certainty
    because: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    order: int = 0

    def add(self, use: PointUse, reason: str) -> None:
        if ROLE_ORDER[use.role] < ROLE_ORDER[self.role]:
            self.role = use.role
        if CERTAINTY_RANK[use.certainty] > CERTAINTY_RANK[self.certainty]:
            self.certainty = use.certainty
        if reason not in self.because:
            self.because.append(reason)
        self.sources.extend(s for s in use.sources if s not in self.sources)


def candidates(
    facts: Facts,
    kb: KnowledgeBase,
    presentations: list[PresentationOut],
    patterns: list[PatternOut],
) -> list[Candidate]:
    """Every point the knowledge base suggests for this intake, merged by code."""
    by_key: dict[tuple[str, str | None], Candidate] = {}

    def offer(use: PointUse, reason: str, region: str | None = None) -> None:
        if use.code == "ASHI" and region is None:
            return  # tender points only where palpation found them, located by region
        key = (use.code, region)
        cand = by_key.get(key)
        if cand is None:
            cand = Candidate(use.code, use.role, key[1], use.certainty, order=len(by_key))
            by_key[key] = cand
        cand.add(use, reason)

    region_names = kb.vocab_names["regions"]
    regions = {r.id: r for r in kb.vocab.regions}
    complaint = facts.intake.document.complaint
    for region_id in complaint.regions:
        for use in regions[region_id].points:
            offer(use, f"{use.role} point for the {region_names[region_id].lower()}")
    for pres in presentations:
        for use in kb.conditions[pres["id"]].points:
            offer(use, f"{use.role} point for {pres['name'].lower()}")
    for pattern in patterns:
        for use in kb.patterns[pattern["id"]].points:
            offer(use, f"pattern point for {pattern['name']}")
    if "trigger_points" in facts.findings or complaint.kind == "tender_points":
        ashi = kb.points.get("ASHI")
        if ashi is not None:
            why = (
                "tender points found on palpation"
                if "trigger_points" in facts.findings
                else "complaint of tender points"
            )
            for region_id in complaint.regions:
                use = PointUse(
                    code="ASHI", role="local", certainty=Certainty.traditional, sources=ashi.sources
                )
                offer(use, f"{why}: {region_names[region_id].lower()}", region_id)
    return sorted(by_key.values(), key=lambda c: (ROLE_ORDER[c.role], c.order))


def _side(cand: Candidate, point: Point, complaint_side: str) -> SideId:
    if point.laterality == "midline":
        return "midline"
    if cand.role == "local" and complaint_side in ("left", "right"):
        return "left" if complaint_side == "left" else "right"
    return "both"


def _point_cautions(point: Point, facts: Facts, effects: Effects, cand: Candidate) -> list[str]:
    notes = [c.summary for c in point.cautions if c.kind not in PREGNANCY_KINDS or facts.pregnant]
    kinds = {c.kind for c in point.cautions}
    if effects.no_bleeding_technique and "bleeding_technique" in kinds:
        notes.append(f"No pricking or bloodletting here ({names(effects.no_bleeding_technique)}).")
    if effects.superficial_near_vessels and "deep_vessel" in kinds:
        notes.append(
            "Shallow insertion only: a large vessel lies deep to this point "
            f"({names(effects.superficial_near_vessels)})."
        )
    if effects.no_needling_at_site and cand.role == "local":
        notes.append(
            "Check the skin first: do not needle through the lesion or tumour site "
            f"({names(effects.no_needling_at_site)})."
        )
    return notes


def apply_safety(
    cands: list[Candidate],
    facts: Facts,
    kb: KnowledgeBase,
    effects: Effects,
) -> tuple[list[PointOut], list[AvoidOut]]:
    """Remove the points a caution forbids (into avoid_points, with the reason) and annotate the
    rest with what the cautions require."""
    complaint_side = facts.intake.document.complaint.side
    points: list[PointOut] = []
    avoid: list[AvoidOut] = []
    avoided: set[str] = set()
    region_names = kb.vocab_names["regions"]
    for cand in cands:
        point = kb.points[cand.code]
        blocking = [
            (c, effects.avoid_point_cautions[c.kind])
            for c in point.cautions
            if c.kind in effects.avoid_point_cautions
        ]
        if blocking:
            if cand.code not in avoided:
                caution, by = blocking[0]
                avoid.append(
                    {
                        "code": cand.code,
                        "reason": f"{names(by).capitalize()}: {caution.summary}",
                        "sources": cite(kb, [*by[0].sources, *caution.sources]),
                    }
                )
                avoided.add(cand.code)
            continue
        positions = effects.allowed_positions(point.positions)
        if not positions:
            by = [*effects.lying_only, *effects.positions_allowed]
            allowed = effects.allowed_positions(("prone", "supine", "side_lying", "seated"))
            avoid.append(
                {
                    "code": cand.code,
                    "reason": "Cannot be reached in the positions allowed "
                    f"({', '.join(allowed) or 'none'}: {names(by)}).",
                    "sources": cite(kb, [s for c in by for s in c.sources]),
                }
            )
            continue
        if effects.no_needling_at_site and cand.code == "ASHI":
            avoid.append(
                {
                    "code": "ASHI",
                    "reason": "Tender-point needling deferred: a lesion or tumour is at a site "
                    f"({names(effects.no_needling_at_site)}).",
                    "sources": cite(kb, effects.no_needling_at_site[0].sources),
                }
            )
            continue
        points.append(
            {
                "code": cand.code,
                "name": f"{point.pinyin} ({point.english})"
                if cand.code != "ASHI"
                else "Ashi (tender point)",
                "side": _side(cand, point, complaint_side),
                "role": cand.role,
                "region": region_names[cand.region] if cand.region else None,
                "because": cand.because,
                "cautions": _point_cautions(point, facts, effects, cand),
                "certainty": cand.certainty.value,
                "positions": list(positions),
                "sources": cite(kb, cand.sources),
            }
        )
    return points, avoid


def needles(point: PointOut) -> int:
    return 2 if point["side"] == "both" else 1


def fit_needle_count(points: list[PointOut], maximum: int) -> list[PointOut]:
    """Drop the least central points (pattern, then distal, last offered first) above ``maximum``
    needles; local points are kept in the order offered."""
    kept = list(points)
    while sum(needles(p) for p in kept) > maximum and len(kept) > 1:
        drop = max(range(len(kept)), key=lambda i: (ROLE_ORDER[kept[i]["role"]], i))
        kept.pop(drop)
    return kept
