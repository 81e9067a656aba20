"""Intakes for tests: a plain default and named personas, each changed with overrides."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from crampcare.core.assess import assess
from crampcare.core.contract import Assessment
from crampcare.kb.loader import KnowledgeBase

TODAY = dt.date(2026, 11, 27)

BASE: dict[str, Any] = {
    "schema": "crampcare.intake/1",
    "patient": {"age": 55, "sex": "female", "pregnant": False},
    "complaint": {
        "kind": "cramp",
        "regions": ["calf"],
        "side": "left",
        "nocturnal": True,
        "episodes_per_week": 2,
        "worst_severity": 5,
        "typical_duration_minutes": 2,
        "weeks_since_onset": 8,
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


def merged(base: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with sections merged in: a mapping updates the section it names,
    anything else replaces it."""
    doc = copy.deepcopy(base)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key].update(value)
        else:
            doc[key] = value
    return doc


def make_intake(**sections: Any) -> dict[str, Any]:
    """BASE with sections merged in: make_intake(complaint={"side": "right"}, findings=[...])."""
    return merged(BASE, **sections)


def run(kb: KnowledgeBase, **sections: Any) -> Assessment:
    return assess(make_intake(**sections), kb, TODAY)


def codes(result: Assessment) -> set[str]:
    return {p["code"] for p in result["points"]}


def flag_ids(result: Assessment) -> set[str]:
    return {f["id"] for f in result["red_flags"]}


def caution_ids(result: Assessment) -> set[str]:
    return {c["id"] for c in result["cautions"]}


def factor_ids(result: Assessment) -> set[str]:
    return {f["id"] for f in result["contributing_factors"]}
