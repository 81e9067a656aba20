"""Benchmark: assess 10,000 generated intakes with the knowledge base loaded once.

Prints assessments per second, median and p99 latency. Run:
    .venv/bin/python bench/assess_bench.py [--count N] [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from typing import Any

from crampcare.core.assess import assess
from crampcare.kb.loader import KnowledgeBase, load_kb

MEDICATIONS = [
    "Zocor 40 mg",
    "Lasix 40mg",
    "Coumadin 5 mg",
    "Simvistatin 10 MG",
    "Evista",
    "nifedipine 30 mg",
    "Ventolin inhaler",
    "aspirin 81 mg",
    "vitamin D 1000 IU",
    "metformin 500 mg",
    "Eliquis 5 mg",
]
CONDITIONS = [
    "cirrhosis",
    "hypothyroidism",
    "Type 2 diabetes",
    "asthma",
    "osteoarthritis",
    "chronic kidney disease",
]


def pick(rng: random.Random, items: list[str], most: int) -> list[str]:
    return rng.sample(items, rng.randint(0, min(most, len(items))))


def make_intake(rng: random.Random, kb: KnowledgeBase) -> dict[str, Any]:
    v = {name: sorted(ids) for name, ids in kb.vocab_ids.items()}
    labs = {lab.id: sorted(lab.conversions) for lab in kb.vocab.labs}
    sex = rng.choice(["female", "male", "other", "unknown"])
    return {
        "schema": "crampcare.intake/1",
        "patient": {
            "age": rng.randint(18, 95),
            "sex": sex,
            "pregnant": sex == "female" and rng.random() < 0.1,
        },
        "complaint": {
            "kind": rng.choice(v["complaint_kinds"]),
            "regions": rng.sample(v["regions"], rng.randint(1, 3)),
            "side": rng.choice(v["sides"]),
            "nocturnal": rng.random() < 0.5,
            "episodes_per_week": rng.randint(0, 14),
            "worst_severity": rng.randint(0, 10),
            "typical_duration_minutes": rng.randint(1, 30),
            "weeks_since_onset": rng.randint(1, 100),
            "triggers": pick(rng, v["triggers"], 3),
        },
        "findings": pick(rng, v["findings"], 2) if rng.random() < 0.4 else [],
        "tcm": {
            "tongue": pick(rng, v["tongue"], 2),
            "pulse": pick(rng, v["pulse"], 2),
            "signs": pick(rng, v["tcm_signs"], 4),
        },
        "history": {
            "conditions": pick(rng, CONDITIONS, 2),
            "medications": pick(rng, MEDICATIONS, 3),
            "devices": pick(rng, v["devices"], 1) if rng.random() < 0.1 else [],
            "labs": [
                {"test": t, "value": round(rng.uniform(0.1, 300), 2), "unit": rng.choice(labs[t])}
                for t in pick(rng, sorted(labs), 2)
            ],
            "bleeding_disorder": rng.random() < 0.05,
            "first_acupuncture": rng.random() < 0.3,
            "needle_phobia": rng.random() < 0.1,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.perf_counter()
    kb = load_kb()
    load_s = time.perf_counter() - started
    rng = random.Random(args.seed)
    intakes = [make_intake(rng, kb) for _ in range(args.count)]
    today = dt.date(2026, 11, 27)
    for doc in intakes[:200]:  # warm up
        assess(doc, kb, today)
    timings: list[int] = []
    begin = time.perf_counter()
    for doc in intakes:
        t0 = time.perf_counter_ns()
        assess(doc, kb, today)
        timings.append(time.perf_counter_ns() - t0)
    total = time.perf_counter() - begin
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"knowledge base loaded once in {load_s * 1000:.0f} ms (kb_version {kb.version})")
    print(f"assessments:      {args.count}")
    print(f"per second:       {args.count / total:,.0f}")
    print(f"median latency:   {statistics.median(timings) / 1e6:.3f} ms")
    print(f"p99 latency:      {p99 / 1e6:.3f} ms")


if __name__ == "__main__":
    main()
