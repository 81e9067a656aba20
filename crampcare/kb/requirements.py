"""The entries the product promises to have (issue: foundation). ``crampcare kb check`` reports
each of them, and the integrity tests fail when one is missing."""

from __future__ import annotations

from crampcare.kb.loader import KnowledgeBase

REQUIRED: dict[str, tuple[str, ...]] = {
    "points": (
        "LI4",
        "LI10",
        "LI11",
        "GB20",
        "GB21",
        "GB34",
        "GB39",
        "BL23",
        "BL40",
        "BL57",
        "BL60",
        "BL67",
        "SP6",
        "ST36",
        "ST40",
        "KI3",
        "LR3",
        "SI3",
        "ASHI",
    ),
    "conditions": (
        "nocturnal_leg_cramps",
        "exercise_associated_cramps",
        "pregnancy_leg_cramps",
        "cramp_spasm_unspecified",
        "low_back_spasm",
        "torticollis",
        "cervical_dystonia",
        "arm_hand_spasm",
        "neck_tension_headache",
        "muscle_twitching",
        "fibromyalgia_tender_points",
    ),
    "patterns": (
        "cold_obstruction",
        "dampness_obstruction",
        "wind_obstruction",
        "liver_qi_stagnation",
        "liver_blood_deficiency",
    ),
    "medications": (
        "diuretics",
        "statins",
        "raloxifene",
        "nifedipine",
        "niacin",
        "long_acting_beta2_agonists",
        "salbutamol",
        "conjugated_estrogens",
        "naproxen",
        "teriparatide",
        "iron_sucrose",
        "anticoagulants",
        "antiplatelets",
        "warfarin",
    ),
    "red_flags": (
        "suspected_dvt",
        "claudication_or_arterial_disease",
        "neuromuscular_signs",
        "suspected_rhabdomyolysis",
        "statin_muscle_symptoms_with_weakness",
        "hypokalaemia",
        "low_magnesium",
        "low_calcium",
        "hyponatraemia",
        "thyroid_disease_signs",
        "frequent_severe_cramps",
    ),
    "cautions": (
        "pregnancy",
        "bleeding_disorder",
        "anticoagulation",
        "implanted_electronic_device",
        "first_treatment_or_needle_phobia",
        "skin_lesion_at_site",
        "malignancy_at_site",
        "medical_emergency",
    ),
}


def missing(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Required ids that the knowledge base lacks, by kind (empty when complete)."""
    out: dict[str, list[str]] = {}
    for kind, ids in REQUIRED.items():
        present = getattr(kb, kind)
        lacking = [i for i in ids if i not in present]
        if lacking:
            out[kind] = lacking
    return out
