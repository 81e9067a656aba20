"""Steps shared by the session tests: a plan for Ellen, a session started from it, a clock the
test sets, and a session run to the point of closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from crampcare.clinic import assessments, plans, sessions
from tests.factories import make_intake
from tests.world import World


class Clock:
    """The server clock, set by the test: ``clock.at("10:05")``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.day = timezone.localdate()
        self.now = self._moment("09:00")
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def _moment(self, hhmm: str) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.day, dt.time.fromisoformat(hhmm)))

    def at(self, hhmm: str) -> dt.datetime:
        self.now = self._moment(hhmm)
        return self.now


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch: pytest.MonkeyPatch, db: Any) -> Clock:
    return Clock(monkeypatch)


def suggested(assessment: dict[str, Any]) -> list[str]:
    return [plans.point_id(p["code"], p["region"]) for p in assessment["result"]["points"]]


def plan_for(world: World, assessment: dict[str, Any] | None = None) -> dict[str, Any]:
    """A plan accepting every suggestion of ``assessment`` (Ellen's first by default)."""
    a = assessment or world.assessment
    return plans.create_plan(world.alice, a["id"], {"accepted": suggested(a)}, world.kb)


def assess(world: World, **intake: Any) -> dict[str, Any]:
    return assessments.create_assessment(
        world.alice, {"patient_id": world.ellen["id"], "intake": make_intake(**intake)}, world.kb
    )


def start(world: World, **data: Any) -> dict[str, Any]:
    return sessions.start_session(world.alice, {"patient_id": world.ellen["id"], **data}, world.kb)


def count(world: World, sid: object, which: str, times: int, delta: int = 1) -> dict[str, Any]:
    s: dict[str, Any] = {}
    for _ in range(times):
        s = sessions.count_needles(world.alice, sid, {"which": which, "delta": delta})
    return s


def run_session(world: World, clock: Clock, sid: object, needles: int = 6) -> dict[str, Any]:
    """Needles in at 10:00, retention 10:05-10:30 with the practitioner in the room at the
    start and the end, the lot recorded, every needle out: ready to close."""
    clock.at("10:00")
    sessions.contact(world.alice, sid, {"action": "enter"})
    count(world, sid, "inserted", needles)
    clock.at("10:05")
    sessions.retention(world.alice, sid, {"action": "start"})
    sessions.contact(world.alice, sid, {"action": "leave"})
    clock.at("10:25")
    sessions.contact(world.alice, sid, {"action": "enter", "reinsertion": True})
    clock.at("10:30")
    sessions.retention(world.alice, sid, {"action": "end"})
    count(world, sid, "removed", needles)
    sessions.contact(world.alice, sid, {"action": "leave"})
    return sessions.update_session(world.alice, sid, {"lot": "HW-2026-0412"}, world.kb)


def unplanned(world: World) -> str:
    """A knowledge-base point Ellen's plan does not hold."""
    ids = suggested(world.assessment)
    return next(code for code in world.kb.points if code not in ids and code != "ASHI")
