"""Parallel requests against a committed database (PostgreSQL): the rules that must hold under
races are database constraints, and these helpers let a test fire requests at once.

``committed_world`` commits the named world so that other threads (each with its own
connection) see it. The flush that ends such a test empties every table, but the append-only
audit triggers refuse it: the test's connection skips triggers for that flush
(``session_replication_role``) and turns them back on after it. (Chain heads are made on first
use, so the emptied tables need nothing put back.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from tests.world import World, build_world

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel writes are tested on PostgreSQL"
)


@pytest.fixture
def _triggers_back_after_flush(django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def committed_world(_triggers_back_after_flush: None, transactional_db: Any) -> Iterator[World]:
    yield build_world()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")


def in_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread (own connection), released together by a barrier.
    Each result is what the call returned, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each call gave
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
