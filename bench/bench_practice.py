"""Benchmark: the practice view of a clinic with 100,000 treatment sessions.

Builds one clinic with bulk_create (10,000 patients, each with an intake, an assessment made by
the engine, a plan, 2 to 18 sessions adding up to --sessions, adverse events in about 1 % of
sessions, a cramp diary for about a fifth of the patients, bookings ahead for some), then times,
in the same run and on the same data:
- the practice view (``clinic.practice.practice_outcomes``, as the page and the API call it);
- baselines: a plain COUNT of the clinic's sessions, and the first page of the patient list
  (``clinic.patients.list_patients``, the workbench's home page);
and prints the figures and the ratio of the practice view to the patient list.

SQLite in a temporary directory by default; PostgreSQL when DATABASE_URL is set (the bench
creates and afterwards drops a database ``bench_<name>`` beside the one named).
Run:
    .venv/bin/python bench/bench_practice.py [--sessions N] [--repeat R] [--seed S]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

BASE_INTAKE: dict[str, Any] = {
    "schema": "crampcare.intake/1",
    "patient": {"age": 58, "sex": "female", "pregnant": False},
    "complaint": {
        "kind": "cramp",
        "regions": ["calf"],
        "side": "left",
        "nocturnal": True,
        "episodes_per_week": 4,
        "worst_severity": 6,
        "typical_duration_minutes": 3,
        "weeks_since_onset": 10,
        "triggers": [],
    },
    "findings": [],
    "tcm": {"tongue": [], "pulse": [], "signs": []},
    "history": {
        "conditions": [],
        "medications": [],
        "devices": [],
        "labs": [],
        "bleeding_disorder": False,
        "first_acupuncture": False,
        "needle_phobia": False,
    },
}
INTAKES = [  # (complaint overrides, share of patients): three presentations
    ({}, 0.6),
    ({"regions": ["neck"], "nocturnal": False, "kind": "spasm"}, 0.25),
    ({"regions": ["foot"], "nocturnal": False}, 0.15),
]


def setup_django(tmp: str) -> Callable[[], None]:
    """Django on SQLite in ``tmp``, or on a fresh PostgreSQL test database; returns the
    clean-up."""
    os.environ.setdefault("CRAMPCARE_SECRET_KEY", "bench-" + "x" * 40)
    os.environ["CRAMPCARE_DATA_DIR"] = tmp
    from crampcare.web import boot

    boot.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        old = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = f"bench_{old}"  # not the test runner's
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        return lambda: connection.creation.destroy_test_db(old, verbosity=0)
    call_command("migrate", verbosity=0)
    return lambda: None


def build(sessions_wanted: int, rng: random.Random) -> Any:
    """The clinic and its practitioner; every row made with bulk_create."""
    from django.utils import timezone

    from crampcare import services
    from crampcare.clinic import plans as plan_rules
    from crampcare.core.assess import assess
    from crampcare.core.practice import plan_facts
    from crampcare.records.models import (
        Assessment,
        Booking,
        Clinic,
        DiaryEntry,
        Intake,
        Patient,
        PlanPoint,
        SessionAdverseEvent,
        TreatmentPlan,
        TreatmentSession,
        User,
    )

    kb = services.knowledge_base()
    today, now = timezone.localdate(), timezone.now()
    clinic = Clinic.objects.create(name="Bench clinic")
    user = User(username="bench", clinic=clinic, role="practitioner", licence_number="L.Ac. 1")
    user.set_unusable_password()
    user.save()
    kinds = []
    for complaint, weight in INTAKES:
        doc = {**BASE_INTAKE, "complaint": {**BASE_INTAKE["complaint"], **complaint}}
        result = dict(assess(doc, kb, today))
        ids = [plan_rules.point_id(p["code"], p.get("region")) for p in result["points"]]
        kinds.append((doc, result, ids, weight))

    lengths: list[int] = []
    while sum(lengths) < sessions_wanted:
        lengths.append(rng.randint(2, 18))
    lengths[-1] -= sum(lengths) - sessions_wanted
    if lengths[-1] < 1:
        lengths.pop()
        lengths[-1] += sessions_wanted - sum(lengths)

    people, intakes, assessments, plans, points = [], [], [], [], []
    rows: list[Any] = []
    for i, count in enumerate(lengths):
        doc, result, ids, _ = rng.choices(kinds, weights=[k[3] for k in kinds])[0]
        p = Patient(
            clinic=clinic,
            given_name=f"Given{i}",
            family_name=f"Family{i:05d}",
            birth_date=dt.date(1960, 1, 1),
            sex="female",
            consent_treatment=True,
            consent_data_processing=True,
        )
        intake = Intake(patient=p, version=1, taken_on=today, document=doc)
        a = Assessment(
            patient=p,
            intake=intake,
            kb_version=kb.version,
            assessed_on=today,
            urgency="none",
            needling_allowed=True,
            result=result,
        )
        dropped = rng.random() < 0.3  # another protocol: one point left out
        decided = [
            (point, "removed" if dropped and n == len(ids) - 1 else "accepted")
            for n, point in enumerate(ids)
        ]
        facts = plan_facts(result, doc, decided)  # as clinic.plans.create_plan stores them
        plan = TreatmentPlan(patient=p, assessment=a, **dataclasses.asdict(facts))
        for n, (point, decision) in enumerate(decided):
            points.append(
                PlanPoint(
                    plan=plan,
                    position=n,
                    point=point,
                    code=point.split("@")[0],
                    side="both",
                    decision=decision,
                    reason="fewer needles" if decision == "removed" else "",
                )
            )
        people.append(p)
        intakes.append(intake)
        assessments.append(a)
        plans.append(plan)
        rows.append((p, plan, a, count))
    Patient.objects.bulk_create(people, batch_size=2000)
    Intake.objects.bulk_create(intakes, batch_size=2000)
    Assessment.objects.bulk_create(assessments, batch_size=500)
    TreatmentPlan.objects.bulk_create(plans, batch_size=2000)
    PlanPoint.objects.bulk_create(points, batch_size=5000)

    sessions, events, diary, bookings = [], [], [], []
    keeps_diary = set()
    for p, plan, a, count in rows:
        finished_ago = rng.choice([rng.randint(0, 6), rng.randint(7, 200)])
        first = today - dt.timedelta(days=finished_ago + 7 * (count - 1))
        pain = rng.randint(4, 8)
        for n in range(count):
            day = first + dt.timedelta(days=7 * n)
            event = rng.random() < 0.01
            s = TreatmentSession(
                patient=p,
                plan=plan,
                assessment=a,
                date=day,
                status="closed" if event else "locked",
                signed_by=None if event else user,
                signed_at=None if event else now,
                document={
                    "schema": "crampcare.session/1",
                    "date": day.isoformat(),
                    "measures": {"pain_before": max(0, pain - n // 3), "pain_after": 2},
                },
                needles_inserted=8,
                needles_removed=8,
                needle_lot="LOT-1",
            )
            sessions.append(s)
            if event:
                serious = rng.random() < 0.1
                events.append(
                    SessionAdverseEvent(
                        session=s,
                        clinic=clinic,
                        patient=p,
                        kind="fainting" if serious else "bleeding_bruising",
                        severity="severe" if serious else "mild",
                        serious=serious,
                        action="observed",
                        at="10:15",
                    )
                )
        if finished_ago < 7 and rng.random() < 0.3:
            bookings.append(
                Booking(
                    patient=p,
                    plan=plan,
                    starts_at=now + dt.timedelta(days=rng.randint(1, 7)),
                    duration_minutes=45,
                    session_number=count + 1,
                    status="booked",
                )
            )
        if rng.random() < 0.2:
            keeps_diary.add(p.pk)
            start = first - dt.timedelta(days=rng.randint(0, 28))
            base = rng.randint(2, 6)
            for d in range((today - start).days + 1):
                when = start + dt.timedelta(days=d)
                if rng.random() < 0.8:  # a day missed now and then
                    late = max(0, (when - first).days) // 14
                    diary.append(
                        DiaryEntry(
                            patient=p,
                            date=when,
                            cramps=max(0, base - late + rng.randint(-1, 1)) // 2,
                            worst_severity=rng.randint(2, 8),
                            source="patient",
                        )
                    )
    TreatmentSession.objects.bulk_create(sessions, batch_size=2000)
    SessionAdverseEvent.objects.bulk_create(events, batch_size=2000)
    Booking.objects.bulk_create(bookings, batch_size=2000)
    DiaryEntry.objects.bulk_create(diary, batch_size=5000)
    print(
        f"clinic: {len(rows):,} patients, {len(sessions):,} sessions, {len(events):,} adverse "
        f"events, {len(keeps_diary):,} diaries ({len(diary):,} entries), {len(bookings):,} "
        "bookings ahead"
    )
    return user


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    fn()  # warm up (caches, query plans)
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crampcare-bench-") as tmp:
        cleanup = setup_django(tmp)
        try:
            from django.db import connection

            from crampcare.clinic import patients, practice
            from crampcare.records.models import TreatmentSession

            t0 = time.perf_counter()
            user = build(args.sessions, random.Random(args.seed))
            print(f"built in {time.perf_counter() - t0:.1f} s on {connection.vendor}")
            count_s, total = timed(
                lambda: TreatmentSession.objects.filter(patient__clinic_id=user.clinic_id).count(),
                args.repeat,
            )
            list_s, _ = timed(lambda: patients.list_patients(user), args.repeat)
            view_s, report = timed(lambda: practice.practice_outcomes(user), args.repeat)
            csv_s, _ = timed(lambda: practice.practice_csv(user), args.repeat)
            overall = report["responders"]["overall"]
            print(f"sessions counted:          {total:,}")
            print(
                f"patients in the view:      {report['patients']:,} "
                f"(responder n {overall['n']:,}, 25 %: {overall['responder_25']['percent']})"
            )
            print(f"COUNT of sessions:         {count_s * 1000:8.1f} ms (median of {args.repeat})")
            print(f"patient list, first page:  {list_s * 1000:8.1f} ms")
            print(f"practice view:             {view_s * 1000:8.1f} ms")
            print(f"practice CSV:              {csv_s * 1000:8.1f} ms")
            print(f"practice view / patient list: {view_s / list_s:.1f}x")
            print(f"practice view / COUNT:        {view_s / count_s:.1f}x")
        finally:
            cleanup()


if __name__ == "__main__":
    main()
