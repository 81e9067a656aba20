"""Benchmark: do the pages slow down as the clinic grows?

Times the same pages in-process (Django's test client, the whole middleware stack, the audit
entry each read writes) with 1,000 patients, then again after the clinic grows to 100,000
patients and the audit log to 1,000,000 entries, and prints each page's fastest and median
time at both sizes and the ratio of the fastest (goal: within 1.5x). The fastest of many is
what the page costs; the median also carries whatever else the machine was doing. Every
patient has an intake and an assessment (made once by the engine and stored for each, with
bulk_create); the patient the pages show has a plan. The audit entries are bulk-inserted
into a chain of their own, spread over the patients.

SQLite in a temporary directory by default; PostgreSQL when DATABASE_URL is set (a fresh
database ``bench_<name>``, dropped afterwards).
Run:
    .venv/bin/python bench/web_growth.py [--quick] [--repeat 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_practice import BASE_INTAKE, setup_django  # noqa: E402


def add_patients(clinic: Any, start: int, stop: int, doc: dict[str, Any], result: Any) -> None:
    from django.utils import timezone

    from crampcare import services
    from crampcare.records.models import Assessment, Intake, Patient

    kb, today = services.knowledge_base(), timezone.localdate()
    for low in range(start, stop, 5000):
        people, intakes, assessments = [], [], []
        for i in range(low, min(stop, low + 5000)):
            p = Patient(
                clinic=clinic,
                given_name=f"Given{i}",
                family_name=f"Family{i:06d}",
                birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=i % 15000),
                sex="female",
                consent_treatment=True,
                consent_data_processing=True,
            )
            intake = Intake(patient=p, version=1, taken_on=today, document=doc)
            people.append(p)
            intakes.append(intake)
            assessments.append(
                Assessment(
                    patient=p,
                    intake=intake,
                    kb_version=kb.version,
                    assessed_on=today,
                    urgency=result["referral"]["urgency"],
                    needling_allowed=True,
                    result=result,
                )
            )
        Patient.objects.bulk_create(people, batch_size=2000)
        Intake.objects.bulk_create(intakes, batch_size=2000)
        Assessment.objects.bulk_create(assessments, batch_size=500)


def add_audit(count: int, patient_ids: list[str]) -> None:
    """``count`` entries in a chain of their own (the pages' reads append to their clinic's)."""
    from django.utils import timezone

    from crampcare.records.models import AuditEntry

    now = timezone.now()
    for low in range(0, count, 20000):
        rows = [
            AuditEntry(
                chain="bench-filler",
                seq=i + 1,
                at=now,
                actor="bench",
                action="read",
                record_type="patient",
                record_id=patient_ids[i % len(patient_ids)],
                patient_id=patient_ids[i % len(patient_ids)],
                detail={},
                prev_hash="0" * 64,
                hash=hashlib.sha256(f"filler-{i}".encode()).hexdigest(),
            )
            for i in range(low, min(count, low + 20000))
        ]
        AuditEntry.objects.bulk_create(rows, batch_size=5000)


def timed_pages(clients: dict[str, Any], pages: dict[str, str], repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` requests per page, the pages visited in turn each round, so a
    change of load on the machine touches every page alike (the median is kept for the table).
    """
    times: dict[str, list[float]] = {name: [] for name in pages}
    for name, path in pages.items():
        for _ in range(3):  # warm
            assert clients[name].get(path).status_code == 200, (name, path)
    for _ in range(repeat):
        for name, path in pages.items():
            t = time.perf_counter()
            clients[name].get(path)
            times[name].append((time.perf_counter() - t) * 1000)
    return {name: min(t) for name, t in times.items()} | {
        f"{name} median": statistics.median(t) for name, t in times.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--large", type=int, default=100_000)
    ap.add_argument("--audit", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="1,000 and 10,000; 100,000 entries")
    args = ap.parse_args()
    if args.quick:
        args.large, args.audit, args.repeat = 10_000, 100_000, 10
    tmp = tempfile.mkdtemp(prefix="crampcare-growth-")
    cleanup = setup_django(tmp)
    try:
        run(args)
    finally:
        cleanup()


def run(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from crampcare import services
    from crampcare.clinic import plans
    from crampcare.core.assess import assess
    from crampcare.records.models import Assessment, Clinic, Patient, User

    kb = services.knowledge_base()
    result = dict(assess(BASE_INTAKE, kb, timezone.localdate()))
    clinic = Clinic.objects.create(name="Growth clinic")
    user = User(username="growth", clinic=clinic, role="practitioner", licence_number="L.Ac. 1")
    if any(f.name == "confirmed_at" for f in User._meta.get_fields()):
        user.confirmed_at = timezone.now()  # the account was confirmed through its invitation
    user.set_unusable_password()
    user.save()
    t = time.perf_counter()
    add_patients(clinic, 0, args.small, BASE_INTAKE, result)
    built_small = time.perf_counter() - t
    patient = Patient.objects.filter(clinic=clinic).order_by("family_name").first()
    assert patient is not None
    assessment = Assessment.objects.get(patient=patient)
    ids = [plans.point_id(p["code"], p.get("region")) for p in result["points"]]
    plans.create_plan(user, assessment.id, {"accepted": ids}, kb)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    anonymous = Client(HTTP_HOST="127.0.0.1")
    pages = {
        "sign-in": "/login",
        "patient list": "/",
        "patient page": f"/patients/{patient.id}",
        "assessment page": f"/assessments/{assessment.id}",
    }
    clients = {name: anonymous if name == "sign-in" else client for name in pages}
    small = timed_pages(clients, pages, args.repeat)

    t = time.perf_counter()
    add_patients(clinic, args.small, args.large, BASE_INTAKE, result)
    patient_ids = [str(p) for p in Patient.objects.values_list("id", flat=True)[:50000]]
    add_audit(args.audit, patient_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    built_large = time.perf_counter() - t
    large = timed_pages(clients, pages, args.repeat)

    print(
        f"crampcare web growth: {connection.vendor}, in-process (test client), fastest and "
        f"median of {args.repeat}; built {args.small:,} patients in {built_small:.0f} s, grew to "
        f"{args.large:,} patients and {args.audit:,} audit entries in {built_large:.0f} s; "
        f"nproc {os.cpu_count()}"
    )
    head = f"{args.small:>7,} ms {'(median)':>9} {args.large:>7,} ms {'(median)':>9}"
    print(f"{'page':<16} {head} ratio")
    for name in pages:
        ratio = large[name] / small[name]
        print(
            f"{name:<16} {small[name]:>10.1f} {small[name + ' median']:>9.1f} "
            f"{large[name]:>10.1f} {large[name + ' median']:>9.1f} {ratio:>5.2f}x"
        )


if __name__ == "__main__":
    main()
