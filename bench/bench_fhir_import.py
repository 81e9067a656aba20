"""Benchmark: importing the 40 Synthea R4 sample bundles, beside plain orjson parsing of the same
files.

Times, in one run and on the same files (read from disk each time; the OS cache is warm after
the first pass):
- parse: ``orjson.loads`` of every file, nothing else (the floor);
- read: the import's streaming reader and mapping alone (ijson entries, the record, the intake;
  no database);
- import: the whole import (``clinic.fhir_import.import_paths``: the above plus the patient,
  intake, import row and audit entries in the database), first into an empty clinic, then again
  (every patient updated, no intake changed).
Prints MB/s for each and the ratio to the parse time (the goal: import within 3x).

SQLite in a temporary directory by default; PostgreSQL when DATABASE_URL is set (a database
``bench_<name>`` is made beside the one named and dropped afterwards).
Run:
    .venv/bin/python bench/bench_fhir_import.py [--folder DIR] [--repeat R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_practice import setup_django  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "synthea-r4"


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def parse(files: list[Path]) -> None:
    for path in files:
        orjson.loads(path.read_bytes())


def read(files: list[Path]) -> None:
    from crampcare import services
    from crampcare.fhir.batch import Batch
    from crampcare.fhir.reader import Reading
    from crampcare.fhir.record import intake_document

    kb = services.knowledge_base()
    for path in files:
        with path.open("rb") as stream:
            batch = Batch(kb, dt.date.today())
            for resource, where in Reading(str(path), stream, False).resources():
                batch.add(resource, where)
            for _, record, _ in batch.finish():
                intake_document(record, kb)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(args.folder.glob("*.json"))
    if not files:
        sys.exit(f"no bundles in {args.folder}")
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        cleanup = setup_django(tmp)
        try:
            from django.db import connection

            from crampcare import services
            from crampcare.clinic import fhir_import
            from crampcare.records.models import Clinic

            clinic = Clinic.objects.create(name="Bench")
            target = fhir_import.Target(None, clinic.pk, True)
            kb = services.knowledge_base()
            parse(files)  # warm the OS cache and the kb
            read(files[:1])
            parsed = best(lambda: parse(files), args.repeat)
            mapped = best(lambda: read(files), args.repeat)
            start = time.perf_counter()
            fhir_import.import_paths(target, [str(args.folder)], kb)
            first = time.perf_counter() - start
            again = best(lambda: fhir_import.import_paths(target, [str(args.folder)], kb), 1)
            print(f"{len(files)} bundles, {megabytes:.1f} MB, database {connection.vendor}")
            print(f"{'what':<34}{'seconds':>9}{'MB/s':>8}{'x parse':>9}")
            for name, secs in (
                ("orjson parse", parsed),
                ("read + map (no database)", mapped),
                ("import, new patients", first),
                ("import again (updates)", again),
            ):
                print(f"{name:<34}{secs:>9.2f}{megabytes / secs:>8.1f}{secs / parsed:>9.2f}")
        finally:
            cleanup()


if __name__ == "__main__":
    main()
