"""One patient's record gathered from FHIR resources, and the intake it pre-fills.

``RecordBuilder.add`` takes resources one at a time (a Bundle's entries, NDJSON lines) and keeps
only the mapped pieces, never the resources. ``finish`` picks the laboratory results that count
(each test's most recent result and those within its staleness window; older ones are history)
and ``intake_document`` writes the ``crampcare.intake/1`` pieces: the patient and the history.
Pure: ``today`` and the knowledge base are passed in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crampcare.core.intake import CodedItem
from crampcare.core.recognition import recognise_conditions
from crampcare.fhir import from_fhir
from crampcare.fhir.from_fhir import PatientFacts, Piece
from crampcare.fhir.issues import Issue, issue
from crampcare.kb.loader import KnowledgeBase

SCHEMA_ID = "crampcare.intake/1"
# history lists the intake accepts from a record, and the patient keys a record decides
CODED_LISTS = ("conditions", "medications")
PLURAL = {
    "condition": "conditions",
    "medication": "medications",
    "allergy": "allergies",
    "lab": "labs",
    "pain": "pain",
    "device": "devices",
}


@dataclass
class Record:
    """What a patient's record holds, split into what is current and what is history."""

    patient: PatientFacts | None = None
    current: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        """The history kept beside the intake (stored with the import)."""
        return {"current": self.current, "history": self.history}


class RecordBuilder:
    """Gathers one patient's pieces. ``medications`` are Medication resources' codes by id,
    shared by the builders of one file (a MedicationRequest may point at one)."""

    def __init__(self, kb: KnowledgeBase, today: dt.date) -> None:
        self.kb, self.today = kb, today
        self.record = Record()
        self.pending: list[tuple[Mapping[str, Any], str]] = []  # requests of a Medication later
        self.issues: list[Issue] = []

    def add(self, resource: Mapping[str, Any], where: str, medications: Mapping[str, Any]) -> None:
        kind = resource.get("resourceType")
        piece: Piece | None = None
        found: list[Issue] = []
        if kind == "Patient":
            self._patient(resource, where)
            return
        if kind == "Condition":
            piece, found = from_fhir.map_condition(resource, where, self.kb)
        elif kind in ("MedicationRequest", "MedicationStatement"):
            if (
                "medicationReference" in resource
                and from_fhir.medication_concept(resource, medications) is None
            ):
                self.pending.append((resource, where))
                return
            piece, found = from_fhir.map_medication(resource, where, self.kb, medications)
        elif kind == "AllergyIntolerance":
            piece, found = from_fhir.map_allergy(resource, where)
        elif kind == "Observation":
            piece, found = from_fhir.map_observation(resource, where, self.kb, self.today)
            if piece is None and not found:
                self.record.counts["observations_not_used"] += 1
        elif kind == "Device":
            piece, found = from_fhir.map_device(resource, where)
        self.issues.extend(found)
        if piece is not None:
            self._keep(piece)
        elif found:
            self.record.counts["skipped"] += 1

    def _patient(self, resource: Mapping[str, Any], where: str) -> None:
        facts, found = from_fhir.map_patient(resource, where)
        self.issues.extend(found)
        if facts is not None and self.record.patient is not None:
            self.issues.append(
                issue("error", "duplicate", where, "a second Patient for one record: ignored")
            )
            return
        self.record.patient = facts or self.record.patient

    def _keep(self, piece: Piece) -> None:
        plural = PLURAL[piece.kind]
        if piece.kind in ("lab", "pain"):
            self.record.current.setdefault(plural, []).append({**piece.item, **piece.note})
            return
        where = self.record.current if piece.current else self.record.history
        where.setdefault(plural, []).append(piece.note)
        self.record.counts[f"{plural}{'' if piece.current else '_history'}"] += 1

    def finish(self, medications: Mapping[str, Any]) -> tuple[Record, list[Issue]]:
        for resource, where in self.pending:
            piece, found = from_fhir.map_medication(resource, where, self.kb, medications)
            self.issues.extend(found)
            if piece is not None:
                self._keep(piece)
        self.pending = []
        self._split_dated("labs", self._lab_window)
        self._split_dated("pain", lambda _item: 0)
        return self.record, self.issues

    def _lab_window(self, item: Mapping[str, Any]) -> int:
        labs = {lab.id: lab for lab in self.kb.vocab.labs}
        return labs[item["test"]].stale_after_days

    def _split_dated(self, name: str, window: Any) -> None:
        """Per test: the most recent result and those within the test's window before it stay
        current (undated results count as current); the rest are history."""
        results = self.record.current.pop(name, [])
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in results:
            groups.setdefault(item.get("test", name), []).append(item)
        for items in groups.values():
            items.sort(key=lambda r: r["date"] or "9999", reverse=True)
            newest = items[0]["date"]
            for item in items:
                keep = (
                    item is items[0]
                    or item["date"] is None
                    or (
                        newest is not None
                        and dt.date.fromisoformat(newest) - dt.date.fromisoformat(item["date"])
                        <= dt.timedelta(days=window(item))
                    )
                )
                (self.record.current if keep else self.record.history).setdefault(name, []).append(
                    item
                )
        for where, suffix in ((self.record.current, ""), (self.record.history, "_history")):
            if where.get(name):
                self.record.counts[f"{name}{suffix}"] = len(where[name])


def _pregnant(record: Record, kb: KnowledgeBase) -> bool:
    items = tuple(
        CodedItem(system=c["system"], code=c["code"]) for c in record.current.get("conditions", [])
    )
    found, _ = recognise_conditions(kb, items)
    return any(kb.conditions[m.id].pregnancy for m in found)


def intake_document(
    record: Record, kb: KnowledgeBase, previous: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[Issue]]:
    """The intake the record pre-fills. From ``previous`` (the patient's latest intake) the
    complaint, findings, TCM signs, free-text history, flags and devices stay; the record's
    coded conditions, medications and dated laboratory results replace the earlier coded
    ones (a stopped medication must not stay current). Without ``previous`` there is no
    complaint: the practitioner adds it before the intake can be assessed."""
    assert record.patient is not None
    before = dict(previous or {})
    old_history = dict(before.get("history") or {})
    history: dict[str, Any] = {
        key: value for key, value in old_history.items() if key not in (*CODED_LISTS, "labs")
    }
    for key in CODED_LISTS:
        typed = [v for v in old_history.get(key) or [] if isinstance(v, str)]
        coded = [{"system": c["system"], "code": c["code"]} for c in record.current.get(key, [])]
        history[key] = typed + coded
    history["labs"] = [
        lab for lab in old_history.get("labs") or [] if isinstance(lab, Mapping) and "test" in lab
    ] + [
        {k: v for k, v in lab.items() if k != "test" and v is not None}
        for lab in record.current.get("labs", [])
    ]
    devices = list(old_history.get("devices") or [])
    for d in record.current.get("devices", []):
        if d["device"] not in devices:
            devices.append(d["device"])
    history["devices"] = devices
    history = {k: v for k, v in history.items() if v not in ([], None)}
    said = before.get("patient")
    old_patient: Mapping[str, Any] = said if isinstance(said, Mapping) else {}
    patient: dict[str, Any] = {
        "birth_date": record.patient.birth_date.isoformat(),
        "sex": record.patient.sex,
    }
    problems: list[Issue] = []
    if _pregnant(record, kb):
        if record.patient.sex == "male":
            problems.append(
                issue("warning", "business-rule", "Patient", "a pregnancy coded for a male")
            )
        else:
            patient["pregnant"] = True
    elif old_patient.get("pregnant") is True and record.patient.sex != "male":
        patient["pregnant"] = True  # said at an earlier intake: kept until changed by hand
    if patient.get("pregnant") and old_patient.get("pregnancy_weeks") is not None:
        patient["pregnancy_weeks"] = old_patient["pregnancy_weeks"]
    document: dict[str, Any] = {"schema": SCHEMA_ID, "patient": patient}
    for key in ("complaint", "findings", "tcm"):
        if key in before:
            document[key] = before[key]
    document["history"] = history
    return document, problems


def merge_intake(document: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` (an intake file used with a record) added to the record's intake: its patient
    keys override, its history lists are appended, its flags are or-ed, its complaint,
    findings and TCM signs are taken."""
    out = {**document, **{k: v for k, v in given.items() if k not in ("patient", "history")}}
    patient = dict(document.get("patient") or {})
    if isinstance(given.get("patient"), Mapping):
        patient.update(given["patient"])
    out["patient"] = patient
    history = dict(document.get("history") or {})
    extra = given.get("history")
    if isinstance(extra, Mapping):
        for key, value in extra.items():
            if isinstance(value, list):
                history[key] = list(history.get(key) or []) + value
            elif isinstance(value, bool):
                history[key] = bool(history.get(key)) or value
            else:
                history[key] = value
    out["history"] = history
    return out
