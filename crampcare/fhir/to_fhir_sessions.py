"""The course of treatment as FHIR R4: a Procedure per session, its Observations (pain before
and after, range of motion), the weekly cramp frequency, the Practitioners who treated and the
CarePlan of the course. Pure; called by ``to_fhir.bundle``.

Inputs (plain dicts): ``plan`` {id, created_at, sessions_max, points: [{code, side, region,
decision}]}; each session {id, date, document (the whole ``crampcare.session/1``), practitioner
{id, name, licence_number} or None, adverse_events [{kind, severity, action, at}], addenda
[{at, author, text}]}; ``outcomes`` as ``core.outcomes.outcomes`` gives it.

A session's points follow the Taiwan TCM IG's Procedure (procedure-twcm): one ``bodySite`` per
point, its ``approach-twcm`` extension holding the WHO point code (the IG's acupoint code system
follows the WHO Standard Acupuncture Nomenclature), ``description-twcm`` the needling details.
The side, which the IG does not carry, is a SNOMED CT laterality in crampcare's own extension.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from crampcare.fhir import codes
from crampcare.kb.loader import KnowledgeBase

if TYPE_CHECKING:
    from crampcare.fhir.to_fhir import Export

# SNOMED CT procedures (docs/fhir.md, "Export codes")
ACUPUNCTURE: Final = ("44868003", "Acupuncture")
ELECTROACUPUNCTURE: Final = ("231102004", "Electrical stimulation of acupuncture needle")
# Taiwan TCM IG (nricmig/Nricm_TWCMIG): acupoint code system and bodySite extensions
TW_ACUPOINT: Final = "https://www.nricm.edu.tw/twcm/CodeSystem/twcm-acupuncturepoint"
TW_APPROACH: Final = "https://www.nricm.edu.tw/twcm/StructureDefinition/approach-twcm"
TW_DESCRIPTION: Final = "https://www.nricm.edu.tw/twcm/StructureDefinition/description-twcm"
# crampcare's own: no public code or extension found for these (docs/fhir.md says so)
LATERALITY_EXTENSION: Final = "urn:crampcare:fhir:extension:laterality"
OUTCOME: Final = "urn:crampcare:outcome"
CRAMP_FREQUENCY: Final = "cramp-frequency-weekly"
NAMESPACE: Final = uuid.UUID("6f0e3c1c-5d7a-4b8e-9a43-2f1d7c0b8e51")  # crampcare's uuid5 space


def resource_id(pid: str, *parts: object) -> str:
    """A stable UUID for a resource derived from the patient's record."""
    return str(uuid.uuid5(NAMESPACE, "/".join([pid, *map(str, parts)])))


def ref(rid: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{rid}"}


def concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {"coding": [coding]}


def category(code: str) -> dict[str, Any]:
    return concept("http://terminology.hl7.org/CodeSystem/observation-category", code)


def participant(code: str) -> dict[str, Any]:
    return concept("http://terminology.hl7.org/CodeSystem/provenance-participant-type", code)


def quantity(value: float, unit: str, code: str | None = None) -> dict[str, Any]:
    # twelve significant digits: float noise trimmed, a small value's precision kept
    number: float | int = int(value) if float(value).is_integer() else float(f"{value:.12g}")
    return {"value": number, "unit": unit, "system": codes.UCUM, "code": code or unit}


def practitioner_id(pid: str, person: Mapping[str, Any]) -> str:
    return resource_id(pid, "practitioner", person["id"])


def _practitioner(pid: str, person: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": practitioner_id(pid, person),
        "name": [{"text": str(person["name"])}],
    }
    if person.get("licence_number"):
        out["qualification"] = [
            {"identifier": [{"value": person["licence_number"]}], "code": {"text": "licence"}}
        ]
    return out


def _moment(day: dt.date, clock: str | None, tz: dt.tzinfo) -> str:
    if not clock:
        return day.isoformat()
    hours, minutes = map(int, clock.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tz).isoformat(timespec="seconds")


def course(record: Export, kb: KnowledgeBase, diagnoses: list[str]) -> list[dict[str, Any]]:
    """Practitioners, the Procedures with their Observations, the cramp frequency and the
    CarePlan of ``record``'s course."""
    pid = str(record.patient["id"])
    people = [s["practitioner"] for s in record.sessions if s.get("practitioner")]
    if record.exporter is not None:
        people.append(record.exporter)
    practitioners = {practitioner_id(pid, p): _practitioner(pid, p) for p in people}
    out: list[dict[str, Any]] = list(practitioners.values())
    procedures = []
    for session in record.sessions:
        procedure = _procedure(record, kb, session, diagnoses)
        procedures.append(procedure)
        out.append(procedure)
        out += _session_observations(record, session, procedure["id"])
    out += _frequency(record)
    if record.plan is not None:
        out.append(_care_plan(record, kb, procedures, diagnoses))
    return out


# --- Procedure ------------------------------------------------------------------------------


def _point_site(point: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    code = str(point["code"])
    entry = kb.catalogue.get(code)
    name = f"{code} {entry.pinyin}" if entry is not None else code
    if code == "ASHI":
        name = f"Ashi (tender) point, {str(point.get('region', '')).replace('_', ' ')}"
    approach: dict[str, Any] = {"text": name}
    if entry is not None:  # a WHO standard point (the IG's code system holds those only)
        approach["coding"] = [{"system": TW_ACUPOINT, "code": code, "display": entry.hanzi}]
    details = [f"side {point['side']}", f"{point.get('stimulation', 'manual')} stimulation"]
    if point.get("depth_mm") is not None:
        details.append(f"depth {point['depth_mm']} mm")
    electrical = point.get("electrical")
    if electrical:
        details.append(
            f"{electrical['frequency_hz']} Hz, {electrical['intensity_ma']} mA, "
            f"{electrical['minutes']} min, {electrical['waveform'].replace('_', '-')}"
        )
    if point.get("reason"):
        details.append(f"differs from the plan: {point['reason']}")
    extensions: list[dict[str, Any]] = [
        {"url": TW_APPROACH, "valueCodeableConcept": approach},
        {"url": TW_DESCRIPTION, "valueCodeableConcept": {"text": "; ".join(details)}},
    ]
    side = codes.LATERALITY.get(str(point["side"]))
    if side is not None:  # midline points have no side
        extensions.append(
            {
                "url": LATERALITY_EXTENSION,
                "valueCodeableConcept": concept(codes.SNOMED, side[0], side[1]),
            }
        )
    return {"extension": extensions, "text": f"{name}, {point['side']}"}


def _period(session: Mapping[str, Any], tz: dt.tzinfo) -> dict[str, str]:
    doc = session["document"]
    contact = doc.get("contact") or []
    retention = doc.get("retention") or {}
    starts = [c["start"] for c in contact] + [retention.get("start")]
    ends = [c["end"] for c in contact] + [retention.get("end")]
    start = min((s for s in starts if s), default=None)
    end = max((e for e in ends if e), default=None)
    day = session["date"]
    period = {"start": _moment(day, start, tz)}
    if end and start:
        period["end"] = _moment(day, end, tz)
    return period


def _note(session: Mapping[str, Any]) -> list[dict[str, str]]:
    soap = session["document"].get("note") or {}
    labels = {"subjective": "S", "objective": "O", "assessment": "A", "plan": "P"}
    parts = [f"{label}: {soap[key]}" for key, label in labels.items() if soap.get(key)]
    notes = [{"text": "\n".join(parts)}] if parts else []
    for a in session.get("addenda") or []:
        notes.append({"text": f"Addendum by {a['author']} ({a['at']}): {a['text']}"})
    return notes


def _procedure(
    record: Export, kb: KnowledgeBase, session: Mapping[str, Any], diagnoses: list[str]
) -> dict[str, Any]:
    pid = str(record.patient["id"])
    doc = session["document"]
    points = doc.get("points") or []
    electrical = any(p.get("stimulation") == "electrical" for p in points)
    code, display = ELECTROACUPUNCTURE if electrical else ACUPUNCTURE
    out: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": str(session["id"]),
        "status": "completed",
        "code": {
            **concept(codes.SNOMED, code, display),
            "text": "Electroacupuncture" if electrical else "Acupuncture",
        },
        "subject": ref(pid),
        "performedPeriod": _period(session, record.tz),
    }
    if record.plan is not None:
        out["basedOn"] = [ref(resource_id(pid, "careplan", record.plan["id"]))]
    person = session.get("practitioner")
    if person:
        out["performer"] = [{"actor": ref(practitioner_id(pid, person))}]
    if diagnoses:
        out["reasonReference"] = [ref(d) for d in diagnoses]
    if points:
        out["bodySite"] = [_point_site(p, kb) for p in points]
    events = session.get("adverse_events") or []
    if events:
        out["complication"] = [
            {"text": f"{e['kind'].replace('_', ' ')} ({e['severity']}): {e['action']}"}
            for e in events
        ]
    notes = _note(session)
    if notes:
        out["note"] = notes
    return out


# --- Observations ---------------------------------------------------------------------------


def _observation(
    pid: str, key: str, code: dict[str, Any], value: dict[str, Any], when: dict[str, Any]
) -> dict[str, Any]:
    """A final Observation; range of motion is measured (exam), the rest reported (survey)."""
    kind = "exam" if key.split("/")[-2:-1] == ["rom"] else "survey"
    return {
        "resourceType": "Observation",
        "id": resource_id(pid, "observation", key),
        "status": "final",
        "category": [category(kind)],
        "code": code,
        "subject": ref(pid),
        **when,
        "valueQuantity": value,
    }


def _session_observations(
    record: Export, session: Mapping[str, Any], procedure_id: str
) -> list[dict[str, Any]]:
    pid = str(record.patient["id"])
    doc = session["document"]
    measures = doc.get("measures") or {}
    period = _period(session, record.tz)
    at = {"before": period["start"], "after": period.get("end", period["start"])}
    out = []
    for when in ("before", "after"):
        value = measures.get(f"pain_{when}")
        if value is None:
            continue
        code = {
            **concept(
                codes.LOINC,
                codes.PAIN_SEVERITY,
                "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            ),
            "text": f"Pain 0-10 {when} the session",
        }
        obs = _observation(
            pid,
            f"{session['id']}/pain/{when}",
            code,
            quantity(value, "{score}"),
            {"effectiveDateTime": at[when]},
        )
        out.append({**obs, "partOf": [ref(procedure_id)]})
    for n, rom in enumerate(measures.get("range_of_motion") or []):
        movement = f"{rom['region']}-{rom['movement']}".replace("_", "-")
        label = f"{rom['region']} {rom['movement']}".replace("_", " ")
        code = {
            **concept(OUTCOME, f"range-of-motion-{movement}"),
            "text": f"Range of motion, {label}, {rom['when']} the session",
        }
        obs = _observation(
            pid,
            f"{session['id']}/rom/{n}",
            code,
            quantity(rom["degrees"], "degrees", "deg"),
            {"effectiveDateTime": at[rom["when"]]},
        )
        out.append({**obs, "partOf": [ref(procedure_id)]})
    return out


def _frequency(record: Export) -> list[dict[str, Any]]:
    """The weekly cramp frequency: the baseline and each counted week of the course."""
    if record.outcomes is None:
        return []
    pid = str(record.patient["id"])
    code = {
        **concept(OUTCOME, CRAMP_FREQUENCY, "Muscle cramps per week"),
        "text": "Muscle cramps per week",
    }
    out = []
    base = record.outcomes.get("baseline") or {}
    if base.get("weekly_frequency") is not None and base.get("from") and base.get("to"):
        when = {"effectivePeriod": {"start": str(base["from"]), "end": str(base["to"])}}
        obs = _observation(
            pid, "frequency/baseline", code, quantity(base["weekly_frequency"], "/wk"), when
        )
        out.append({**obs, "note": [{"text": f"baseline: {base.get('note', '')}"}]})
    for week in record.outcomes.get("weeks") or []:
        if week.get("frequency") is None or week["week"] < 1:
            continue
        when = {"effectivePeriod": {"start": str(week["start"]), "end": str(week["end"])}}
        obs = _observation(
            pid, f"frequency/{week['week']}", code, quantity(week["frequency"], "/wk"), when
        )
        out.append({**obs, "note": [{"text": f"week {week['week']} of the course"}]})
    return out


# --- CarePlan -------------------------------------------------------------------------------


def _care_plan(
    record: Export,
    kb: KnowledgeBase,
    procedures: Sequence[Mapping[str, Any]],
    diagnoses: list[str],
) -> dict[str, Any]:
    plan = record.plan
    assert plan is not None
    pid = str(record.patient["id"])
    planned = [p for p in plan.get("points") or [] if p.get("decision") != "removed"]
    most = plan.get("sessions_max")
    done = len(procedures)
    finished = most is not None and done >= most
    described = ", ".join(_point_site(p, kb)["text"] for p in planned) or "none"
    course_code = {**concept(codes.SNOMED, *ACUPUNCTURE), "text": "Course of acupuncture"}
    detail: dict[str, Any] = {
        "kind": "ServiceRequest",
        "code": course_code,
        "status": "completed" if finished else ("in-progress" if done else "not-started"),
        "description": f"{done} of {most if most else '?'} sessions done; points: {described}",
    }
    if most:
        detail["scheduledTiming"] = {"repeat": {"count": int(most)}}
    activities: list[dict[str, Any]] = [{"detail": detail}]
    activities += [{"outcomeReference": [ref(str(p["id"]))]} for p in procedures]
    out: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": resource_id(pid, "careplan", plan["id"]),
        "status": "completed" if finished else "active",
        "intent": "plan",
        "title": "Course of acupuncture for cramps or spasms",
        "subject": ref(pid),
        "period": {"start": plan["created_at"].isoformat(timespec="seconds")},
        "activity": activities,
    }
    if diagnoses:
        out["addresses"] = [ref(d) for d in diagnoses]
    return out
