"""Reading a backup's rows: from its SQLite snapshot (opened as a second Django database) or
from its JSON lines, model by model in dependency order, for the restore to load."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from django.core import serializers
from django.db import connections
from django.db.models import Model

from crampcare.backup import snapshot

BATCH = 1000


@contextlib.contextmanager
def opened_sqlite(path: Path, *, migrate: bool = False) -> Iterator[str]:
    """A Django database alias for the SQLite file ``path`` while the block runs; with
    ``migrate``, brought up to this crampcare's migrations first (an older backup)."""
    from crampcare.web import config

    alias = f"backup-{uuid.uuid4().hex[:8]}"
    both = {"default": connections.settings["default"], alias: config.sqlite(path)}
    connections.settings[alias] = connections.configure_settings(both)[alias]
    try:
        if migrate:
            from django.core.management import call_command

            call_command("migrate", database=alias, interactive=False, verbosity=0)
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def batches_from_alias(alias: str) -> Iterator[tuple[type[Model], list[Model]]]:
    for model in snapshot.models():
        rows = model._base_manager.using(alias).order_by("pk").iterator(chunk_size=BATCH)
        while batch := list(islice(rows, BATCH)):
            yield model, batch


def batches_from_jsonl(path: Path) -> Iterator[tuple[type[Model], list[Model]]]:
    with path.open(encoding="utf-8") as stream:
        model: type[Model] | None = None
        batch: list[Model] = []
        for found in serializers.deserialize("jsonl", stream):
            row = found.object
            if type(row) is not model or len(batch) >= BATCH:
                if batch and model is not None:
                    yield model, batch
                model, batch = type(row), []
            batch.append(row)
        if batch and model is not None:
            yield model, batch
