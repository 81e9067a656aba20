"""Severity tiers of laboratory results: which tier a value reaches, the one red flag per test
(the worst tier within the staleness window), and the per-result list of the assessment.

A tier holds when the value lies beyond its threshold: an absolute value, a multiple of the upper
reference limit in use, or the edge of the range in use. Of the tiers that hold, the most severe
counts (urgency, then whether it stops needling or electroacupuncture, then its place in the
list). A tier that needs a limit nobody gave never holds; the value is then shown as "cannot be
judged" unless a fixed threshold still catches it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from crampcare.core.citations import cite
from crampcare.core.contract import LabRangeOut, LabResultOut, RedFlagOut
from crampcare.core.facts import Facts
from crampcare.core.labs import LabValue, TestResults
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Lab, LabTier

Judgement = Literal["low", "high", "normal", "cannot_judge"]


@dataclass(frozen=True)
class TierHit:
    tier: LabTier
    value: LabValue


def _limit(tier: LabTier, value: LabValue) -> float | None:
    if tier.threshold is not None:
        return tier.threshold
    if tier.times_upper_limit is not None:
        return value.high * tier.times_upper_limit if value.high is not None else None
    return value.low if tier.direction == "low" else value.high


def holds(tier: LabTier, value: LabValue) -> bool:
    limit = _limit(tier, value)
    if limit is None:
        return False
    if tier.direction == "low":
        return value.value <= limit if tier.inclusive else value.value < limit
    return value.value >= limit if tier.inclusive else value.value > limit


def severity(lab: Lab, tier: LabTier) -> tuple[int, bool, bool, int]:
    return (
        tier.urgency.rank,
        tier.stops_needling,
        tier.stops_electroacupuncture,
        lab.tiers.index(tier),
    )


def tier_of(value: LabValue) -> LabTier | None:
    """The most severe tier this one value reaches, or None."""
    held = [t for t in value.lab.tiers if holds(t, value)]
    return max(held, key=lambda t: severity(value.lab, t)) if held else None


def worst_in_window(results: TestResults) -> TierHit | None:
    """The most severe tier reached by any result within the window; on a tie, the most
    recent result."""
    best: TierHit | None = None
    for value in results.window:  # most recent first
        tier = tier_of(value)
        if tier is None:
            continue
        if best is None or severity(results.lab, tier) > severity(results.lab, best.tier):
            best = TierHit(tier, value)
    return best


def _threshold_text(tier: LabTier, value: LabValue) -> str:
    word = (
        ("at most" if tier.inclusive else "below")
        if tier.direction == "low"
        else ("at least" if tier.inclusive else "above")
    )
    limit = _limit(tier, value)
    if tier.threshold is not None:
        return f"{word} {tier.threshold:g} {value.unit}"
    if tier.times_upper_limit is not None:
        return f"{word} {tier.times_upper_limit:g} x the upper limit ({limit:g} {value.unit})"
    whose = "the laboratory's" if value.range_from_report else "the default"
    edge = "low" if tier.direction == "low" else "high"
    return f"{word} {whose} range ({edge} {limit:g} {value.unit})"


def tier_flag(hit: TierHit, results: TestResults, kb: KnowledgeBase) -> RedFlagOut:
    tier, value = hit.tier, hit.value
    because = [f"{value.described} is {_threshold_text(tier, value)}"]
    counted = results.counted
    if counted is not None and counted.position != value.position:
        because.append(
            f"most recent result: {counted.described}; the worst result within "
            f"{results.lab.stale_after_days} days is graded"
        )
    return {
        "id": tier.id,
        "name": tier.name,
        "urgency": tier.urgency.value,
        "summary": tier.summary,
        "action": tier.action,
        "because": because,
        "stops_needling": tier.stops_needling,
        "stops_electroacupuncture": tier.stops_electroacupuncture,
        "verification": tier.verification.value,
        "sources": cite(kb, tier.sources),
    }


def tier_flags(facts: Facts, kb: KnowledgeBase) -> Mapping[str, RedFlagOut]:
    """One red flag per test whose results within the window reach a tier, keyed by test."""
    out: dict[str, RedFlagOut] = {}
    for test, results in sorted(facts.lab_results.items()):
        hit = worst_in_window(results)
        if hit is not None:
            out[test] = tier_flag(hit, results, kb)
    return out


# --- the per-result list of the assessment ----------------------------------------------------


def _side_judgeable(lab: Lab, direction: str, limit: float | None) -> bool | None:
    """Whether one side (low or high) of a value can be judged: with a limit, or with fixed
    thresholds only; not when a tier on that side needs the upper limit nobody gave, or when
    only range tiers exist and no range is known. None: the side has neither limit nor tiers
    (not clinically meaningful for this test)."""
    if limit is not None:
        return True
    side = [t for t in lab.tiers if t.direction == direction]
    if not side:
        return None
    if any(t.times_upper_limit is not None for t in side):
        return False
    return any(t.threshold is not None for t in side)


def _fixed_thresholds(lab: Lab) -> str:
    parts = [
        f"{'below' if t.direction == 'low' else 'above'} {t.threshold:g}"
        for t in lab.tiers
        if t.threshold is not None
    ]
    return ", ".join(parts) + f" {lab.unit}" if parts else ""


def _range_out(value: LabValue) -> LabRangeOut:
    raw, lab = value.raw, value.lab
    if value.range_from_report:
        return {"low": raw.reference_low, "high": raw.reference_high, "from": "laboratory"}
    if lab.low is None and lab.high is None:
        return {"low": None, "high": None, "from": "none"}
    factor = lab.conversions[raw.unit]
    return {
        "low": round(lab.low / factor, 4) if lab.low is not None else None,
        "high": round(lab.high / factor, 4) if lab.high is not None else None,
        "from": "default",
    }


def _judgement(value: LabValue, tier: LabTier | None) -> tuple[Judgement, str]:
    """(judgement, note) for one value."""
    if tier is not None:
        return tier.direction, ""
    if value.low is not None and value.value < value.low:
        return "low", ""
    if value.high is not None and value.value > value.high:
        return "high", ""
    lab = value.lab
    sides = [
        _side_judgeable(lab, "low", value.low),
        _side_judgeable(lab, "high", value.high),
    ]
    fixed = _fixed_thresholds(lab)
    if False in sides:
        note = (
            "Cannot be judged without the laboratory's range: crampcare holds no default "
            f"for {lab.name}."
        )
        if fixed:
            note += f" Not beyond crampcare's fixed thresholds ({fixed})."
        return "cannot_judge", note
    if value.low is None or value.high is None:
        missing = (
            "range"
            if value.low is None and value.high is None
            else ("lower limit" if value.low is None else "upper limit")
        )
        note = f"No {missing} known"
        note += f": judged against crampcare's fixed thresholds ({fixed})." if fixed else "."
        return "normal", note
    return "normal", ""


def _status_note(value: LabValue, results: TestResults, tier: LabTier | None) -> str:
    days = results.lab.stale_after_days
    if value.status == "stale":
        note = f"Older than {days} days: shown, but not counted as current; ask for a repeat test."
        return note + (f" It would reach: {tier.name}." if tier is not None else "")
    if value.status == "earlier":
        return (
            f"An earlier result within {days} days: the most recent counts, and the worst "
            "within the window is graded."
        )
    if value.date is None:
        return "Undated: counted as current; record the date of the sample."
    return ""


def lab_results_out(facts: Facts, flags: list[RedFlagOut], kb: KnowledgeBase) -> list[LabResultOut]:
    """One item per result, in the order given."""
    superseding = {
        test: flag["name"]
        for flag in flags
        if flag["id"] in kb.red_flags
        for test in kb.red_flags[flag["id"]].supersedes_lab_tiers
    }
    items: list[tuple[int, LabResultOut]] = []
    for test, results in facts.lab_results.items():
        for value in results.given:
            tier = tier_of(value)
            judgement, note = _judgement(value, tier)
            notes = [n for n in (_status_note(value, results, tier), note) if n]
            if tier is not None and value.status != "stale" and test in superseding:
                notes.append(f"Graded with the findings: see '{superseding[test]}'.")
            items.append(
                (
                    value.position,
                    {
                        "test": test,
                        "name": results.lab.name,
                        "value": value.as_given,
                        "date": value.date.isoformat() if value.date is not None else None,
                        "status": value.status,
                        "range": _range_out(value),
                        "judgement": judgement,
                        "tier": tier.id if tier is not None and value.status != "stale" else None,
                        "note": " ".join(notes),
                    },
                )
            )
    return [item for _, item in sorted(items, key=lambda row: row[0])]
