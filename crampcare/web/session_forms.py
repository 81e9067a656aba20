"""The session page's HTML forms mapped to ``crampcare.session/1`` fragments, and back.

Form fields are named by their contract path (``points[2].depth_mm``, ``measures.pain_before``,
``note.plan``), so a use case's error path names the field it belongs to without a table.
Numbers are read when they are numbers; anything else is passed on as typed, and the use case
names the field and says what is valid. Blank point rows are left out (they are the page's
spare rows); ``positions[]`` rows are left out when unticked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from crampcare.clinic import input_limits
from crampcare.web.intake_fields import field_id

POINT_PARTS = ("code", "side", "region", "depth_mm", "stimulation", "reason")
ELECTRICAL_PARTS = ("frequency_hz", "intensity_ma", "minutes", "waveform")
ROM_PARTS = ("region", "movement", "degrees", "when")
# the words the page shows for the contract's ids
STIMULATIONS = {"manual": "Manual", "electrical": "Electrical"}
WAVEFORMS = {
    "continuous": "Continuous",
    "dense_disperse": "Dense-disperse",
    "intermittent": "Intermittent",
}
GLOBAL_CHANGE = {
    "very_much_improved": "Very much improved",
    "much_improved": "Much improved",
    "minimally_improved": "Minimally improved",
    "no_change": "No change",
    "minimally_worse": "Minimally worse",
    "much_worse": "Much worse",
    "very_much_worse": "Very much worse",
}
ADVERSE_KINDS = {
    "fainting": "Fainting",
    "bleeding_bruising": "Bleeding or bruising",
    "pain": "Pain",
    "stuck_needle": "Stuck needle",
    "bent_needle": "Bent needle",
    "broken_needle": "Broken needle",
    "retained_needle": "Retained needle",
    "lost_needle": "Lost needle",
    "pneumothorax_symptoms": "Symptoms of pneumothorax",
    "other": "Other",
}
SEVERITIES = {"mild": "Mild", "moderate": "Moderate", "severe": "Severe"}
ROM_REGIONS = {"neck": "Neck", "low_back": "Low back", "upper_back": "Upper back"}
MOVEMENTS = {
    "flexion": "Flexion",
    "extension": "Extension",
    "lateral_flexion_left": "Side bending, left",
    "lateral_flexion_right": "Side bending, right",
    "rotation_left": "Rotation, left",
    "rotation_right": "Rotation, right",
}
NOTE_PARTS = {
    "subjective": "Subjective",
    "objective": "Objective",
    "assessment": "Assessment",
    "plan": "Plan",
}
ROW = re.compile(r"^(points|measures\.range_of_motion)\[([0-9]{1,3})\]\.")


def number(text: str) -> Any:
    """``"25"`` -> 25, ``"1.5"`` -> 1.5, ``""`` -> None, anything else as typed (so that the
    use case names the field): only plain ASCII decimals within ``input_limits`` are numbers."""
    text = text.strip()
    if not text:
        return None
    value = input_limits.form_number(text)
    return text if value is None else value


def _rows(post: Mapping[str, Any], prefix: str) -> list[int]:
    found = {int(m.group(2)) for k in post if (m := ROW.match(k)) and m.group(1) == prefix}
    return sorted(found)


def _raw_point(post: Mapping[str, Any], i: int) -> dict[str, str]:
    return {part: str(post.get(f"points[{i}].{part}", "")).strip() for part in POINT_PARTS}


def _point(raw: dict[str, str], post: Mapping[str, Any], i: int) -> dict[str, Any]:
    point: dict[str, Any] = {"code": raw["code"].upper(), "side": raw["side"] or "both"}
    if raw["region"]:
        point["region"] = raw["region"]
    if raw["depth_mm"]:
        point["depth_mm"] = number(raw["depth_mm"])
    point["stimulation"] = raw["stimulation"] or "manual"
    if point["stimulation"] == "electrical":
        electrical = {}
        for part in ELECTRICAL_PARTS:
            text = str(post.get(f"points[{i}].electrical.{part}", "")).strip()
            if text:
                electrical[part] = text if part == "waveform" else number(text)
        point["electrical"] = electrical
    if raw["reason"]:
        point["reason"] = raw["reason"]
    return point


def point_id(code: str, region: str | None) -> str:
    """A plan point's id (as ``crampcare.clinic.plans.point_id``): the code, or ASHI@region."""
    code = code.upper().replace("-", "")
    return f"ASHI@{region}" if code == "ASHI" and region else code


def record_from_post(post: Any, planned: Iterable[str], live: bool = True) -> dict[str, Any]:
    """The record form as an update for the use case: points (a row ticked "not needled" that
    is a plan point becomes an omission with its reason), positions, measures and SOAP note;
    only the measures and the note once the session is closed (``live`` false). The page is
    drawn again from this update when it is refused, so the list indices in the use case's
    error paths are the rows of the form drawn again."""
    plan_ids = set(planned)
    points, omitted = [], []
    for i in _rows(post, "points"):
        raw = _raw_point(post, i)
        if not raw["code"]:
            continue
        if post.get(f"points[{i}].drop"):
            pid = point_id(raw["code"], raw["region"] or None)
            if pid in plan_ids:
                omitted.append({"point": pid, "reason": raw["reason"]})
            continue
        points.append(_point(raw, post, i))
    measures: dict[str, Any] = {}
    for name in ("pain_before", "pain_after"):
        value = number(str(post.get(f"measures.{name}", "")))
        if value is not None:
            measures[name] = value
    if post.get("measures.global_change"):
        measures["global_change"] = str(post["measures.global_change"])
    rom = []
    for i in _rows(post, "measures.range_of_motion"):
        name = f"measures.range_of_motion[{i}]"
        row = {part: str(post.get(f"{name}.{part}", "")).strip() for part in ROM_PARTS}
        if row["degrees"]:
            rom.append({**row, "degrees": number(row["degrees"])})
    if rom:
        measures["range_of_motion"] = rom
    data: dict[str, Any] = {
        "measures": measures,
        "note": {part: str(post.get(f"note.{part}", "")) for part in NOTE_PARTS},
    }
    if live:
        data["points"], data["omitted"] = points, omitted
        data["positions"] = [str(p) for p in post.getlist("positions")]
    return data


def omitted_to_rows(errors: Iterable[tuple[str, str]], needled: int) -> list[tuple[str, str]]:
    """Errors about the plan points left out (``omitted[j]``) moved to the form rows that show
    them, after the ``needled`` points."""
    out = []
    for path, message in errors:
        match = re.match(r"^omitted\[(\d+)\]", path)
        if match:
            path = f"points[{needled + int(match.group(1))}]" + path[match.end() :]
        out.append((path, message))
    return out


def error_ids(errors: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """A use case's (path, message) pairs keyed by the HTML id of the field each names."""
    out: dict[str, list[str]] = {}
    for path, message in errors:
        out.setdefault(field_id(path) if path else "", []).append(message)
    return out


def summary(errors: Mapping[str, list[str]]) -> list[dict[str, str]]:
    """The error summary at the top of the page: each message, linking to its field."""
    out = []
    for fid, messages in errors.items():
        label = fid.removeprefix("f-").replace("-", " ") if fid else ""
        row = re.match(r"^points (\d+) ?(.*)$", label)
        if row:
            label = f"Point {int(row.group(1)) + 1}" + (f", {row.group(2)}" if row.group(2) else "")
        out += [{"href": f"#{fid}" if fid else "", "label": label, "message": m} for m in messages]
    return out
