"""A treatment session as its readers see it, and how the session use cases reach one.

The stored ``document`` holds what the page edits (points, positions, contact intervals,
adverse events, measures, note); the needle counts and the retention times live in their own
columns (atomic counts, server clock) and are put into the document here (``compose``), so that
the document a reader gets is always the whole ``crampcare.session/1`` document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from crampcare.clinic._common import stamp
from crampcare.clinic.access import uuid_key
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Conflict, NotFound
from crampcare.clinic.plans import point_id
from crampcare.kb.loader import KnowledgeBase
from crampcare.records import audit
from crampcare.records.models import (
    LOCKED_MESSAGE,
    Decision,
    SessionAddendum,
    SessionAdverseEvent,
    SessionStatus,
    TreatmentSession,
)

WHAT = "session"
NOT_IN_KB = (
    "recorded from the point catalogue: its cautions are not in the knowledge base; "
    "check them before needling"
)


def hhmm(moment: dt.datetime) -> str:
    """A server timestamp as the local clock time the session document uses."""
    return timezone.localtime(moment).strftime("%H:%M")


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def session_for(actor: Actor, session_id: object, *, lock: bool = False) -> TreatmentSession:
    """One of the actor's clinic's sessions (locked for update when asked), or ``NotFound``."""
    query = TreatmentSession.objects.select_related(
        "assessment", "plan", "signed_by", "created_by", "updated_by"
    )
    if lock:
        query = query.select_for_update(of=("self",))
    key = uuid_key(session_id)
    query = query.filter(patient__clinic_id=actor.clinic_id)
    session = query.filter(pk=key).first() if key is not None else None
    if session is None:
        raise NotFound(f"no session {session_id}")
    return session


def require_status(session: TreatmentSession, *allowed: str) -> None:
    """Refuse (409) a change the session's status does not allow, saying what to do instead."""
    if session.status in allowed:
        return
    if session.status == SessionStatus.LOCKED:
        raise Conflict(LOCKED_MESSAGE, "status")
    if session.status == SessionStatus.CLOSED:
        raise Conflict(
            "the session is closed: only the measures, the note and adverse events can change "
            "until it is signed",
            "status",
        )
    raise Conflict("the session is still open: close it first", "status")


def refuse(problems: Iterable[tuple[str, str]]) -> Conflict:
    """One 409 listing every problem (closing reports them all at once)."""
    items = list(dict.fromkeys(problems))
    error = Conflict("; ".join(f"{f}: {m}" if f else m for f, m in items), items[0][0])
    error.errors = items
    return error


def save(session: TreatmentSession, actor: Actor, *fields: str) -> None:
    session.stamp(actor)
    session.save(update_fields=[*fields, "updated_at", "updated_by"])


def record(actor: Actor, verb: str, session: TreatmentSession, /, **detail: Any) -> None:
    audit.append(actor, verb, WHAT, session.id, patient_id=session.patient_id, detail=detail)


def compose(session: TreatmentSession) -> dict[str, Any]:
    """The whole ``crampcare.session/1`` document: the stored one with the counted needles and
    the retention times (local HH:MM) put in."""
    doc = dict(session.document)
    needles: dict[str, Any] = {
        "inserted": session.needles_inserted,
        "removed": session.needles_removed,
    }
    if session.needle_lot:
        needles["lot"] = session.needle_lot
    retention: dict[str, str] = {}
    if session.retention_started_at:
        retention["start"] = hhmm(session.retention_started_at)
    if session.retention_ended_at:
        retention["end"] = hhmm(session.retention_ended_at)
    doc["needles"], doc["retention"] = needles, retention
    return doc


def plan_points(session: TreatmentSession) -> dict[str, Any]:
    """The points the plan prescribes (accepted or added), by point id."""
    return {p.point: p for p in session.plan.points.all() if p.decision != Decision.REMOVED}


def changes_from_plan(session: TreatmentSession) -> list[dict[str, Any]]:
    planned = plan_points(session)
    out = []
    for p in session.document.get("points", []):
        pid = point_id(p["code"], p.get("region"))
        if pid not in planned:
            out.append({"point": pid, "change": "added", "reason": p.get("reason")})
    for o in session.omitted:
        out.append({"point": o["point"], "change": "left_out", "reason": o["reason"]})
    return out


def point_info(code: str, kb: KnowledgeBase) -> dict[str, Any]:
    entry = getattr(kb, "catalogue", {}).get(code)
    kb_point = kb.points.get(code)
    names: tuple[str | None, ...] = (None, None, None, None)
    if kb_point is not None:
        k = kb_point
        names = (k.pinyin, k.chinese_traditional, k.english, k.meridian)
    elif entry is not None:
        names = (entry.pinyin, entry.hanzi, entry.english, entry.meridian)
    return {
        "code": code,
        "display_code": entry.display_code if entry is not None else code,
        "pinyin": names[0],
        "hanzi": names[1],
        "english": names[2],
        "meridian": names[3],
        "in_kb": kb_point is not None,
        "note": "" if kb_point is not None else NOT_IN_KB,
    }


def event_dict(e: SessionAdverseEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "severity": e.severity,
        "serious": e.serious,
        "action": e.action,
        "description": e.description,
        "at": e.at,
        "recorded_at": e.created_at,
        "recorded_by": None if e.created_by is None else e.created_by.get_username(),
    }


def _window(session: TreatmentSession) -> dict[str, Any]:
    span = session.assessment.result.get("session", {}).get("retention_minutes") or {}
    low, high = span.get("min"), span.get("max")
    start = session.retention_started_at
    return {
        "started_at": start,
        "ended_at": session.retention_ended_at,
        "window": {"min": low, "max": high},
        "ends_earliest": start + dt.timedelta(minutes=low) if start and low else None,
        "ends_latest": start + dt.timedelta(minutes=high) if start and high else None,
    }


def permission(result: dict[str, Any], key: str) -> dict[str, Any]:
    part = result.get(key) or {}
    return {"allowed": bool(part.get("allowed")), "reason": str(part.get("reason", ""))}


# what session_dict reads beside the session row: fetched for many sessions at once, three
# queries whatever their number (tests/web/test_query_counts.py)
PARTS = (
    Prefetch("adverse_events", queryset=SessionAdverseEvent.objects.select_related("created_by")),
    Prefetch("addenda", queryset=SessionAddendum.objects.select_related("author")),
    "plan__points",
)


def session_dicts(sessions: list[TreatmentSession], kb: KnowledgeBase) -> list[dict[str, Any]]:
    """``session_dict`` of each, their parts fetched together."""
    prefetch_related_objects(sessions, *PARTS)
    return [session_dict(s, kb) for s in sessions]


def session_dict(session: TreatmentSession, kb: KnowledgeBase) -> dict[str, Any]:
    prefetch_related_objects([session], *PARTS)  # nothing when session_dicts fetched them
    doc = compose(session)
    result = session.assessment.result
    started = session.contact_started_at
    events = session.adverse_events.all()
    addenda = session.addenda.all()
    return {
        "id": session.id,
        "patient_id": session.patient_id,
        "plan_id": session.plan_id,
        "assessment_id": session.assessment_id,
        "status": session.status,
        "date": session.date,
        "document": doc,
        "needles": {
            "inserted": session.needles_inserted,
            "removed": session.needles_removed,
            "lot": session.needle_lot or None,
        },
        "retention": _window(session),
        "contact": {
            "open": None
            if started is None
            else {
                "start": hhmm(started),
                "started_at": started,
                "electrical": session.contact_electrical,
                "reinsertion": session.contact_reinsertion,
            },
            "intervals": doc.get("contact", []),
        },
        "electroacupuncture": permission(result, "electroacupuncture"),
        "needling": permission(result, "needling"),
        "positions_allowed": list(result.get("session", {}).get("positions", [])),
        "points_info": [point_info(p["code"], kb) for p in doc.get("points", [])],
        "changes_from_plan": changes_from_plan(session),
        "omitted": list(session.omitted),
        "adverse_events": [event_dict(e) for e in events],
        "addenda": [
            {
                "id": a.id,
                "author": a.author.get_username(),
                "at": a.at,
                "reason": a.reason,
                "text": a.text,
            }
            for a in addenda
        ],
        "signed_by": None if session.signed_by is None else session.signed_by.get_username(),
        "signed_at": session.signed_at,
        **stamp(session),
    }
