"""The demo clinic's patients, each with the intake that is assessed for them: between them they
raise every red flag and caution of the knowledge base (``tests/web/test_commands.py`` checks).
These fourteen have everyday presentations; ``demo_urgent.URGENT_PEOPLE`` have the presentations
that stop needling, and the ages and pregnancy weeks that change the plan."""

from __future__ import annotations

import copy
from typing import Any

BASE_COMPLAINT: dict[str, Any] = {
    "kind": "cramp",
    "regions": ["calf"],
    "side": "left",
    "nocturnal": True,
    "episodes_per_week": 2,
    "worst_severity": 5,
    "typical_duration_minutes": 2,
    "weeks_since_onset": 8,
    "triggers": [],
}
BASE_HISTORY: dict[str, Any] = {
    "conditions": [],
    "medications": [],
    "devices": [],
    "labs": [],
    "bleeding_disorder": False,
    "first_acupuncture": False,
    "needle_phobia": False,
}


def _patient(
    given: str, family: str, born: str, sex: str, phone: str, **extra: Any
) -> dict[str, Any]:
    return {
        "given_name": given,
        "family_name": family,
        "birth_date": born,
        "sex": sex,
        "phone": phone,
        "email": f"{given}.{family}@example.org".lower().replace("'", ""),
        "address": extra.pop("address", ""),
        "consent_treatment": True,
        "consent_data_processing": True,
    }


def _intake(
    born: str,
    sex: str,
    complaint: dict[str, Any],
    findings: list[str] | None = None,
    tcm: dict[str, Any] | None = None,
    pregnant: bool = False,
    weeks: int | None = None,
    **history: Any,
) -> dict[str, Any]:
    patient: dict[str, Any] = {"birth_date": born, "sex": sex, "pregnant": pregnant}
    if weeks is not None:
        patient["pregnancy_weeks"] = weeks
    return {
        "schema": "crampcare.intake/1",
        "patient": patient,
        "complaint": {**copy.deepcopy(BASE_COMPLAINT), **complaint},
        "findings": findings or [],
        "tcm": {"tongue": [], "pulse": [], "signs": [], **(tcm or {})},
        "history": {**copy.deepcopy(BASE_HISTORY), **history},
    }


def _lab(test: str, value: float, unit: str, **extra: float) -> dict[str, Any]:
    return {"test": test, "value": value, "unit": unit, **extra}


EVERYDAY_PEOPLE: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        _patient("Margaret", "Ellison", "1959-03-14", "female", "+1 503 555 0142"),
        _intake(
            "1959-03-14",
            "female",
            {
                "side": "left",
                "episodes_per_week": 4,
                "worst_severity": 6,
                "weeks_since_onset": 10,
                "triggers": ["exercise", "cold"],
            },
            tcm={
                "tongue": ["pale", "thin_white_coat"],
                "pulse": ["thin"],
                "signs": ["dry_eyes", "blurred_vision", "numbness_of_limbs"],
            },
            medications=["simvastatin 40 mg"],
            conditions=["Hypertension"],
        ),
    ),
    (
        _patient("Robert", "Haines", "1955-07-02", "male", "+1 503 555 0188"),
        _intake(
            "1955-07-02",
            "male",
            {
                "side": "right",
                "nocturnal": False,
                "episodes_per_week": 7,
                "worst_severity": 8,
                "typical_duration_minutes": 120,
                "weeks_since_onset": 1,
            },
            findings=["unilateral_calf_swelling", "calf_tenderness", "recent_immobility_or_travel"],
        ),
    ),
    (
        _patient("Daniel", "Okafor", "1992-11-20", "male", "+1 503 555 0107"),
        _intake(
            "1992-11-20",
            "male",
            {
                "regions": ["thigh", "calf"],
                "side": "both",
                "nocturnal": False,
                "episodes_per_week": 10,
                "worst_severity": 9,
                "weeks_since_onset": 0.5,
                "triggers": ["exercise", "dehydration", "heat"],
            },
            findings=["dark_urine", "severe_muscle_pain_after_exertion"],
            labs=[_lab("ck", 4200, "U/L", reference_high=200)],
        ),
    ),
    (
        _patient("Helen", "Marsh", "1968-01-30", "female", "+1 503 555 0175"),
        _intake(
            "1968-01-30",
            "female",
            {"regions": ["thigh"], "side": "both", "episodes_per_week": 3, "worst_severity": 5},
            findings=["muscle_weakness"],
            medications=["Lipitor 20 mg"],
            conditions=["Hypercholesterolaemia"],
        ),
    ),
    (
        _patient("Priya", "Raman", "1995-05-09", "female", "+1 503 555 0133"),
        _intake(
            "1995-05-09",
            "female",
            {
                "side": "both",
                "episodes_per_week": 5,
                "worst_severity": 6,
                "triggers": ["pregnancy", "sleep"],
            },
            pregnant=True,
            weeks=28,
            first_acupuncture=True,
        ),
    ),
    (
        _patient("George", "Whitfield", "1950-06-02", "male", "+1 503 555 0119"),
        _intake(
            "1950-06-02",
            "male",
            {
                "kind": "spasm",
                "regions": ["low_back", "hamstring"],
                "side": "midline",
                "nocturnal": False,
                "episodes_per_week": 5,
                "worst_severity": 6,
                "weeks_since_onset": 6,
                "triggers": ["cold", "damp"],
            },
            tcm={
                "tongue": ["swollen", "greasy_coat"],
                "pulse": ["slippery"],
                "signs": ["worse_with_damp", "worse_with_cold"],
            },
            conditions=[
                {
                    "system": "http://snomed.info/sct",
                    "code": "49436004",
                    "display": "Atrial fibrillation",
                }
            ],
            medications=[
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "855332",
                    "display": "Warfarin Sodium 5 MG Oral Tablet",
                }
            ],
            devices=["pacemaker"],
            first_acupuncture=True,
            labs=[_lab("platelets", 210, "10*3/uL")],
        ),
    ),
    (
        _patient("Susan", "Kowalski", "1964-09-17", "female", "+1 503 555 0161"),
        _intake(
            "1964-09-17",
            "female",
            {
                "regions": ["calf", "foot"],
                "side": "both",
                "episodes_per_week": 6,
                "worst_severity": 7,
            },
            medications=["furosemide 40 mg", "omeprazole 20 mg"],
            conditions=["Heart failure"],
            labs=[_lab("potassium", 2.4, "mmol/L"), _lab("magnesium", 0.55, "mmol/L")],
        ),
    ),
    (
        _patient("Arthur", "Bennett", "1946-02-11", "male", "+1 503 555 0150"),
        _intake(
            "1946-02-11",
            "male",
            {"regions": ["thigh"], "side": "right", "episodes_per_week": 4, "worst_severity": 6},
            findings=["fatigue"],
            medications=["hydrochlorothiazide 25 mg"],
            devices=["metal_implant_at_site"],
            labs=[_lab("sodium", 122, "mmol/L")],
        ),
    ),
    (
        _patient("Fatima", "Haddad", "1981-12-03", "female", "+1 503 555 0196"),
        _intake(
            "1981-12-03",
            "female",
            {
                "regions": ["calf", "hand"],
                "side": "both",
                "episodes_per_week": 3,
                "worst_severity": 4,
                "weeks_since_onset": 20,
            },
            findings=["cold_intolerance", "fatigue", "unexplained_weight_gain"],
            labs=[_lab("tsh", 8.2, "mU/L")],
        ),
    ),
    (
        _patient("Tom", "Lindqvist", "1960-04-25", "male", "+1 503 555 0124"),
        _intake(
            "1960-04-25",
            "male",
            {
                "side": "left",
                "nocturnal": False,
                "episodes_per_week": 8,
                "worst_severity": 6,
                "triggers": ["exercise"],
            },
            findings=["pain_on_walking_relieved_by_rest", "cold_pale_limb", "skin_lesion_at_site"],
            conditions=["Type 2 diabetes mellitus"],
            medications=["metformin 500 mg"],
        ),
    ),
    (
        _patient("Elena", "Petrova", "1987-08-14", "female", "+1 503 555 0171"),
        _intake(
            "1987-08-14",
            "female",
            {
                "kind": "spasm",
                "regions": ["neck", "shoulder"],
                "side": "right",
                "nocturnal": False,
                "episodes_per_week": 6,
                "worst_severity": 6,
                "triggers": ["stress", "prolonged_sitting"],
            },
            findings=["trigger_points", "limited_range_of_motion", "headache"],
            tcm={"tongue": ["red"], "pulse": ["wiry"], "signs": ["irritability", "stress_related"]},
            conditions=["Epilepsy"],
            needle_phobia=True,
            first_acupuncture=True,
        ),
    ),
    (
        _patient("Lucy", "Tran", "1973-10-08", "female", "+1 503 555 0139"),
        _intake(
            "1973-10-08",
            "female",
            {
                "regions": ["hand", "forearm"],
                "side": "both",
                "nocturnal": False,
                "episodes_per_week": 5,
                "worst_severity": 5,
                "weeks_since_onset": 3,
            },
            findings=["tetany_or_tingling_lips", "numbness"],
            conditions=["Thyroidectomy"],
            labs=[_lab("calcium", 1.9, "mmol/L")],
        ),
    ),
    (
        _patient("Joan", "Whitaker", "1952-12-29", "female", "+1 503 555 0183"),
        _intake(
            "1952-12-29",
            "female",
            {
                "side": "right",
                "nocturnal": False,
                "episodes_per_week": 4,
                "worst_severity": 7,
                "weeks_since_onset": 2,
            },
            findings=["calf_tenderness", "calf_warmth_redness"],
            medications=["Evista 60 mg"],
            conditions=["Osteoporosis"],
            bleeding_disorder=True,
            labs=[_lab("platelets", 85, "10*3/uL")],
        ),
    ),
    (
        _patient("William", "Carter", "1956-03-06", "male", "+1 503 555 0110"),
        _intake(
            "1956-03-06",
            "male",
            {
                "kind": "spasm",
                "regions": ["low_back"],
                "side": "midline",
                "nocturnal": True,
                "episodes_per_week": 9,
                "worst_severity": 8,
            },
            findings=["tumour_at_site", "chest_pain_or_breathlessness"],
            medications=["lisinopril 20 mg", "spironolactone 25 mg"],
            conditions=["Prostate cancer"],
            labs=[_lab("potassium", 5.9, "mmol/L")],
        ),
    ),
]
