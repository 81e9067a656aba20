"""The packaged knowledge base is complete, cited and honest about what it has verified."""

from __future__ import annotations

import pytest

from crampcare.kb.loader import KnowledgeBase, load_kb
from crampcare.kb.requirements import REQUIRED, missing, present
from crampcare.kb.schema import Cited, Urgency, Verification


def test_it_has_every_required_entry(kb: KnowledgeBase) -> None:
    assert missing(kb) == {}


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_each_required_kind_is_present(kb: KnowledgeBase, kind: str) -> None:
    assert set(REQUIRED[kind]) <= present(kb, kind)


def test_every_red_flag_has_an_urgency_and_an_action(kb: KnowledgeBase) -> None:
    for flag in kb.red_flags.values():
        assert flag.urgency is not Urgency.none
        assert len(flag.action) >= 10
        assert flag.sources


def cited_entries(kb: KnowledgeBase) -> list[Cited]:
    return [
        entry
        for entries in (
            kb.points,
            kb.conditions,
            kb.patterns,
            kb.medications,
            kb.red_flags,
            kb.cautions,
            kb.advice,
        )
        for entry in entries.values()
    ]


def test_every_entry_cites_a_known_source(kb: KnowledgeBase) -> None:
    for entry in cited_entries(kb):
        assert entry.sources, entry
        assert set(entry.sources) <= set(kb.sources)


def test_nothing_resting_on_a_seed_article_alone_is_marked_primary(kb: KnowledgeBase) -> None:
    seeds = {sid for sid, s in kb.sources.items() if s.kind == "seed_article"}
    for entry in cited_entries(kb):
        if set(entry.sources) <= seeds:
            assert entry.verification is not Verification.primary, entry


def test_points_traditionally_avoided_in_pregnancy_are_graded_as_tradition(
    kb: KnowledgeBase,
) -> None:
    for code in ("LI4", "SP6", "BL60", "BL67", "GB21"):
        cautions = [c for c in kb.points[code].cautions if c.kind == "pregnancy"]
        assert cautions, code
        assert all(c.verification is Verification.traditional for c in cautions), code


def test_gb39_records_that_sources_disagree_on_its_location(kb: KnowledgeBase) -> None:
    note = kb.points["GB39"].location_note or ""
    assert "anterior" in note.lower() and "posterior" in note.lower()


def test_nifedipine_carries_its_atc_code(kb: KnowledgeBase) -> None:
    codes = {(c.system, c.code) for c in kb.medications["nifedipine"].codes}
    assert ("http://www.whocc.no/atc", "C08CA05") in codes


def test_kb_version_is_a_content_hash(kb: KnowledgeBase) -> None:
    again = load_kb()
    assert again.version == kb.version
    assert len(kb.version) == 16
