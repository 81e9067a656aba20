"""The body chart marks each suggested point on the correct side of the correct view."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from crampcare.kb.loader import KnowledgeBase
from crampcare.reports.bodychart import body_chart_svg, marks
from tests.factories import run

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(("side", "expected_x"), [("left", 43.0), ("right", 57.0)])
def test_a_calf_point_is_drawn_on_the_complaint_side_of_the_back_view(
    kb: KnowledgeBase, side: str, expected_x: float
) -> None:
    result = run(kb, complaint={"regions": ["calf"], "side": side})
    bl57 = [m for m in marks(result["points"], kb) if m.code == "BL57"]
    assert [(m.view, m.side, m.x) for m in bl57] == [("back", side, expected_x)]


def test_bilateral_points_are_drawn_on_both_sides(kb: KnowledgeBase) -> None:
    result = run(kb, complaint={"regions": ["calf"], "side": "left"})
    gb34 = sorted((m.side, m.x) for m in marks(result["points"], kb) if m.code == "GB34")
    assert gb34 == [("left", 60.5), ("right", 39.5)]  # front view: patient's right on the left


def test_ashi_points_are_drawn_in_their_region(kb: KnowledgeBase) -> None:
    result = run(kb, complaint={"regions": ["neck"], "side": "right"}, findings=["trigger_points"])
    ashi = [m for m in marks(result["points"], kb) if m.code == "ASHI"]
    assert [(m.view, m.side) for m in ashi] == [("back", "right")]


def test_svg_is_well_formed_and_labels_every_point(kb: KnowledgeBase) -> None:
    result = run(kb, complaint={"regions": ["calf", "neck"], "side": "both"})
    svg = body_chart_svg(result["points"], kb, title="Chart <test>")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    drawn = {g.get("data-code") for g in root.iter(f"{SVG}g") if g.get("class") == "point"}
    assert drawn == {p["code"] for p in result["points"]}
    assert "Chart &lt;test&gt;" in svg
