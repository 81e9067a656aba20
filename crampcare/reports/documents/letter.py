"""The letter to the patient's physician.

From the current assessment: the reason for referral (its urgency with the reasons, each red
flag with its action, what it rests on and how well that is verified), the medications of
concern (contributing factors of kind medication, each with its certainty). From the closed and
signed sessions: the treatment given (points with their Chinese names, stimulation, needles,
adverse events, pain). From the outcomes: the chart, its table and what is missing. Signed with
the practitioner's name and licence number. Decision support, not a diagnosis, and it says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.safestring import mark_safe

from crampcare.core.citations import cite
from crampcare.kb.loader import KnowledgeBase
from crampcare.reports.charts import chart_table, weekly_chart
from crampcare.reports.documents import Record
from crampcare.reports.documents.wording import (
    URGENCY,
    VERIFICATION,
    certainty,
    day,
    full_name,
)

TEMPLATE = "physician_letter.html"


def _sources(refs: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(r["citation"]) for r in refs]


def _red_flags(assessment: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": f["name"],
            "urgency": f["urgency"],
            "urgency_meaning": URGENCY[f["urgency"]],
            "summary": f["summary"],
            "action": f["action"],
            "because": f["because"],
            "verification": VERIFICATION.get(f["verification"], f["verification"]),
            "sources": _sources(f["sources"]),
        }
        for f in assessment.get("red_flags", [])
    ]


def _medications(assessment: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "matched": ", ".join(f["matched"]) or f["id"],
            "summary": f["summary"],
            "certainty": certainty(f["certainty"]),
            "verification": VERIFICATION.get(f["verification"], f["verification"]),
            "sources": _sources(f["sources"]),
        }
        for f in assessment.get("contributing_factors", [])
        if f["kind"] == "medication"
    ]


def _stimulation(point: Mapping[str, Any]) -> str:
    e = point.get("electrical")
    if point.get("stimulation") != "electrical" or not e:
        return "manual"
    waveform = str(e["waveform"]).replace("_", "-")
    return (
        f"electrical, {e['frequency_hz']:g} Hz, {e['intensity_ma']:g} mA, "
        f"{e['minutes']:g} min, {waveform}"
    )


def session_rows(sessions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each session as the letter and the handout show it (oldest first)."""
    rows = []
    for s in sessions:
        doc = s["document"]
        points = []
        for p, info in zip(doc.get("points", []), s.get("points_info", []), strict=False):
            region = f" ({p['region'].replace('_', ' ')})" if p.get("region") else ""
            points.append(
                {
                    "code": f"{info['display_code']}{region}",
                    "pinyin": info.get("pinyin") or "",
                    "hanzi": info.get("hanzi") or "",
                    "english": info.get("english") or "",
                    "side": p.get("side", ""),
                    "stimulation": _stimulation(p),
                }
            )
        measures = doc.get("measures") or {}
        rows.append(
            {
                "date": day(s["date"]),
                "status": "signed" if s["status"] == "locked" else "closed, not yet signed",
                "points": points,
                "needles": s["needles"]["inserted"],
                "needles_removed": s["needles"]["removed"],
                "pain_before": measures.get("pain_before"),
                "pain_after": measures.get("pain_after"),
                "adverse_events": [
                    {
                        "kind": str(e["kind"]).replace("_", " "),
                        "severity": e["severity"],
                        "serious": e["serious"],
                        "action": e["action"],
                    }
                    for e in s.get("adverse_events", [])
                ],
            }
        )
    return rows


def session_points(sessions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The sessions as the chart places them: date and pain before and after."""
    return [
        {
            "date": s["date"],
            "pain_before": (s["document"].get("measures") or {}).get("pain_before"),
            "pain_after": (s["document"].get("measures") or {}).get("pain_after"),
        }
        for s in sessions
    ]


def _number(value: float | None, unit: str = "") -> str:
    return "not available" if value is None else f"{value:g}{unit}"


def _yes_no(value: bool | None) -> str:
    return "not known" if value is None else ("yes" if value else "no")


def outcome_lines(outcomes: Mapping[str, Any]) -> list[str]:
    """The outcomes in sentences, with where each number comes from."""
    base = outcomes["baseline"]
    pain = outcomes["pain"]
    lines = [
        f"Baseline: {_number(base['weekly_frequency'])} cramps a week ({base['note']}).",
        f"Now: {_number(outcomes['current_weekly_frequency'])} cramps a week "
        f"({outcomes['current_from']}).",
        f"Change from baseline: {_number(outcomes['change_percent'], ' %')}; "
        f"at least 25 % fewer (responder): {_yes_no(outcomes['responder_25'])}; "
        f"at least 50 % fewer: {_yes_no(outcomes['responder_50'])}.",
        f"Pain before treatment (0-10): {_number(pain['baseline'])} at the first session, "
        f"{_number(pain['latest'])} at the latest; change {_number(pain['change'], ' points')}; "
        f"clinically important ({pain['rule']}): {_yes_no(pain['clinically_important'])}"
        + (f" ({pain['note']})" if pain.get("note") else "")
        + ".",
    ]
    return lines


def context(record: Record, kb: KnowledgeBase) -> dict[str, Any]:
    a = record.assessment or {}
    referral = a.get("referral") or {"urgency": "none", "reasons": []}
    outcomes = record.outcomes
    name = full_name(record.patient)
    out: dict[str, Any] = {
        "title": f"Letter to the physician of {name}",
        "clinic": record.clinic,
        "today": day(record.today),
        "practitioner": record.practitioner,
        "patient": {**record.patient, "name": name, "born": day(record.patient["birth_date"])},
        "assessed_on": day(a.get("assessed_on")),
        "has_assessment": bool(a),
        "urgency": referral["urgency"],
        "urgency_meaning": URGENCY[referral["urgency"]],
        "reasons": referral["reasons"],
        "red_flags": _red_flags(a),
        "medications": _medications(a),
        "needling": a.get("needling"),
        "sessions": session_rows(record.sessions),
        "evidence": a.get("evidence", ""),
        "disclaimer": a.get("disclaimer", ""),
        "outcomes": None,
    }
    if outcomes is not None:
        out["outcomes"] = {
            "lines": outcome_lines(outcomes),
            "chart": mark_safe(  # noqa: S308 (charts.py escapes every text it writes)
                weekly_chart(
                    outcomes,
                    f"{name}: cramps per week, worst severity and pain across the course",
                    session_points(record.sessions),
                    chart_id="letter-chart",
                )
            ),
            "table": chart_table(outcomes),
            "missing": outcomes.get("missing", []),
            "sources": _sources(
                cite(kb, [s for s in outcomes.get("sources", []) if s in kb.sources])
            ),
        }
    return out
