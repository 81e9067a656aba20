"""Which flag stands when a flag that combines a value with findings meets the plain flag for
that value: the combined one replaces the other only when it is at least as severe in every
respect (urgency, stopping needling, stopping electroacupuncture), so nothing more severe is ever
hidden. And a medication's factor quotes every class above it, nearest first."""

from __future__ import annotations

import pytest

from crampcare.core.contract import RedFlagOut
from crampcare.core.screening import _at_least_as_severe
from crampcare.kb.loader import KnowledgeBase
from tests.factories import run


def flag(urgency: str, needling: bool, electro: bool) -> RedFlagOut:
    return {
        "id": f"{urgency}_{needling}_{electro}",
        "name": "made-up",
        "urgency": urgency,  # type: ignore[typeddict-item]
        "summary": "",
        "action": "",
        "because": [],
        "stops_needling": needling,
        "stops_electroacupuncture": electro,
        "verification": "expert_opinion",
        "sources": [],
    }


# combined flag (urgency, stops needling, stops EA), plain flag, may the combined one replace it
TABLE = [
    (("emergency", True, True), ("urgent", True, True), True),
    (("urgent", True, True), ("urgent", True, True), True),
    (("urgent", True, True), ("emergency", True, True), False),
    (("soon", False, False), ("soon", False, False), True),
    (("soon", False, False), ("soon", True, True), False),  # would hide a stop to needling
    (("soon", True, False), ("soon", True, True), False),  # would hide a stop to EA
    (("soon", False, True), ("soon", False, True), True),
    (("soon", False, True), ("soon", False, False), True),
    (("emergency", False, False), ("soon", True, False), False),
    (("emergency", True, False), ("soon", False, True), False),
    (("routine", True, True), ("soon", False, False), False),
]


@pytest.mark.parametrize(("combined", "plain", "replaces"), TABLE)
def test_a_combined_flag_replaces_only_what_it_covers(
    combined: tuple[str, bool, bool], plain: tuple[str, bool, bool], replaces: bool
) -> None:
    assert _at_least_as_severe(flag(*combined), flag(*plain)) is replaces


def test_a_class_member_quotes_its_class_and_the_wider_class(kb: KnowledgeBase) -> None:
    result = run(kb, history={"medications": ["metolazone 5 mg"]})
    (factor,) = [f for f in result["contributing_factors"] if f["kind"] == "medication"]
    summary = factor["summary"]
    nearest = kb.medications["thiazide_diuretics"].name
    wider = kb.medications["diuretics"].name
    assert f"{nearest}:" in summary and f"{wider}:" in summary
    assert summary.index(f"{nearest}:") < summary.index(f"{wider}:")
    assert {"garrison_2012_ssa", "nice_cks_leg_cramps"} <= {s["id"] for s in factor["sources"]}


def test_the_factor_opens_with_the_drug_and_takes_its_grade_from_the_widest_class(
    kb: KnowledgeBase,
) -> None:
    result = run(kb, history={"medications": ["metolazone 5 mg"]})
    (factor,) = [f for f in result["contributing_factors"] if f["kind"] == "medication"]
    med, widest = kb.medications["metolazone"], kb.medications["diuretics"]
    assert med.cramp_association is not None and widest.certainty is not None
    assert factor["summary"].startswith(f"{med.name}. {med.cramp_association.split()[0]}")
    assert not factor["summary"].startswith(f"{med.name}. {med.name}:")
    assert factor["certainty"] == widest.certainty.value
    assert factor["verification"] == widest.verification.value
