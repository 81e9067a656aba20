"""The plan form <-> the plans use case's body: accept or remove each suggested point (a removal
with its reason) and add points (each with its reason). Like ``crampcare.web.forms`` it holds
no clinical rule: every decision is checked by ``crampcare.clinic.plans``, whose error paths are
mapped back to the fields here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

MAX_ADDED_ROWS = 30

ADDED_KEY = re.compile(r"^added\[([0-9]{1,3})\]\.(code|side|region|reason)$")
ADDED_PARTS = ("code", "side", "region", "reason")


@dataclass
class PlanForm:
    decisions: dict[str, str] = field(default_factory=dict)  # point id -> accept | remove
    reasons: dict[str, str] = field(default_factory=dict)
    added: list[dict[str, str]] = field(default_factory=list)
    note: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)


def plan_from_post(
    post: QueryDict, suggested: list[str]
) -> tuple[dict[str, Any], PlanForm, list[str], list[int]]:
    """The plan body (accepted, removed with reasons, added with reasons, note) a posted form
    describes; the form state; the point id of each removal; the form row of each addition."""
    form = PlanForm(note=post.get("note", ""))
    body: dict[str, Any] = {"accepted": [], "removed": [], "added": [], "note": form.note}
    removed_ids: list[str] = []
    for pid in suggested:
        decision = post.get(f"decision.{pid}", "")
        reason = post.get(f"reason.{pid}", "")
        form.decisions[pid], form.reasons[pid] = decision, reason
        if decision == "accept":
            body["accepted"].append(pid)
        elif decision == "remove":
            body["removed"].append({"point": pid, "reason": reason})
            removed_ids.append(pid)
        else:
            form.errors.append((f"decision.{pid}", "choose accept or remove"))
    rows: dict[int, dict[str, str]] = {}
    for key in post:
        match = ADDED_KEY.match(key)
        if match and int(match.group(1)) < MAX_ADDED_ROWS:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = post.get(key, "")
    added_rows: list[int] = []
    for index in sorted(rows):
        row = {part: rows[index].get(part, "") for part in ADDED_PARTS}
        form.added.append(row)
        if not (row["code"].strip() or row["reason"].strip() or row["region"].strip()):
            continue  # an empty row: nothing added (the side has a default)
        body["added"].append(
            {
                "code": row["code"],
                "side": row["side"],
                "region": row["region"] or None,
                "reason": row["reason"],
            }
        )
        added_rows.append(len(form.added) - 1)
    return body, form, removed_ids, added_rows


ITEM = re.compile(r"^(removed|added)\[(\d+)\](?:\.(\w+))?$")


def plan_field(path: str, removed_ids: list[str], added_rows: list[int]) -> str:
    """The form field an error path of the plan use case names."""
    match = ITEM.match(path)
    if match:
        kind, index, part = match.group(1), int(match.group(2)), match.group(3) or ""
        if kind == "removed" and index < len(removed_ids):
            pid = removed_ids[index]
            return f"reason.{pid}" if part == "reason" else f"decision.{pid}"
        if kind == "added" and index < len(added_rows):
            row = added_rows[index]
            return f"added[{row}].{part or 'code'}"
    if path == "note":
        return "note"
    return ""
