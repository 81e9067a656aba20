"""The laboratory tiers in the knowledge base: well formed, uniquely named, reviewable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import LabTier, Urgency

DOCS = Path(__file__).resolve().parents[2] / "docs"

TIER: dict[str, Any] = {
    "id": "t",
    "name": "T",
    "direction": "high",
    "threshold": 6.5,
    "urgency": "emergency",
    "stops_needling": True,
    "stops_electroacupuncture": True,
    "summary": "s",
    "action": "do not needle",
    "sources": ["x"],
    "verification": "secondary",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"times_upper_limit": 10}, "exactly one of"),
        ({"threshold": None}, "exactly one of"),
        ({"threshold": None, "times_upper_limit": 4, "direction": "low"}, "direction high"),
        ({"urgency": "none"}, "other than none"),
        ({"stops_needling": False}, "must stop needling"),
        ({"urgency": "soon", "stops_electroacupuncture": False}, "also stops electro"),
    ],
)
def test_a_malformed_tier_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        LabTier.model_validate({**TIER, **change})


def test_tier_ids_are_unique_and_never_a_red_flag_id(kb: KnowledgeBase) -> None:
    ids = [t.id for lab in kb.vocab.labs for t in lab.tiers]
    assert len(ids) == len(set(ids))
    assert not set(ids) & set(kb.red_flags)


def test_every_superseding_flag_names_real_tests_and_flags(kb: KnowledgeBase) -> None:
    labs = {lab.id for lab in kb.vocab.labs}
    for flag in kb.red_flags.values():
        assert set(flag.supersedes_lab_tiers) <= labs, flag.id
        assert set(flag.supersedes_flags) <= set(kb.red_flags) - {flag.id}, flag.id


def test_a_superseding_flag_is_at_least_as_urgent_as_what_it_replaces(kb: KnowledgeBase) -> None:
    """Otherwise it would never replace anything: the engine keeps the more severe one."""
    by_lab = {lab.id: lab for lab in kb.vocab.labs}
    for flag in kb.red_flags.values():
        for test in flag.supersedes_lab_tiers:
            top = max(t.urgency.rank for t in by_lab[test].tiers)
            assert flag.urgency.rank >= top, (flag.id, test)
        for other in flag.supersedes_flags:
            assert flag.urgency.rank >= kb.red_flags[other].urgency.rank, (flag.id, other)


def test_every_test_has_a_tier_in_each_clinically_meaningful_direction(kb: KnowledgeBase) -> None:
    directions = {lab.id: {t.direction for t in lab.tiers} for lab in kb.vocab.labs}
    both = {"potassium", "magnesium", "calcium", "sodium", "tsh", "glucose", "platelets"}
    for test in both:
        assert directions[test] == {"low", "high"}, test
    assert directions["egfr"] == {"low"}
    assert {"ck", "alt", "creatinine", "inr"} <= {t for t, d in directions.items() if "high" in d}


def test_the_most_severe_tiers_stop_needling(kb: KnowledgeBase) -> None:
    for lab in kb.vocab.labs:
        for tier in lab.tiers:
            if tier.urgency.rank >= Urgency.urgent.rank:
                assert tier.stops_needling and tier.stops_electroacupuncture, tier.id


def test_every_decided_tier_and_staleness_window_is_listed_for_review(kb: KnowledgeBase) -> None:
    text = (DOCS / "knowledge-base.md").read_text().split("## Decisions", 1)[1]
    rows = [line for line in text.splitlines() if "`vocabularies.labs.yaml`" in line]
    listed = " ".join(rows)
    for lab in kb.vocab.labs:
        if "crampcare_decisions" in lab.stale_sources:
            assert f"{lab.id} staleness" in listed, lab.id
        for tier in lab.tiers:
            if "crampcare_decisions" in tier.sources:
                assert tier.id in listed, tier.id
                assert tier.verification.value == "expert_opinion", tier.id
