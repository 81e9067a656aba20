"""The facts of one intake, resolved against the knowledge base: what the rules are tested on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from crampcare.core.intake import Intake, LabResult
from crampcare.core.recognition import Match, recognise_conditions, recognise_medications
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Lab


@dataclass(frozen=True)
class LabValue:
    test: str
    value: float  # canonical unit
    unit: str  # canonical unit
    as_given: str  # "3.1 mmol/L"
    lab: Lab
    low: float | None  # reference range in the canonical unit: the lab's own, else the kb's
    high: float | None
    range_from_report: bool


@dataclass(frozen=True)
class Facts:
    intake: Intake
    age: int
    pregnant: bool
    pregnancy_reason: str | None
    findings: frozenset[str]
    triggers: frozenset[str]
    tcm_signs: frozenset[str]
    tongue: frozenset[str]
    pulse: frozenset[str]
    devices: frozenset[str]
    electronic_devices: frozenset[str]
    regions: frozenset[str]
    medications: tuple[Match, ...]
    medication_ids: Mapping[str, tuple[Match, ...]]  # ingredient or class id -> its matches
    medication_effects: Mapping[str, tuple[Match, ...]]  # effect -> matches
    conditions: tuple[Match, ...]
    condition_ids: Mapping[str, tuple[Match, ...]]
    labs: Mapping[str, LabValue]
    unrecognised_medications: tuple[str, ...]
    unrecognised_conditions: tuple[str, ...]


def _group(
    matches: list[Match], keys_of: Mapping[str, frozenset[str]]
) -> dict[str, tuple[Match, ...]]:
    grouped: dict[str, list[Match]] = {}
    for match in matches:
        for key in sorted(keys_of.get(match.id, frozenset({match.id}))):
            grouped.setdefault(key, []).append(match)
    return {k: tuple(v) for k, v in grouped.items()}


def _lab_value(lab: Lab, value: float, raw: LabResult) -> LabValue:
    factor = lab.conversions[raw.unit]
    low = raw.reference_low * factor if raw.reference_low is not None else lab.low
    high = raw.reference_high * factor if raw.reference_high is not None else lab.high
    return LabValue(
        test=lab.id,
        value=value,
        unit=lab.unit,
        as_given=f"{raw.value:g} {raw.unit}",
        lab=lab,
        low=low,
        high=high,
        range_from_report=raw.reference_low is not None or raw.reference_high is not None,
    )


def gather_facts(intake: Intake, kb: KnowledgeBase) -> Facts:
    doc = intake.document
    meds, unknown_meds = recognise_medications(kb, doc.history.medications)
    conds, unknown_conds = recognise_conditions(kb, doc.history.conditions)
    condition_ids = _group(conds, {})
    pregnancy_reason: str | None = None
    if doc.patient.pregnant:
        weeks = doc.patient.pregnancy_weeks
        pregnancy_reason = f"pregnant ({weeks} weeks)" if weeks else "pregnant"
    else:
        for match in conds:
            if kb.conditions[match.id].pregnancy:
                pregnancy_reason = f"pregnancy recorded: {match.matched}"
                break
    labs_by_id = {lab.id: lab for lab in kb.vocab.labs}
    labs = {test: _lab_value(labs_by_id[test], value, raw) for test, value, raw in intake.labs}
    device_kinds = {d.id: d.electronic for d in kb.vocab.devices}
    devices = frozenset(doc.history.devices)
    return Facts(
        intake=intake,
        age=intake.age,
        pregnant=pregnancy_reason is not None,
        pregnancy_reason=pregnancy_reason,
        findings=frozenset(doc.findings),
        triggers=frozenset(doc.complaint.triggers),
        tcm_signs=frozenset(doc.tcm.signs),
        tongue=frozenset(doc.tcm.tongue),
        pulse=frozenset(doc.tcm.pulse),
        devices=devices,
        electronic_devices=frozenset(d for d in devices if device_kinds[d]),
        regions=frozenset(doc.complaint.regions),
        medications=tuple(meds),
        medication_ids=_group(meds, kb.index.medication_classes),
        medication_effects=_group(meds, kb.index.medication_effects),
        conditions=tuple(conds),
        condition_ids=condition_ids,
        labs=labs,
        unrecognised_medications=tuple(unknown_meds),
        unrecognised_conditions=tuple(unknown_conds),
    )
