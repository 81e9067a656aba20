"""What the assessment page shows first: how urgent, whether needling may go ahead, every red
flag and every active caution with what it changes, and the laboratory results.

The page's colour follows the worst thing present, never better: red for an urgent or emergency
referral, amber for a "soon" referral or deferred needling, a neutral "with cautions" state for
anything else the practitioner must know (a routine referral, a red flag, a caution, a point to
avoid, electroacupuncture ruled out, a laboratory value that cannot be judged, a medication or
condition not recognised), and green only
when there is nothing at all. Every state is also said in words, never by colour alone.

Older stored assessments may lack newer fields (``lab_results``, ``session.deferred``,
``course.starts``, ``stops_needling``): each is read with a default that errs on the side of
showing more danger, not less.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crampcare.kb.loader import KnowledgeBase

URGENT = ("emergency", "urgent")
URGENCY_TEXT = {
    "emergency": "send to emergency care now",
    "urgent": "same-day medical assessment",
    "soon": "see the patient's physician within days to weeks",
    "routine": "mention to the physician at the next opportunity",
    "none": "no referral needed",
}
STATE_TEXT = {
    "red": "Stop: medical assessment comes first",
    "amber": "Act before needling",
    "caution": "Cautions apply: each says what it changes",
    "clear": "Nothing found that changes the plan",
}
STATUS_TEXT = {
    "current": "Current",
    "earlier": "Earlier result (a newer one counts)",
    "stale": "Stale: too old to count",
}
JUDGEMENT_TEXT = {
    "low": "Low",
    "high": "High",
    "normal": "Within range",
    "cannot_judge": "Cannot be judged without the laboratory's range",
}
RANGE_FROM = {"laboratory": "the laboratory's", "default": "crampcare's default", "none": ""}


def _deferred(result: Mapping[str, Any]) -> bool:
    session = result.get("session") or {}
    needling = result.get("needling") or {}
    return bool(session.get("deferred", False)) or not needling.get("allowed", False)


def state(result: Mapping[str, Any]) -> str:
    """red | amber | caution | clear: the worst thing present (see the module's note)."""
    urgency = (result.get("referral") or {}).get("urgency", "none")
    if urgency in URGENT:
        return "red"
    if urgency == "soon" or _deferred(result):
        return "amber"
    electro = result.get("electroacupuncture") or {}
    labs = result.get("lab_results") or []
    if (
        urgency != "none"
        or result.get("red_flags")
        or result.get("cautions")
        or result.get("avoid_points")
        or not electro.get("allowed", False)
        or any(lab.get("judgement") == "cannot_judge" for lab in labs)
        or any((result.get("unrecognised") or {}).values())
    ):
        return "caution"
    return "clear"


def needling_heading(result: Mapping[str, Any], tone: str) -> str:
    if _deferred(result):
        return "Needling deferred"
    if tone == "clear":
        return "Needling allowed"
    return "Needling allowed with cautions"


def flag_view(flag: Mapping[str, Any]) -> dict[str, Any]:
    """An urgent or emergency flag always stops needling; a flag that stops needling stops
    electroacupuncture too (also for stored assessments made before these fields existed)."""
    stops = bool(flag.get("stops_needling", False)) or flag.get("urgency") in URGENT
    return {
        **flag,
        "stops_needling": stops,
        "stops_electroacupuncture": stops or bool(flag.get("stops_electroacupuncture", False)),
    }


def _names(values: tuple[str, ...]) -> str:
    return ", ".join(v.replace("_", "-") for v in values)


def changes(effects: Any) -> list[str]:
    """What a caution's effects change in the plan, in words."""
    out: list[str] = []
    if effects.needling_not_allowed:
        out.append("Needling is deferred")
    if effects.no_electroacupuncture:
        out.append("No electroacupuncture")
    if effects.no_bleeding_technique:
        out.append("No bleeding techniques")
    if effects.superficial_near_vessels:
        out.append("Needle superficially near large vessels")
    if effects.no_needling_at_site:
        out.append("No needling at the affected site")
    if effects.avoid_point_cautions:
        out.append(f"Points marked '{_names(effects.avoid_point_cautions)}' are left out")
    if effects.lying_only:
        out.append("Treat lying down only")
    if effects.positions_allowed:
        out.append(f"Positions only: {_names(effects.positions_allowed)}")
    if effects.needle_count_max is not None:
        out.append(f"At most {effects.needle_count_max} needles")
    if effects.retention_max_minutes is not None:
        out.append(f"Needles retained at most {effects.retention_max_minutes} minutes")
    return out


def caution_view(caution: Mapping[str, Any], kb: KnowledgeBase, same_kb: bool) -> dict[str, Any]:
    """The caution with ``changes``: read from the knowledge base the assessment was made with
    (None when it was made with another version: its effects may have changed since)."""
    entry = kb.cautions.get(caution.get("id", "")) if same_kb else None
    return {**caution, "changes": changes(entry.effects) if entry is not None else None}


def lab_view(lab: Mapping[str, Any]) -> dict[str, Any]:
    rng = lab.get("range") or {}
    low, high = rng.get("low"), rng.get("high")
    if low is None and high is None:
        shown = "none known"
    else:
        shown = f"{_num(low)}–{_num(high)}"
        source = RANGE_FROM.get(rng.get("from", ""), "")
        if source:
            shown += f" ({source})"
    status, judgement = lab.get("status", "current"), lab.get("judgement", "cannot_judge")
    return {
        **lab,
        "range_text": shown,
        "status_text": STATUS_TEXT.get(status, status),
        "judgement_text": JUDGEMENT_TEXT.get(judgement, judgement),
        "counts": status != "stale",
        "attention": status == "stale" or judgement != "normal",
    }


def _num(value: Any) -> str:
    if value is None:
        return "?"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _deferred_note(note: str, result: Mapping[str, Any]) -> str:
    """Why nothing is planned, unless the engine's note only repeats the page's own line."""
    if note and not note.lower().startswith("nothing is planned"):
        return note
    return str((result.get("needling") or {}).get("reason", "")) if not note else ""


def danger_first(result: Mapping[str, Any], kb: KnowledgeBase, kb_version: str) -> dict[str, Any]:
    """The template context of the top of the assessment page."""
    tone = state(result)
    urgency = (result.get("referral") or {}).get("urgency", "none")
    session = result.get("session") or {}
    course = result.get("course") or {}
    same_kb = kb_version == kb.version
    deferred = _deferred(result)
    return {
        "tone": tone,
        "tone_text": STATE_TEXT[tone],
        "urgency": urgency,
        "urgency_text": URGENCY_TEXT.get(urgency, urgency),
        "deferred": deferred,
        "needling_heading": needling_heading(result, tone),
        "flags": [flag_view(f) for f in result.get("red_flags") or []],
        "cautions": [caution_view(c, kb, same_kb) for c in result.get("cautions") or []],
        "labs": [lab_view(lab) for lab in result.get("lab_results") or []],
        "session_note": session.get("note", ""),
        "deferred_note": _deferred_note(session.get("note", ""), result),
        "after_clearance": deferred or course.get("starts") == "after_medical_clearance",
    }
