"""Resources of one file (a Bundle, or the NDJSON files of one bulk export) routed to the
record of the patient each is about. Pure: nothing here reads files or touches a database.

A resource names its patient by ``subject`` or ``patient``; one without either belongs to the
file's only patient, when there is exactly one. Resource types crampcare does not read are
counted and reported once per type, not once per resource.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from crampcare.fhir.elements import reference_key, subject_key
from crampcare.fhir.from_fhir import SUPPORTED, patient_identity
from crampcare.fhir.issues import Issue, issue
from crampcare.fhir.record import Record, RecordBuilder
from crampcare.kb.loader import KnowledgeBase


class Batch:
    def __init__(self, kb: KnowledgeBase, today: dt.date) -> None:
        self.kb, self.today = kb, today
        self.builders: dict[str, RecordBuilder] = {}
        self.unowned: list[tuple[Mapping[str, Any], str]] = []
        self.medications: dict[str, Any] = {}
        self.unsupported: Counter[str] = Counter()
        self.issues: list[Issue] = []
        self.resources = 0

    def _builder(self, key: str) -> RecordBuilder:
        if key not in self.builders:
            self.builders[key] = RecordBuilder(self.kb, self.today)
        return self.builders[key]

    def add(self, resource: Any, where: str) -> None:
        """Route one resource; ``where`` says where it is in the file (for issues)."""
        self.resources += 1
        if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
            self.issues.append(issue("error", "structure", where, "not a FHIR resource"))
            return
        kind = resource["resourceType"]
        if kind not in SUPPORTED:
            self.unsupported[kind] += 1
            return
        if kind == "Medication":
            key = reference_key(resource.get("id"))
            if key is not None and isinstance(resource.get("code"), Mapping):
                self.medications[key] = resource["code"]
            return
        if kind == "Patient":
            key = reference_key(resource.get("id")) or patient_identity(resource) or where
        else:
            key = subject_key(resource)
        if key is None:
            self.unowned.append((resource, where))  # small: decided when the file ends
            return
        self._builder(key).add(resource, where, self.medications)

    def finish(self) -> Iterator[tuple[str, Record, list[Issue]]]:
        """Each patient's key, record and issues; records of no Patient resource are reported
        and dropped. File-level issues are in ``self.issues`` afterwards."""
        with_patient = [b for b in self.builders.values() if b.record.patient is not None]
        for resource, where in self.unowned:
            if len(with_patient) == 1:
                with_patient[0].add(resource, where, self.medications)
            else:
                self.issues.append(
                    issue(
                        "warning",
                        "required",
                        where,
                        f"{resource['resourceType']} names no patient (subject): skipped",
                    )
                )
        self.unowned = []
        for kind, count in sorted(self.unsupported.items()):
            self.issues.append(
                issue(
                    "information",
                    "not-supported",
                    kind,
                    f"{count} {kind} resource(s): not read by crampcare, skipped",
                )
            )
        for key, builder in self.builders.items():
            record, found = builder.finish(self.medications)
            if record.patient is None:
                self.issues.append(
                    issue(
                        "error",
                        "not-found",
                        f"Patient/{key}",
                        f"the resources about Patient/{key}: skipped, since that Patient is "
                        "not in the file (or could not be read)",
                    )
                )
                continue
            yield key, record, found
