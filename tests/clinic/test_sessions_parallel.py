"""Under parallel requests the database decides: eight practitioners' tablets starting a session
for one patient at once give exactly one open session (PostgreSQL; SQLite has one writer)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

from crampcare.clinic import sessions
from crampcare.clinic.errors import Conflict
from crampcare.records.models import AuditHead, TreatmentSession
from tests.clinic.session_steps import plan_for
from tests.world import World, build_world

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel transactions need PostgreSQL"
)
GENESIS = "0" * 64


@pytest.fixture
def audit_head_restored(django_db_blocker: Any) -> Iterator[None]:
    """Set up before ``transactional_db`` and torn down after its flush: the flush empties the
    append-only audit log (with triggers off for this connection), and this puts back the chain's
    head row that migration 0002 made and the triggers."""
    yield
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
        AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})


@pytest.fixture
def committed_world(transactional_db: Any) -> Iterator[World]:
    world = build_world()
    plan_for(world)
    yield world
    with connection.cursor() as cursor:  # the flush TRUNCATEs the append-only audit log
        cursor.execute("SET session_replication_role = replica")


def test_eight_parallel_starts_open_exactly_one_session(
    audit_head_restored: None, committed_world: World
) -> None:
    world = committed_world
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def start() -> None:
        try:
            barrier.wait(timeout=30)
            sessions.start_session(world.alice, {"patient_id": world.ellen["id"]}, world.kb)
            outcomes.append("started")
        except Conflict as exc:
            assert exc.errors[0][0] == "patient_id" and "open session" in str(exc)
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * 7 + ["started"]
    assert TreatmentSession.objects.filter(patient_id=world.ellen["id"], status="open").count() == 1
