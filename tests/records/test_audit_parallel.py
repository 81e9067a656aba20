"""Audited reads no longer serialise (PostgreSQL): 20 requests reading patients of two clinics
at once, each holding its transaction open a while as a page does, finish together; no
deadlock, every entry is there and both chains verify. With the head locked for the whole
request (the design before), they took one after another: 20 x the hold."""

from __future__ import annotations

import time

from django.db import transaction

from crampcare.clinic import patients
from crampcare.clinic.errors import NotFound
from crampcare.records import audit
from crampcare.records.models import AuditEntry
from tests.parallel import in_parallel, postgres_only
from tests.world import World

HOLD = 0.25  # seconds each request stays open after its audited read
REQUESTS = 20


@postgres_only
def test_reads_of_two_clinics_run_in_parallel(committed_world: World) -> None:
    world = committed_world
    readers = [(world.alice, world.ellen["id"]), (world.bert, world.otto["id"])]
    before = AuditEntry.objects.filter(action="read", record_type="patient").count()

    def request(i: int) -> str:
        actor, patient_id = readers[i % 2]
        with transaction.atomic():
            name = patients.get_patient(actor, patient_id)["family_name"]
            time.sleep(HOLD)
        return str(name)

    started = time.monotonic()
    results = in_parallel([lambda i=i: request(i) for i in range(REQUESTS)])
    elapsed = time.monotonic() - started
    print(f"{REQUESTS} audited reads holding {HOLD} s each: {elapsed:.2f} s in all")

    assert not [r for r in results if isinstance(r, Exception)], results
    assert elapsed < REQUESTS * HOLD / 3, f"{elapsed:.2f} s: the reads waited on each other"
    reads = AuditEntry.objects.filter(action="read", record_type="patient")
    assert reads.count() == before + REQUESTS
    report = audit.verify()
    assert report.ok, report.problems


@postgres_only
def test_a_refusal_is_written_after_its_request_rolls_back(committed_world: World) -> None:
    """With real transactions (no TestCase around them): the change rolls back, the refusal is
    written right after in a transaction of its own."""
    world = committed_world

    def request() -> None:
        with transaction.atomic():
            patients.update_patient(world.fran, world.nadia["id"], {"phone": "+1 555 0142"})
            patients.get_patient(world.bert, world.ellen["id"])  # another clinic's: NotFound

    [result] = in_parallel([request])
    assert isinstance(result, NotFound)
    assert AuditEntry.objects.filter(actor="bert", action="denied").count() == 1
    assert not AuditEntry.objects.filter(actor="fran", action="update").exists()
    assert audit.verify().ok
