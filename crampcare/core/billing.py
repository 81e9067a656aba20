"""CPT codes for acupuncture from ``crampcare.session/1`` documents (clinical-facts section 5.5).

The rules, as the code applies them:

- Only personal one-on-one contact counts: the session's ``contact`` intervals. Retention while
  the practitioner is out of the room is not counted.
- A patient's contact on one day (all their sessions that day, grouped by ``patient`` and
  ``date``) is taken in time order and cut into 15-minute increments. Minutes two sessions share
  are counted once, and the overlap is reported as an issue.
- The first increment of the patient's day is the one initial code: 97813 if electrical
  stimulation was used in it, else 97810. Every later increment is an add-on: 97814 with
  stimulation in it, else 97811, and only with a re-insertion in it; without one it is not billed
  and ``not_billed`` says why. A re-insertion is dated at the start of the contact interval that
  records it (Decision in docs/design.md).
- A last, partial increment counts when more than half of it (8 of 15 minutes) has passed:
  CPT's midpoint rule for time units. Whether it applies to the acupuncture codes is not
  verified, so every increment it decides says so, and ``issues`` names the rule.
- A session whose needle counts differ without a retained or lost needle incident is refused
  (``Unbillable``): a bill is never made from an unreconciled needle record.

The result: ``{"lines": [{"date", "patient", "code", "description", "units", "increments",
"because"}],
"total_units", "issues", "not_billed", "diagnoses"}``; identical consecutive codes of one
patient's day are merged into one line with its units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from crampcare.core.billing_diagnoses import diagnoses
from crampcare.core.session import Session, needle_problems
from crampcare.core.session_rules import minutes

INCREMENT: Final = 15
MIDPOINT: Final = 8  # minutes of a partial increment that attain a unit (CPT midpoint rule)
DESCRIPTIONS: Final = {
    "97810": "acupuncture without electrical stimulation, initial 15 minutes",
    "97811": "acupuncture without electrical stimulation, each additional 15 minutes, with "
    "re-insertion",
    "97813": "acupuncture with electrical stimulation, initial 15 minutes",
    "97814": "acupuncture with electrical stimulation, each additional 15 minutes, with "
    "re-insertion",
}
ROUNDING_ISSUE: Final = (
    "UNVERIFIED rule: a partial increment is billed when more than half of it (8 of 15 minutes) "
    "has passed, CPT's midpoint rule for time units; whether payers apply it to the acupuncture "
    "codes is not verified here: check before submitting"
)
PAYER_ISSUE: Final = (
    "UNVERIFIED rule: payer limits are not applied (for example Medicare covers acupuncture only "
    "for chronic low back pain, since 2020, with visit caps): check the patient's coverage"
)


class Unbillable(Exception):
    """Sessions that cannot be billed, as (field path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        lines = "\n".join(f"  {path}: {msg}" for path, msg in errors)
        super().__init__(f"not billed ({len(errors)} problem(s)):\n{lines}")


@dataclass(frozen=True)
class Increment:
    number: int  # 1-based, within the patient's day
    minutes: tuple[int, ...]  # the clock minutes of contact in it
    electrical: bool
    reinsertion: int | None  # the clock minute of a re-insertion in it

    @property
    def partial(self) -> bool:
        return len(self.minutes) < INCREMENT

    def describe(self) -> str:
        return f"increment {self.number}, {_spans(self.minutes)} ({len(self.minutes)} min)"


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _spans(mins: Sequence[int]) -> str:
    """Contiguous runs of clock minutes: "10:00-10:10, 10:25-10:30"."""
    runs: list[list[int]] = []
    for m in mins:
        if runs and m == runs[-1][1]:
            runs[-1][1] = m + 1
        else:
            runs.append([m, m + 1])
    return ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in runs)


def increments(sessions: Sequence[Session]) -> list[Increment]:
    """One patient's day of contact, in time order, cut into 15-minute increments."""
    electrical: dict[int, bool] = {}
    reinsertions: set[int] = set()
    for session in sessions:
        for c in session.contact:
            start, end = minutes(c.start), minutes(c.end)
            for m in range(start, end):
                electrical[m] = electrical.get(m, False) or c.electrical
            if c.reinsertion:
                reinsertions.add(start)
    timeline = sorted(electrical)
    out = []
    for i in range(0, len(timeline), INCREMENT):
        chunk = tuple(timeline[i : i + INCREMENT])
        found = [m for m in chunk if m in reinsertions]
        out.append(
            Increment(
                number=i // INCREMENT + 1,
                minutes=chunk,
                electrical=any(electrical[m] for m in chunk),
                reinsertion=found[0] if found else None,
            )
        )
    return out


def _decide(inc: Increment) -> tuple[str | None, list[str]]:
    """The code of one increment (None: not billed) and why."""
    why: list[str] = []
    stim = "electrical stimulation used in it" if inc.electrical else "no electrical stimulation"
    if inc.partial:
        attained = len(inc.minutes) >= MIDPOINT
        why.append(
            f"a partial increment of {len(inc.minutes)} min: "
            + (
                "counts, more than half (8 of 15 min) has passed"
                if attained
                else "does not count, half (8 of 15 min) has not passed"
            )
            + " (midpoint rule, UNVERIFIED for acupuncture)"
        )
        if not attained:
            return None, why
    if inc.number == 1:
        return ("97813" if inc.electrical else "97810"), [
            f"the initial increment of the patient's day; {stim}",
            *why,
        ]
    if inc.reinsertion is None:
        return None, [
            "no re-insertion in it: an additional increment needs one (a re-insertion is dated "
            "at the start of the contact interval that records it)",
            *why,
        ]
    return ("97814" if inc.electrical else "97811"), [
        f"an additional increment with re-insertion at {_clock(inc.reinsertion)}; {stim}",
        *why,
    ]


def _label(labels: Sequence[str] | None, i: int) -> str:
    return labels[i] if labels is not None else f"session {i + 1}"


def _overlaps(group: list[tuple[int, Session]], labels: Sequence[str] | None) -> list[str]:
    issues = []
    for a, (i, first) in enumerate(group):
        for j, second in group[a + 1 :]:
            pairs = [
                (x, y)
                for x in first.contact
                for y in second.contact
                if minutes(x.start) < minutes(y.end) and minutes(y.start) < minutes(x.end)
            ]
            if pairs:
                x, y = pairs[0]
                issues.append(
                    f"{_label(labels, i)} and {_label(labels, j)} overlap in time "
                    f"({x.start}-{x.end} and {y.start}-{y.end}): the shared minutes are counted "
                    "once; check the times"
                )
    return issues


def _consistency(session: Session, label: str) -> list[str]:
    points = any(p.stimulation == "electrical" for p in session.points)
    contact = any(c.electrical for c in session.contact)
    if points and session.contact and not contact:
        return [
            f"{label}: points have electrical stimulation but no contact interval is marked "
            "electrical: the codes follow the contact intervals (without stimulation)"
        ]
    if contact and not points:
        return [
            f"{label}: a contact interval is marked electrical but no point has electrical "
            "stimulation: check the record"
        ]
    return []


def _refuse(sessions: Sequence[Session], labels: Sequence[str] | None) -> None:
    errors = [
        (f"{_label(labels, i)}: {field}", message)
        for i, session in enumerate(sessions)
        for field, message in needle_problems(session)
        if field == "needles"
    ]
    if errors:
        raise Unbillable(errors)


def bill(
    sessions: Sequence[Session],
    assessment: Mapping[str, Any] | None = None,
    labels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The CPT lines for these sessions, with reasons, issues and the assessment's diagnoses.

    ``labels`` name the sessions in messages (file names); by default "session 1", "session 2".
    Raises ``Unbillable`` when a session's needle counts differ without an incident."""
    _refuse(sessions, labels)
    groups: dict[tuple[dt.date, str], list[tuple[int, Session]]] = {}
    issues: list[str] = []
    for i, session in enumerate(sessions):
        label = _label(labels, i)
        issues += _consistency(session, label)
        if session.needles.lot is None:
            issues.append(f"{label}: needles.lot: the needle lot number is not recorded")
        if not session.contact:
            issues.append(f"{label}: no contact time is recorded: nothing is billed for it")
            continue
        groups.setdefault((session.date, session.patient or ""), []).append((i, session))
    lines: list[dict[str, Any]] = []
    not_billed: list[dict[str, Any]] = []
    rounded = False
    for (date, patient), group in sorted(groups.items()):
        group.sort(key=lambda item: minutes(item[1].contact[0].start))
        if not patient and len(group) > 1:
            issues.append(
                f"{date.isoformat()}: {len(group)} sessions without a patient key are billed as "
                "one patient's day (one initial code)"
            )
        issues += _overlaps(group, labels)
        for inc in increments([s for _, s in group]):
            code, why = _decide(inc)
            rounded = rounded or inc.partial
            entry = {"date": date.isoformat(), "patient": patient or None}
            because = f"{inc.describe()}: " + "; ".join(why)
            if code is None:
                not_billed.append({**entry, "increment": inc.number, "because": because})
            elif lines and [lines[-1][k] for k in ("date", "patient", "code")] == [
                entry["date"],
                entry["patient"],
                code,
            ]:
                lines[-1]["units"] += 1
                lines[-1]["increments"].append(inc.number)
                lines[-1]["because"].append(because)
            else:
                lines.append(
                    {
                        **entry,
                        "code": code,
                        "description": DESCRIPTIONS[code],
                        "units": 1,
                        "increments": [inc.number],
                        "because": [because],
                    }
                )
    if rounded:
        issues.append(ROUNDING_ISSUE)
    if lines:
        issues.append(PAYER_ISSUE)
    return {
        "lines": lines,
        "total_units": sum(line["units"] for line in lines),
        "issues": issues,
        "not_billed": not_billed,
        "diagnoses": diagnoses(assessment),
    }
