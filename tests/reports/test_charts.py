"""The course chart: valid SVG with a title and description, a point for each week with data, a
gap (never a zero) for a week without, the baseline at its value, one marker per session, and
the numbers again as a table."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from crampcare.reports.charts import chart_table, weekly_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
START = dt.date(2026, 3, 2)  # a Monday: week 1 is the week of the first session


def week(n: int, frequency: float | None, sessions: int = 1, severity: int | None = 6) -> dict:
    start = START + dt.timedelta(days=7 * (n - 1))
    return {
        "week": n,
        "start": start,
        "end": start + dt.timedelta(days=6),
        "days_logged": 0 if frequency is None else 7,
        "cramps": None if frequency is None else int(frequency),
        "frequency": frequency,
        "worst_severity": None if frequency is None else severity,
        "sleep_disturbance": None,
        "sessions": sessions,
        "note": "no diary entries this week" if frequency is None else "",
    }


def outcomes(*weeks: dict, baseline: float | None = 6.0) -> dict[str, Any]:
    return {
        "baseline": {
            "weekly_frequency": baseline,
            "source": "diary" if baseline is not None else "none",
            "days": 14,
            "from": START - dt.timedelta(days=14),
            "to": START - dt.timedelta(days=1),
            "note": "",
        },
        "weeks": list(weeks),
    }


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def points(root: ET.Element, series: str) -> list[ET.Element]:
    return [e for e in root.iter() if f"point {series}" in e.get("class", "")]


def polylines(root: ET.Element, series: str) -> list[ET.Element]:
    group = next(g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == f"series {series}")
    return group.findall("svg:polyline", NS)


def test_the_chart_is_accessible_svg_with_title_and_description() -> None:
    root = parse(weekly_chart(outcomes(week(1, 5.0), week(2, 3.0)), "Ellen: cramps per week"))
    assert root.tag == f"{{{NS['svg']}}}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 640 420"  # fixed: text keeps its size in print
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title is not None and title.text == "Ellen: cramps per week"
    assert desc is not None and "Week 2: 3 cramps per week" in (desc.text or "")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_markup_in_the_title_is_escaped() -> None:
    root = parse(weekly_chart(outcomes(week(1, 2.0)), "<b>O'Neil & co</b>"))
    assert root.find("svg:title", NS).text == "<b>O'Neil & co</b>"  # type: ignore[union-attr]


def test_one_point_per_week_with_data() -> None:
    root = parse(weekly_chart(outcomes(week(1, 5.0), week(2, 4.0), week(3, 2.0)), "t"))
    assert len(points(root, "frequency")) == 3
    assert len(points(root, "worst-severity")) == 3
    ys = [float(p.get("cy", "0")) for p in points(root, "frequency")]
    assert ys[0] < ys[1] < ys[2]  # fewer cramps sit lower


def test_a_missing_week_is_a_gap_not_a_zero() -> None:
    data = outcomes(week(1, 5.0), week(2, None), week(3, 3.0), week(4, 2.0))
    root = parse(weekly_chart(data, "t"))
    assert len(points(root, "frequency")) == 3
    lines = polylines(root, "frequency")
    assert len(lines) == 1  # week 1 stands alone; weeks 3-4 are joined; nothing spans week 2
    assert len(lines[0].get("points", "").split()) == 2
    assert any(e.text == "no data" for e in root.iter() if e.get("class") == "no-data")


def test_a_week_left_out_of_the_list_is_a_gap_too() -> None:
    root = parse(weekly_chart(outcomes(week(1, 5.0), week(2, 4.0), week(4, 2.0)), "t"))
    assert [len(p.get("points", "").split()) for p in polylines(root, "frequency")] == [2]


def test_the_baseline_is_a_line_at_its_value() -> None:
    # a week at the baseline's value sits exactly on the baseline line
    root = parse(weekly_chart(outcomes(week(1, 3.0), week(2, 6.0), baseline=6.0), "t"))
    line = next(e for e in root.iter() if e.get("class") == "baseline")
    assert line.get("y1") == line.get("y2")
    at_baseline = points(root, "frequency")[1]
    assert float(line.get("y1", "0")) == pytest.approx(float(at_baseline.get("cy", "0")))
    assert float(line.get("y1", "0")) < float(points(root, "frequency")[0].get("cy", "0"))


def test_without_a_baseline_no_line_is_drawn_and_the_description_says_so() -> None:
    root = parse(weekly_chart(outcomes(week(1, 3.0), baseline=None), "t"))
    assert not [e for e in root.iter() if e.get("class") == "baseline"]
    assert "No baseline frequency" in (root.find("svg:desc", NS).text or "")  # type: ignore[union-attr]


def test_a_marker_per_session_from_the_weeks_counts() -> None:
    root = parse(weekly_chart(outcomes(week(1, 5.0, 2), week(2, None, 1), week(3, 3.0, 0)), "t"))
    assert len([e for e in root.iter() if e.get("class") == "session-marker"]) == 3


def test_sessions_with_dates_are_marked_at_their_dates_with_their_pain() -> None:
    sessions = [
        {"date": START, "pain_before": 7, "pain_after": 4},
        {"date": START + dt.timedelta(days=5), "pain_before": None, "pain_after": None},
        {"date": START + dt.timedelta(days=8), "pain_before": 5, "pain_after": 3},
    ]
    root = parse(weekly_chart(outcomes(week(1, 5.0, 2), week(2, 4.0, 1)), "t", sessions))
    markers = [e for e in root.iter() if e.get("class") == "session-marker"]
    xs = [float(m.get("d", "M0").split()[0][1:]) for m in markers]
    assert len(markers) == 3 and xs == sorted(xs)
    assert len(points(root, "pain")) == 2  # a session without a pain measure has no point


def test_no_weeks_yet_still_draws_a_valid_chart_that_says_so() -> None:
    root = parse(weekly_chart(outcomes(), "t"))
    assert "No diary weeks yet" in (root.find("svg:desc", NS).text or "")  # type: ignore[union-attr]
    assert not points(root, "frequency")


def test_iso_dates_from_json_are_read_as_dates() -> None:
    data = outcomes(week(1, 5.0))
    data["weeks"][0] |= {"start": "2026-03-02", "end": "2026-03-08"}
    sessions = [{"date": "2026-03-04", "pain_before": 6}]
    root = parse(weekly_chart(data, "t", sessions))
    assert len([e for e in root.iter() if e.get("class") == "session-marker"]) == 1


def test_the_table_has_the_baseline_then_each_week_with_missing_numbers_as_none() -> None:
    rows = chart_table(outcomes(week(1, 5.0), week(2, None)))
    assert [r["label"] for r in rows] == ["Baseline", "Week 1", "Week 2"]
    assert rows[0]["frequency"] == 6.0
    assert rows[1]["frequency"] == 5.0 and rows[1]["dates"] == "2 Mar – 8 Mar 2026"
    assert rows[2]["frequency"] is None and rows[2]["note"] == "no diary entries this week"
