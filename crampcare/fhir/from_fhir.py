"""One FHIR R4 resource -> the pieces of crampcare's record it holds, and the issues found.

Pure: no I/O, no clock, no Django; ``today`` and the knowledge base are passed in. Codes are
matched, never display text. What is current follows the rules in docs/fhir.md:

- Condition: current when its clinicalStatus is active (or its kinds recurrence, relapse) and it
  has no abatement; otherwise history. Refuted or entered-in-error conditions are skipped.
- MedicationRequest / MedicationStatement: current only with status ``active``.
- Observation: final, amended or corrected results only; labs by LOINC code, the pain score
  (72514-3) kept apart.
- Device: current unless inactive (an unknown status counts as present: the cautious side).
- AllergyIntolerance: history only (the intake has no allergy field).

Each issue is OperationOutcome-shaped: severity, code (FHIR IssueType), diagnostics, expression.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crampcare.core.intake import CodedItem
from crampcare.core.recognition import medication_from_code
from crampcare.core.recognition.conditions import condition_from_code
from crampcare.fhir import codes
from crampcare.fhir.elements import codings, describe, fhir_date, first_code, reference_key
from crampcare.fhir.issues import Issue, issue
from crampcare.kb.loader import KnowledgeBase

SUPPORTED = frozenset(
    {
        "Patient",
        "Condition",
        "MedicationRequest",
        "MedicationStatement",
        "Medication",
        "AllergyIntolerance",
        "Observation",
        "Device",
    }
)
ACTIVE_CONDITION = frozenset({"active", "recurrence", "relapse"})
NOT_TRUE = frozenset({"refuted", "entered-in-error"})
RESULT_STATUSES = frozenset({"final", "amended", "corrected"})
NAME_MAX = 100  # the patient record's name columns


@dataclass(frozen=True)
class PatientFacts:
    key: str  # the identity a re-import is matched on: "system|value" of the first identifier
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    deceased: bool
    deceased_on: dt.date | None


@dataclass(frozen=True)
class Piece:
    """One mapped fact. ``kind``: condition, medication, allergy, lab, pain, device."""

    kind: str
    current: bool
    item: dict[str, Any]  # what the intake holds (coded item, lab, device id)
    note: dict[str, Any] = field(default_factory=dict)  # what the record's history keeps


def _coded(coding: Mapping[str, Any]) -> dict[str, Any]:
    return {"system": str(coding.get("system")), "code": str(coding["code"]).strip()}


def _choose(
    concept: Any, systems: frozenset[str], known: Any
) -> tuple[dict[str, Any], str | None] | None:
    """The coding to keep: the first the knowledge base knows, else the first in a system the
    intake accepts; with its display (shown to people, never matched)."""
    usable = [c for c in codings(concept) if c.get("system") in systems]
    usable = [c for c in usable if 0 < len(str(c["code"]).strip()) <= 40]
    if not usable:
        return None
    best = next((c for c in usable if known(CodedItem(**_coded(c)))), usable[0])
    display = best.get("display")
    return _coded(best), display if isinstance(display, str) else None


# --- Patient --------------------------------------------------------------------------------


def patient_identity(resource: Mapping[str, Any]) -> str | None:
    for ident in resource.get("identifier") or []:
        if isinstance(ident, Mapping) and ident.get("system") and ident.get("value"):
            key = f"{ident['system']}|{ident['value']}"
            if len(key) <= 300:
                return key
    rid = resource.get("id")
    return f"Patient/{rid}" if isinstance(rid, str) and rid else None


def _name(resource: Mapping[str, Any]) -> tuple[str, str]:
    names = [n for n in resource.get("name") or [] if isinstance(n, Mapping)]
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    given = " ".join(str(g) for g in name.get("given") or [] if isinstance(g, str))
    family = name.get("family")
    return given.strip()[:NAME_MAX], (family.strip() if isinstance(family, str) else "")[:NAME_MAX]


def map_patient(resource: Mapping[str, Any], where: str) -> tuple[PatientFacts | None, list[Issue]]:
    key = patient_identity(resource)
    born = fhir_date(resource.get("birthDate"))
    given, family = _name(resource)
    problems = []
    if key is None:
        problems.append(issue("error", "required", where, "Patient without identifier or id"))
    if born is None:
        problems.append(
            issue("error", "required", where, "Patient needs a full birthDate", "birthDate")
        )
    if not given or not family:
        problems.append(
            issue("error", "required", where, "Patient needs a given and a family name", "name")
        )
    if problems or key is None or born is None:
        return None, [*problems, issue("error", "processing", where, "Patient not imported")]
    sex = resource.get("gender")
    died_at = resource.get("deceasedDateTime")
    deceased = resource.get("deceasedBoolean") is True or isinstance(died_at, str)
    facts = PatientFacts(
        key=key,
        given_name=given,
        family_name=family,
        birth_date=born,
        sex=sex if sex in ("female", "male", "other", "unknown") else "unknown",
        deceased=deceased,
        deceased_on=fhir_date(died_at),
    )
    notes = []
    if deceased:
        when = f" on {facts.deceased_on.isoformat()}" if facts.deceased_on else ""
        notes.append(
            issue(
                "warning",
                "business-rule",
                where,
                f"the record says the patient died{when}: marked deceased, no treatment offered",
                "deceased[x]",
            )
        )
    return facts, notes


# --- Condition ------------------------------------------------------------------------------


def map_condition(
    resource: Mapping[str, Any], where: str, kb: KnowledgeBase
) -> tuple[Piece | None, list[Issue]]:
    if first_code(resource.get("verificationStatus")) in NOT_TRUE:
        why = first_code(resource.get("verificationStatus"))
        return None, [issue("information", "informational", where, f"Condition {why}: skipped")]
    chosen = _choose(
        resource.get("code"), codes.CONDITION_SYSTEMS, lambda c: condition_from_code(kb, c)
    )
    if chosen is None:
        return None, [
            issue(
                "warning",
                "code-invalid",
                where,
                "Condition without a SNOMED CT, ICD-10-CM or ICD-11 code "
                f"({describe(resource.get('code'))}): skipped",
                "code",
            )
        ]
    item, display = chosen
    clinical = first_code(resource.get("clinicalStatus"))
    abated = next((k for k in resource if k.startswith("abatement")), None)
    current = clinical in ACTIVE_CONDITION and abated is None
    note = {
        **item,
        "display": display,
        "clinical_status": clinical,
        "onset": resource.get("onsetDateTime"),
        "abated": resource.get(abated) if abated else None,
    }
    problems = []
    if clinical is None:
        problems.append(
            issue(
                "warning",
                "required",
                where,
                f"Condition {item['code']} has no clinicalStatus: kept as history, not current",
                "clinicalStatus",
            )
        )
    return Piece("condition", current, item, note), problems


# --- medications ----------------------------------------------------------------------------


def medication_concept(
    resource: Mapping[str, Any], medications: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The medication's CodeableConcept: inline, contained, or a Medication resource of the same
    record (``medications``: Medication resources' codes by id)."""
    concept = resource.get("medicationCodeableConcept")
    if isinstance(concept, Mapping):
        return concept
    ref = resource.get("medicationReference")
    target = ref.get("reference") if isinstance(ref, Mapping) else None
    if not isinstance(target, str):
        return None
    if target.startswith("#"):
        for contained in resource.get("contained") or []:
            if isinstance(contained, Mapping) and contained.get("id") == target[1:]:
                code = contained.get("code")
                return code if isinstance(code, Mapping) else None
        return None
    key = reference_key(target)
    found = medications.get(key) if key else None
    return found if isinstance(found, Mapping) else None


def map_medication(
    resource: Mapping[str, Any], where: str, kb: KnowledgeBase, medications: Mapping[str, Any]
) -> tuple[Piece | None, list[Issue]]:
    kind = resource.get("resourceType")
    status = resource.get("status")
    if status == "entered-in-error":
        return None, [issue("information", "informational", where, f"{kind} entered-in-error")]
    concept = medication_concept(resource, medications)
    if concept is None:
        return None, [
            issue(
                "warning",
                "not-found",
                where,
                f"{kind}: its medication (medicationReference) is not in the record: skipped",
                "medication[x]",
            )
        ]
    chosen = _choose(concept, codes.MEDICATION_SYSTEMS, lambda c: medication_from_code(kb, c))
    if chosen is None:
        return None, [
            issue(
                "warning",
                "code-invalid",
                where,
                f"{kind} without an RxNorm or ATC code ({describe(concept)}): skipped",
                "medication[x]",
            )
        ]
    item, display = chosen
    current = status == "active" and resource.get("doNotPerform") is not True
    when = resource.get("authoredOn") or resource.get("effectiveDateTime")
    note = {**item, "display": display, "status": status, "date": when}
    return Piece("medication", current, item, note), []


def map_allergy(resource: Mapping[str, Any], where: str) -> tuple[Piece | None, list[Issue]]:
    if first_code(resource.get("verificationStatus")) in NOT_TRUE:
        return None, [issue("information", "informational", where, "allergy refuted: skipped")]
    found = codings(resource.get("code"))
    item = _coded(found[0]) if found else {"system": None, "code": None}
    display = found[0].get("display") if found else None
    clinical = first_code(resource.get("clinicalStatus"))
    note = {**item, "display": display, "clinical_status": clinical}
    return Piece("allergy", clinical == "active", {}, note), []


# --- Observation ----------------------------------------------------------------------------


def _observed_on(resource: Mapping[str, Any]) -> dt.date | None:
    period = resource.get("effectivePeriod")
    start = period.get("start") if isinstance(period, Mapping) else None
    for value in (resource.get("effectiveDateTime"), resource.get("effectiveInstant"), start):
        day = fhir_date(value)
        if day is not None:
            return day
    return None


def map_observation(
    resource: Mapping[str, Any], where: str, kb: KnowledgeBase, today: dt.date
) -> tuple[Piece | None, list[Issue]]:
    loinc = next(
        (str(c["code"]) for c in codings(resource.get("code")) if c.get("system") == codes.LOINC),
        None,
    )
    labs = {c.loinc: lab for lab in kb.vocab.labs for c in lab.codes}
    if loinc is None or (loinc not in labs and loinc != codes.PAIN_SEVERITY):
        return None, []  # not a test crampcare uses: counted by the caller, not an issue each
    if resource.get("status") not in RESULT_STATUSES:
        why = f"status {resource.get('status')!r}"
        return None, [issue("information", "informational", where, f"LOINC {loinc}: {why}")]
    found = resource.get("valueQuantity")
    quantity: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    value = quantity.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None, [
            issue("warning", "value", where, f"LOINC {loinc}: no numeric value", "valueQuantity")
        ]
    day = _observed_on(resource)
    if day is not None and day > today:
        return None, [
            issue(
                "warning",
                "value",
                where,
                f"LOINC {loinc}: dated {day.isoformat()}, after today: skipped",
                "effectiveDateTime",
            )
        ]
    date = day.isoformat() if day else None
    if loinc == codes.PAIN_SEVERITY:
        if not 0 <= value <= 10:
            return None, [issue("warning", "value", where, f"pain score {value} is not 0-10")]
        return Piece("pain", True, {"value": value, "date": date}), []
    lab = labs[loinc]
    unit = next(
        (
            u
            for u in (quantity.get("code"), quantity.get("unit"))
            if isinstance(u, str) and u in lab.conversions
        ),
        None,
    )
    if unit is None or value < 0:
        shown = quantity.get("unit") or quantity.get("code")
        return None, [
            issue(
                "warning",
                "value",
                where,
                f"LOINC {loinc} ({lab.id}): unit {shown!r} not known "
                f"(known: {', '.join(lab.conversions)}) or value negative: skipped",
                "valueQuantity",
            )
        ]
    item: dict[str, Any] = {"loinc": loinc, "value": value, "unit": unit, "date": date}
    item.update(_reference_range(resource, unit))
    problems = []
    if day is None:
        problems.append(
            issue("warning", "required", where, f"LOINC {loinc}: undated, counts as current")
        )
    return Piece("lab", True, item, {"test": lab.id}), problems


def _reference_range(resource: Mapping[str, Any], unit: str) -> dict[str, float]:
    ranges = resource.get("referenceRange")
    first = ranges[0] if isinstance(ranges, list) and ranges else None
    out: dict[str, float] = {}
    if not isinstance(first, Mapping):
        return out
    for end in ("low", "high"):
        q = first.get(end)
        if not isinstance(q, Mapping) or not isinstance(q.get("value"), int | float):
            continue
        if (q.get("code") or q.get("unit") or unit) in (unit, None):
            out[f"reference_{end}"] = float(q["value"])
    low, high = out.get("reference_low"), out.get("reference_high")
    return {} if low is not None and high is not None and low > high else out


# --- Device ---------------------------------------------------------------------------------


def map_device(resource: Mapping[str, Any], where: str) -> tuple[Piece | None, list[Issue]]:
    status = resource.get("status")
    if status == "entered-in-error":
        return None, [issue("information", "informational", where, "Device entered-in-error")]
    found = [c for c in codings(resource.get("type")) if c.get("system") == codes.SNOMED]
    device = next(
        (codes.DEVICE_CODES[str(c["code"])] for c in found if str(c["code"]) in codes.DEVICE_CODES),
        None,
    )
    if device is None:
        return None, [
            issue(
                "information",
                "code-invalid",
                where,
                f"Device type {describe(resource.get('type'))} is none crampcare asks about",
                "type",
            )
        ]
    note = {"device": device, "status": status}
    return Piece("device", status != "inactive", {"device": device}, note), []
