"""The intake form's fields: one per intake document path, grouped in sections, each with its
kind (text, number, choice from a kb vocabulary) and label."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "crampcare.intake/1"
MAX_LAB_ROWS = 30
BLANK_LAB_ROWS = 2


def field_id(name: str) -> str:
    """An HTML id for a field name (``history.labs[1].unit`` -> ``f-history-labs-1-unit``)."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


@dataclass
class Field:
    name: str
    label: str
    kind: str  # int | float | date | select | radio | checks | check | lines | text | textarea
    vocab: str = ""  # the kb vocabulary of the options
    help: str = ""
    required: bool = False
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Section:
    key: str
    title: str
    fields: list[Field]
    intro: str = ""


def intake_sections() -> list[Section]:
    """Every key of crampcare.intake/1, grouped as the form shows them."""
    return [
        Section(
            "patient",
            "Patient",
            [
                Field(
                    "patient.age",
                    "Age (years)",
                    "int",
                    help="Or give the birth date.",
                    attrs={"min": 0, "max": 120},
                ),
                Field("patient.birth_date", "Birth date", "date"),
                Field("patient.sex", "Sex", "select", vocab="sexes", required=True),
                Field("patient.pregnant", "Pregnant", "check"),
                Field(
                    "patient.pregnancy_weeks",
                    "Weeks of pregnancy",
                    "int",
                    help="Only with pregnant.",
                    attrs={"min": 1, "max": 44},
                ),
            ],
        ),
        Section(
            "complaint",
            "Complaint",
            [
                Field("complaint.kind", "Kind", "radio", vocab="complaint_kinds", required=True),
                Field(
                    "complaint.regions",
                    "Regions",
                    "checks",
                    vocab="regions",
                    required=True,
                    help="Choose at least one.",
                ),
                Field("complaint.side", "Side", "radio", vocab="sides", required=True),
                Field("complaint.nocturnal", "Comes at night", "check"),
                Field(
                    "complaint.episodes_per_week",
                    "Episodes per week",
                    "float",
                    attrs={"min": 0, "max": 200, "step": "any"},
                ),
                Field(
                    "complaint.worst_severity",
                    "Worst severity (0-10)",
                    "int",
                    help="0 no pain, 10 the worst pain imaginable.",
                    attrs={"min": 0, "max": 10},
                ),
                Field(
                    "complaint.typical_duration_minutes",
                    "Typical duration (minutes)",
                    "float",
                    attrs={"min": 0, "max": 1440, "step": "any"},
                ),
                Field(
                    "complaint.weeks_since_onset",
                    "Weeks since onset",
                    "float",
                    attrs={"min": 0, "max": 5200, "step": "any"},
                ),
                Field("complaint.triggers", "Triggers", "checks", vocab="triggers"),
            ],
        ),
        Section(
            "findings",
            "Findings",
            [Field("findings", "Observed or reported signs", "checks", vocab="findings")],
            intro="Tick every sign found on examination or reported by the patient.",
        ),
        Section(
            "tcm",
            "Tongue, pulse and signs (TCM)",
            [
                Field("tcm.tongue", "Tongue", "checks", vocab="tongue"),
                Field("tcm.pulse", "Pulse", "checks", vocab="pulse"),
                Field("tcm.signs", "Signs", "checks", vocab="tcm_signs"),
            ],
        ),
        Section(
            "history",
            "History",
            [
                Field(
                    "history.conditions",
                    "Conditions",
                    "lines",
                    help="One per line, as written (e.g. 'type 2 diabetes').",
                ),
                Field(
                    "history.medications",
                    "Medications",
                    "lines",
                    help="One per line, generic or brand, with strength (e.g. 'Zocor 40 mg').",
                ),
                Field("history.devices", "Implanted devices", "checks", vocab="devices"),
                Field("history.labs", "Laboratory results", "labs"),
                Field("history.bleeding_disorder", "Bleeding disorder", "check"),
                Field("history.first_acupuncture", "First acupuncture treatment", "check"),
                Field("history.needle_phobia", "Fear of needles", "check"),
            ],
        ),
    ]


FIELDS = {f.name: f for s in intake_sections() for f in s.fields}
CODED = ("history.conditions", "history.medications")
