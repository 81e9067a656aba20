"""The facts of one intake, resolved against the knowledge base: what the rules are tested on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from crampcare.core.intake import Intake
from crampcare.core.labs import LabValue, TestResults, current_labs, lab_results
from crampcare.core.pregnancy import Pregnancy, pregnancy
from crampcare.core.recognition import Match, recognise_conditions, recognise_medications
from crampcare.kb.loader import KnowledgeBase


@dataclass(frozen=True)
class Facts:
    intake: Intake
    age: int
    pregnancy: Pregnancy
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
    labs: Mapping[str, LabValue]  # the result that counts for each test
    lab_results: Mapping[str, TestResults]  # every result of each test, dated, with its status
    unrecognised_medications: tuple[str, ...]
    unrecognised_conditions: tuple[str, ...]

    @property
    def pregnant(self) -> bool:
        return self.pregnancy.pregnant

    @property
    def pregnancy_reason(self) -> str | None:
        return self.pregnancy.reason


def _group(
    matches: list[Match], keys_of: Mapping[str, frozenset[str]]
) -> dict[str, tuple[Match, ...]]:
    grouped: dict[str, list[Match]] = {}
    for match in matches:
        for key in sorted(keys_of.get(match.id, frozenset({match.id}))):
            grouped.setdefault(key, []).append(match)
    return {k: tuple(v) for k, v in grouped.items()}


def gather_facts(intake: Intake, kb: KnowledgeBase) -> Facts:
    doc = intake.document
    meds, unknown_meds = recognise_medications(kb, doc.history.medications)
    conds, unknown_conds = recognise_conditions(kb, doc.history.conditions, intake.today)
    condition_ids = _group(conds, {})
    device_kinds = {d.id: d.electronic for d in kb.vocab.devices}
    devices = frozenset(doc.history.devices)
    return Facts(
        intake=intake,
        age=intake.age,
        pregnancy=pregnancy(doc, conds, kb),
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
        labs=current_labs(results := lab_results(intake, kb)),
        lab_results=results,
        unrecognised_medications=tuple(unknown_meds),
        unrecognised_conditions=tuple(unknown_conds),
    )
