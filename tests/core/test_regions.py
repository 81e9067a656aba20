"""Every region of the vocabulary has local points, and a plain adult plan for one region reaches
the seeds' 5-20 needles on every side setting."""

from __future__ import annotations

import pytest

from crampcare.kb.loader import KnowledgeBase
from tests.factories import run

# region       local points the knowledge base must offer there (at least)
REGION_LOCALS: list[tuple[str, set[str]]] = [
    ("calf", {"BL57"}),
    ("thigh", {"GB31", "ST34"}),
    ("hamstring", {"BL40", "BL37"}),
    ("foot", {"LR3", "KI3", "ST44", "BL60"}),
    ("low_back", {"BL23", "BL25", "BL52", "GV3"}),
    ("upper_back", {"GB21", "SI11"}),
    ("neck", {"GB20", "GB21"}),
    ("shoulder", {"GB21", "SI11", "LI15", "TE14"}),
    ("arm", {"LI11", "LI10", "LI15"}),
    ("forearm", {"LI10", "LI11", "TE5"}),
    ("hand", {"LI4", "SI3", "TE3"}),
    ("face", {"ST6", "ST7"}),
    ("jaw", {"ST6", "ST7"}),
    ("head", {"GB20", "GV20", "GB8"}),
]
SIDES = ("left", "right", "both", "midline")
KINDS = ("cramp", "spasm", "twitching", "tender_points")


def test_the_table_covers_every_region_of_the_vocabulary(kb: KnowledgeBase) -> None:
    assert {r for r, _ in REGION_LOCALS} == {r.id for r in kb.vocab.regions}


@pytest.mark.parametrize(("region", "locals_"), REGION_LOCALS, ids=[r for r, _ in REGION_LOCALS])
def test_region_has_its_local_points(kb: KnowledgeBase, region: str, locals_: set[str]) -> None:
    entry = next(r for r in kb.vocab.regions if r.id == region)
    assert locals_ <= {u.code for u in entry.points if u.role == "local"}
    for code in locals_:
        point = kb.points[code]
        assert point.location and point.depths and point.chart, code
        assert all(d.source in kb.sources for d in point.depths), code


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("region", [r for r, _ in REGION_LOCALS])
def test_plain_adult_plan_reaches_five_to_twenty_needles(
    kb: KnowledgeBase, region: str, side: str, kind: str
) -> None:
    complaint = {"regions": [region], "side": side, "kind": kind, "nocturnal": kind == "cramp"}
    result = run(kb, complaint=complaint)
    needle = result["session"]["needle_count"]
    assert result["needling"]["allowed"]
    assert 5 <= needle["planned"] <= 20, (region, side, kind, result["points"])
    assert needle["planned"] == sum(2 if p["side"] == "both" else 1 for p in result["points"])
    assert result["session"]["note"] == "" or "fewer than" not in result["session"]["note"]
