"""A patient's crampcare record -> one FHIR R4 Bundle (type ``collection``), as a plain dict.

Pure: no I/O, no clock, no Django. The caller gathers the record (``Export``: dicts and dates,
the moment of the export and the clinic's time zone) and gets the same bytes for the same
record. What goes where, the profiles followed and where crampcare differs: docs/fhir.md
("Export").

- Patient; Organization (the clinic); a Practitioner per person who treated.
- Condition: the intake's coded history conditions as recorded; conditions recognised in its
  free text, and the presentations the assessment recognised, with the knowledge base's own
  codes (ICD-10-CM, SNOMED CT, ICD-11; never a code family such as ``E11-``); a current
  pregnancy with the kb's pregnancy codes. Free text nothing recognised stays text.
- MedicationStatement (active): the latest intake's medications, RxNorm/ATC as recorded, or the
  kb's codes for a medication recognised in free text.
- Observation: the intake's laboratory results (LOINC, dated), and per session the pain score
  (LOINC 72514-3), range of motion and the weekly cramp frequency (crampcare codes).
- Device: the intake's devices (SNOMED CT where ``codes.DEVICE_CODES`` has one).
- Procedure per session, CarePlan for the course (``to_fhir_sessions``).
- DocumentReference: the physician letter as a base64 PDF; Provenance: who, when, which
  crampcare and knowledge base.

Every resource's id is a UUID (the record's own, or derived from it with uuid5), every
reference ``urn:uuid:<id>``.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crampcare.core.intake import CodedItem
from crampcare.core.recognition import medication_from_code
from crampcare.core.recognition.conditions import condition_from_code, recognise_conditions
from crampcare.core.recognition.medications import medication_from_text
from crampcare.fhir import codes
from crampcare.fhir import to_fhir_sessions as care
from crampcare.fhir.to_fhir_sessions import concept, ref, resource_id
from crampcare.kb.loader import KnowledgeBase

PATIENT_ID_SYSTEM = "urn:crampcare:patient-id"


@dataclass(frozen=True)
class Export:
    """What one export holds. Dates are ``datetime.date``, moments aware datetimes.

    patient: id, given_name, family_name, birth_date, sex, deceased, deceased_on,
        fhir_identity, phone, email.
    intake: the latest intake's document (``crampcare.intake/1``) and ``taken_on``.
    assessment: the latest assessment's result, with ``id`` and ``assessed_on``.
    plan / sessions / outcomes: see ``to_fhir_sessions``.
    letter: ``{"pdf": bytes, "title": str}`` or None.
    exporter: ``{"id", "name", "licence_number"}`` of the user, or None (the CLI).
    """

    patient: Mapping[str, Any]
    clinic: Mapping[str, Any]
    now: dt.datetime
    tz: dt.tzinfo
    version: str
    kb_version: str
    intake: Mapping[str, Any] | None = None
    assessment: Mapping[str, Any] | None = None
    plan: Mapping[str, Any] | None = None
    sessions: Sequence[Mapping[str, Any]] = ()
    outcomes: Mapping[str, Any] | None = None
    letter: Mapping[str, Any] | None = None
    exporter: Mapping[str, Any] | None = None


def bundle(record: Export, kb: KnowledgeBase) -> dict[str, Any]:
    """The Bundle of ``record``: Patient first, Provenance last."""
    pid = str(record.patient["id"])
    patient = _patient(record)
    org = {
        "resourceType": "Organization",
        "id": resource_id(pid, "organization", record.clinic["id"]),
        "name": str(record.clinic["name"]),
    }
    resources: list[dict[str, Any]] = [patient, org]
    history = (record.intake or {}).get("document", {}).get("history") or {}
    taken = (record.intake or {}).get("taken_on")
    conditions = _conditions(record, kb, pid)
    resources += conditions
    resources += [_medication(pid, n, item, taken) for n, item in _medications(history, kb)]
    resources += [_lab(pid, n, lab, kb) for n, lab in enumerate(history.get("labs") or [])]
    resources += [_device(pid, n, name) for n, name in enumerate(history.get("devices") or [])]
    resources += care.course(record, kb, [c["id"] for c in conditions if _diagnosis(c)])
    letter = _letter(record, pid)
    if letter is not None:
        resources.append(letter)
    resources.append(_provenance(record, pid, org["id"], resources))
    return {
        "resourceType": "Bundle",
        "id": resource_id(pid, "bundle", record.now.isoformat()),
        "meta": {"lastUpdated": _instant(record.now)},
        "type": "collection",
        "timestamp": _instant(record.now),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _patient(record: Export) -> dict[str, Any]:
    p = record.patient
    identifiers = []
    system, sep, value = str(p.get("fhir_identity") or "").partition("|")
    if sep and system and value:
        identifiers.append({"system": system, "value": value})  # the record it came from
    identifiers.append({"system": PATIENT_ID_SYSTEM, "value": str(p["id"])})
    out: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(p["id"]),
        "identifier": identifiers,
        "name": [{"use": "official", "family": p["family_name"], "given": p["given_name"].split()}],
        "gender": p["sex"],
        "birthDate": p["birth_date"].isoformat(),
    }
    telecom = [
        {"system": kind, "value": p[key]} for kind, key in (("phone", "phone"), ("email", "email"))
    ]
    telecom = [t for t in telecom if t["value"]]
    if telecom:
        out["telecom"] = telecom
    if p.get("deceased"):
        died = p.get("deceased_on")
        if died:
            out["deceasedDateTime"] = died.isoformat()
        else:
            out["deceasedBoolean"] = True
    return out


# --- conditions -----------------------------------------------------------------------------


def _usable(coded: Mapping[str, Any]) -> bool:
    """A kb code that names one concept: not a family (``E11-``) and in a FHIR system."""
    return not str(coded["code"]).endswith("-") and coded["system"] in codes.CONDITION_SYSTEMS


def _kb_codings(kb: KnowledgeBase, condition_id: str) -> list[dict[str, str]]:
    """One code per system: the first verified in a primary source, else the first listed
    (a kb entry may list narrower concepts too, e.g. pre-eclampsia under pregnancy: the codings
    of one CodeableConcept must all mean the same)."""
    usable = [c for c in kb.conditions[condition_id].codes if _usable(c.model_dump())]
    out: dict[str, dict[str, str]] = {}
    for c in sorted(usable, key=lambda c: c.verification != "primary"):
        coding = {"system": c.system, "code": c.code}
        out.setdefault(c.system, {**coding, **({"display": c.display} if c.display else {})})
    return [out[s] for s in dict.fromkeys(c.system for c in usable) if s in out]


def _condition(
    pid: str, key: str, coding: list[dict[str, str]], text: str, *, diagnosis: bool = False
) -> dict[str, Any]:
    category = "encounter-diagnosis" if diagnosis else "problem-list-item"
    out: dict[str, Any] = {
        "resourceType": "Condition",
        "id": resource_id(pid, "condition", key),
        "clinicalStatus": concept(codes.CONDITION_CLINICAL, "active", "Active"),
        "category": [concept("http://terminology.hl7.org/CodeSystem/condition-category", category)],
        "code": {**({"coding": coding} if coding else {}), "text": text},
        "subject": ref(pid),
    }
    if diagnosis:  # recognised by crampcare's assessment, not a physician's diagnosis
        out["verificationStatus"] = concept(codes.CONDITION_VERIFICATION, "provisional")
    return out


def _diagnosis(condition: Mapping[str, Any]) -> bool:
    return "verificationStatus" in condition


def _conditions(record: Export, kb: KnowledgeBase, pid: str) -> list[dict[str, Any]]:
    document = (record.intake or {}).get("document") or {}
    items = list((document.get("history") or {}).get("conditions") or [])
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    def add(key: str, coding: list[dict[str, str]], text: str, diagnosis: bool = False) -> None:
        pairs = {(c["system"], c["code"]) for c in coding}
        if pairs and pairs <= seen:
            return
        seen.update(pairs)
        out.append(_condition(pid, key, coding, text, diagnosis=diagnosis))

    typed = tuple(CodedItem(**i) if isinstance(i, Mapping) else i for i in items)
    found, _ = recognise_conditions(kb, typed)
    by_item: dict[int, list[str]] = {}
    for match in found:
        by_item.setdefault(match.item, []).append(match.id)
    for n, item in enumerate(typed):
        if isinstance(item, CodedItem):
            hits = condition_from_code(kb, item)
            display = item.display or _kb_display(kb, item, [h[0] for h in hits])
            coding = [{"system": item.system, "code": item.code}]
            if display:
                coding[0]["display"] = display
            add(f"history/{n}", coding, display or item.code)
        elif by_item.get(n):
            for cid in by_item[n]:
                add(f"history/{n}/{cid}", _kb_codings(kb, cid), item)
        else:
            add(f"history/{n}", [], item)
    if (document.get("patient") or {}).get("pregnant"):
        pregnancy = next((c for c in kb.conditions.values() if c.pregnancy), None)
        if pregnancy is not None:
            add("pregnancy", _kb_codings(kb, pregnancy.id), pregnancy.name)
    for c in (record.assessment or {}).get("result", {}).get("conditions") or []:
        if c["id"] in kb.conditions:
            add(f"assessment/{c['id']}", _kb_codings(kb, c["id"]), c["name"], diagnosis=True)
    return out


def _kb_display(kb: KnowledgeBase, item: CodedItem, ids: list[str]) -> str | None:
    for cid in ids:
        for c in kb.conditions[cid].codes:
            if (c.system, c.code) == (item.system, item.code):
                return c.display
    return None


# --- medications, labs, devices -------------------------------------------------------------


def _medications(
    history: Mapping[str, Any], kb: KnowledgeBase
) -> list[tuple[int, tuple[list[dict[str, str]], str]]]:
    """(index, (codings, text)) of each medication: coded as recorded, or the kb's ingredient
    RxNorm code (its code without a strength) and ATC code for one named in free text."""
    out = []
    for n, item in enumerate(history.get("medications") or []):
        if isinstance(item, Mapping):
            coded = CodedItem(**item)
            hits = medication_from_code(kb, coded)
            coding = {"system": coded.system, "code": coded.code}
            display = coded.display or (kb.medications[hits[0][0]].name if hits else None)
            if display:
                coding["display"] = display
            out.append((n, ([coding], display or coded.code)))
            continue
        codings: list[dict[str, str]] = []
        for mid, _how in medication_from_text(kb, item)[:1]:
            entry = kb.medications[mid]
            rx = [c for c in entry.codes if c.system == codes.RXNORM]
            ingredient = next(
                (c for c in rx if not any(ch.isdigit() for ch in c.display or "")), None
            )
            atc = next((c for c in entry.codes if c.system == codes.ATC), None)
            for c in (ingredient, atc):
                if c is not None:
                    codings.append({"system": c.system, "code": c.code, "display": entry.name})
        out.append((n, (codings, item)))
    return out


def _medication(
    pid: str, n: int, coded: tuple[list[dict[str, str]], str], taken: Any
) -> dict[str, Any]:
    coding, text = coded
    out: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": resource_id(pid, "medication", n),
        "status": "active",
        "medicationCodeableConcept": {**({"coding": coding} if coding else {}), "text": text},
        "subject": ref(pid),
    }
    if taken:
        out["dateAsserted"] = taken.isoformat()
    return out


def _lab(pid: str, n: int, lab: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """A laboratory result. By test id: the kb's LOINC code reported in the result's unit, else
    the value converted to the test's canonical unit and a code in that unit."""
    value, unit = float(lab["value"]), str(lab["unit"])
    low, high = lab.get("reference_low"), lab.get("reference_high")
    if lab.get("loinc"):
        loinc, display = str(lab["loinc"]), None
    else:
        test = next(t for t in kb.vocab.labs if t.id == lab["test"])
        same = next((c for c in test.codes if c.unit == unit), None)
        if same is None:
            factor = test.conversions[unit]
            value, unit = value * factor, test.unit
            low = None if low is None else low * factor
            high = None if high is None else high * factor
            same = next(c for c in test.codes if c.unit == unit)
        loinc, display = same.loinc, same.display
    coding = {"system": codes.LOINC, "code": loinc, **({"display": display} if display else {})}
    out: dict[str, Any] = {
        "resourceType": "Observation",
        "id": resource_id(pid, "lab", n),
        "status": "final",
        "category": [care.category("laboratory")],
        "code": {"coding": [coding]},
        "subject": ref(pid),
        "valueQuantity": care.quantity(value, unit),
    }
    if lab.get("date"):
        out["effectiveDateTime"] = str(lab["date"])
    bounds = {k: care.quantity(v, unit) for k, v in (("low", low), ("high", high)) if v is not None}
    if bounds:
        out["referenceRange"] = [bounds]
    return out


def _device(pid: str, n: int, name: str) -> dict[str, Any]:
    snomed = next((code for code, dev in codes.DEVICE_CODES.items() if dev == name), None)
    text = name.replace("_", " ")
    kind = concept(codes.SNOMED, snomed, text) if snomed else {}
    return {
        "resourceType": "Device",
        "id": resource_id(pid, "device", n),
        "status": "active",
        "type": {**kind, "text": text},
        "patient": ref(pid),
    }


# --- letter and provenance ------------------------------------------------------------------


def _letter(record: Export, pid: str) -> dict[str, Any] | None:
    if record.letter is None:
        return None
    pdf = bytes(record.letter["pdf"])
    return {
        "resourceType": "DocumentReference",
        "id": resource_id(pid, "letter", record.now.isoformat()),
        "status": "current",
        "type": {"text": "Letter to the physician"},
        "subject": ref(pid),
        "date": _instant(record.now),
        "description": str(record.letter.get("title") or "Letter to the physician"),
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "data": base64.b64encode(pdf).decode("ascii"),
                    "title": str(record.letter.get("filename") or "letter.pdf"),
                    "creation": _instant(record.now),
                }
            }
        ],
    }


def _provenance(
    record: Export, pid: str, org_id: str, resources: list[dict[str, Any]]
) -> dict[str, Any]:
    software = f"crampcare {record.version} (knowledge base {record.kb_version})"
    agents: list[dict[str, Any]] = [
        {"type": care.participant("assembler"), "who": {"display": software}},
        {"type": care.participant("custodian"), "who": ref(org_id)},
    ]
    if record.exporter is not None:
        practitioner = care.practitioner_id(pid, record.exporter)
        agents.append({"type": care.participant("performer"), "who": ref(practitioner)})
    return {
        "resourceType": "Provenance",
        "id": resource_id(pid, "provenance", record.now.isoformat()),
        "target": [ref(r["id"]) for r in resources],
        "recorded": _instant(record.now),
        "activity": {"text": f"exported from {software}"},
        "agent": agents,
    }
