"""The rules for a session's points beyond the session contract: each change from the plan
carries its reason, and the assessment's safety decisions hold (points to avoid, electrical
stimulation, positions). Each rule returns ``(field, message)`` problems."""

from __future__ import annotations

from typing import Any

from crampcare.clinic.plans import point_id
from crampcare.clinic.session_view import plan_points
from crampcare.core.session import Session
from crampcare.records.models import TreatmentSession


def plan_problems(
    parsed: Session, omitted: list[dict[str, str]], session: TreatmentSession
) -> list[tuple[str, str]]:
    """A point not in the plan needs its reason; so does a plan point left out."""
    planned = plan_points(session)
    problems: list[tuple[str, str]] = []
    needled: dict[tuple[str, str], int] = {}
    for i, p in enumerate(parsed.points):
        pid = point_id(p.code, p.region)
        if (pid, p.side) in needled:
            problems.append(
                (f"points[{i}].code", f"{pid} ({p.side}) is already points[{needled[pid, p.side]}]")
            )
        needled.setdefault((pid, p.side), i)
        if pid not in planned and not p.reason:
            problems.append(
                (f"points[{i}].reason", f"{pid} is not in the plan: say why it is needled")
            )
    needled_ids = {pid for pid, _ in needled}
    left_out = set()
    for j, o in enumerate(omitted):
        if o["point"] not in planned:
            valid = ", ".join(planned) or "none"
            problems.append((f"omitted[{j}].point", f"not a point of the plan; plan: {valid}"))
        elif o["point"] in needled_ids:
            problems.append(
                (f"omitted[{j}].point", f"{o['point']} is needled: take it out of points or here")
            )
        left_out.add(o["point"])
    for pid in planned:
        if pid not in needled_ids and pid not in left_out:
            problems.append(("omitted", f"{pid} of the plan is left out: give the reason"))
    return problems


def safety_problems(parsed: Session, result: dict[str, Any]) -> list[tuple[str, str]]:
    """Points the assessment says to avoid, electrical stimulation where it is not allowed,
    positions the assessment does not allow."""
    avoid = {a["code"]: a.get("reason", "") for a in result.get("avoid_points", [])}
    electro = result.get("electroacupuncture") or {}
    allowed_positions = result.get("session", {}).get("positions") or []
    problems: list[tuple[str, str]] = []
    for i, p in enumerate(parsed.points):
        if p.code in avoid:
            problems.append(
                (
                    f"points[{i}].code",
                    f"{p.code} is to be avoided for this patient: {avoid[p.code]}",
                )
            )
        if p.stimulation == "electrical" and not electro.get("allowed"):
            problems.append(
                (
                    f"points[{i}].stimulation",
                    "electrical stimulation is not allowed for this patient: "
                    f"{electro.get('reason', '')}",
                )
            )
    for i, position in enumerate(parsed.positions):
        if position not in allowed_positions:
            problems.append(
                (
                    f"positions[{i}]",
                    f"{position} is not a position this assessment allows: "
                    f"{', '.join(allowed_positions) or 'none'}",
                )
            )
    return problems
