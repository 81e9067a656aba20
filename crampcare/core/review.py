"""The review prompt: when the patient page asks "improving: continue; not improving: reassess
or refer". Due at the plan's review sessions and when the diary shows worsening past a threshold
(a Decision, listed in docs/knowledge-base.md). Pure: the course state and the outcomes of
``core/outcomes.py`` are passed in."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from crampcare.core.outcomes import ratio, up_by

WORSENING_PERCENT = 50  # review prompt: frequency up by at least 50 % over baseline ... (Decision)
WORSENING_WEEKS = 2  # ... in this many consecutive weeks (Decision)
QUESTION = "Improving: continue. Not improving: reassess or refer."


def worsening(result: Mapping[str, Any]) -> int | None:
    """The latest week of ``WORSENING_WEEKS`` consecutive treatment weeks whose frequency is at
    least ``WORSENING_PERCENT`` % above the baseline, or None. A zero or missing baseline
    never counts as worsening (no percentage of zero)."""
    base = result["baseline"]["weekly_frequency"]
    if not base:
        return None
    counted = [w for w in result["weeks"] if w["week"] >= 1 and w["frequency"] is not None]
    tail = counted[-WORSENING_WEEKS:]
    if len(tail) < WORSENING_WEEKS or tail[-1]["week"] - tail[0]["week"] != WORSENING_WEEKS - 1:
        return None
    if all(up_by(ratio(w["frequency"]), ratio(base), WORSENING_PERCENT) for w in tail):
        return int(tail[-1]["week"])
    return None


def review_prompt(
    course_state: Mapping[str, Any] | None,
    result: Mapping[str, Any] | None,
    decided: Collection[str] = (),
) -> dict[str, Any] | None:
    """Whether the patient page should ask "improving: continue; not improving: reassess or
    refer". Due at the plan's review sessions (the latest review number at or before the
    session in progress or next, until a decision is recorded for it) and when the diary shows
    worsening (``worsening``). ``decided`` holds the keys already decided ("session:4",
    "worsening:week:6"). None without a course."""
    if course_state is None:
        return None
    reviews = sorted(course_state["review_at"])
    nxt = course_state["next"]
    reached = course_state["in_progress"] or (nxt["number"] if nxt else course_state["done"] + 1)
    week = worsening(result) if result is not None else None
    if week is not None and f"worsening:week:{week}" not in decided:
        base = result["baseline"]["weekly_frequency"] if result else None
        return {
            "due": True,
            "reason": "worsening",
            "key": f"worsening:week:{week}",
            "session_number": reached,
            "why": (
                f"the diary shows {WORSENING_WEEKS} weeks in a row (to week {week}) with cramps "
                f"at least {WORSENING_PERCENT} % more frequent than the baseline ({base} a week)"
            ),
            "question": QUESTION,
        }
    past = [r for r in reviews if r <= reached]
    if past and f"session:{past[-1]}" not in decided:
        return {
            "due": True,
            "reason": "review_session",
            "key": f"session:{past[-1]}",
            "session_number": past[-1],
            "why": f"the plan reviews progress at session {past[-1]}",
            "question": QUESTION,
        }
    ahead = [r for r in reviews if r > reached]
    return {
        "due": False,
        "reason": None,
        "key": None,
        "session_number": ahead[0] if ahead else None,
        "why": f"next review at session {ahead[0]}" if ahead else "no review left in the plan",
        "question": QUESTION,
    }
