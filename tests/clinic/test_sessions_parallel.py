"""Under parallel requests the database decides: eight practitioners' tablets starting a session
for one patient at once give exactly one open session (PostgreSQL; SQLite has one writer)."""

from __future__ import annotations

from crampcare.clinic import sessions
from crampcare.clinic.errors import Conflict
from crampcare.records.models import TreatmentSession
from tests.clinic.session_steps import plan_for
from tests.parallel import in_parallel, postgres_only
from tests.world import World

pytestmark = postgres_only


def test_eight_parallel_starts_open_exactly_one_session(committed_world: World) -> None:
    world = committed_world
    plan_for(world)

    def start() -> object:
        return sessions.start_session(world.alice, {"patient_id": world.ellen["id"]}, world.kb)

    outcomes = in_parallel([start] * 8)
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    started = [o for o in outcomes if isinstance(o, dict)]
    assert (len(started), len(refused)) == (1, 7), outcomes
    assert all(c.errors[0][0] == "patient_id" and "open session" in str(c) for c in refused)
    assert TreatmentSession.objects.filter(patient_id=world.ellen["id"], status="open").count() == 1
