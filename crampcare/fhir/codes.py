"""Code systems and the codes that the FHIR import and export share.

Every code here was checked in a public table; the source of each is in docs/fhir.md. Nothing is
matched on display text: a display is kept only to show people what a code is.
"""

from __future__ import annotations

from typing import Final

# --- code systems (the canonical URIs of FHIR R4) -------------------------------------------
SNOMED: Final = "http://snomed.info/sct"
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
ICD11: Final = "http://id.who.int/icd/release/11/mms"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC: Final = "http://www.whocc.no/atc"
LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION: Final = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ALLERGY_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"

CONDITION_SYSTEMS: Final = frozenset({SNOMED, ICD10CM, ICD11})
MEDICATION_SYSTEMS: Final = frozenset({RXNORM, ATC})

# --- observations ---------------------------------------------------------------------------
# LOINC 72514-3: Pain severity - 0-10 verbal numeric rating [Score] - Reported
PAIN_SEVERITY: Final = "72514-3"

# --- devices: SNOMED CT device concepts -> crampcare's intake device ids ---------------------
# Exact codes only (no hierarchy is walked): a device code not listed here is reported, never
# guessed at. Sources: docs/fhir.md ("Device codes").
DEVICE_CODES: Final[dict[str, str]] = {
    "14106009": "pacemaker",  # Cardiac pacemaker (physical object)
    "72506001": "implanted_defibrillator",  # Implantable defibrillator
    "465460004": "implanted_defibrillator",  # Single-chamber implantable defibrillator
    "468542000": "implanted_defibrillator",  # Dual-chamber implantable defibrillator
    "704707009": "implanted_defibrillator",  # Implantable biventricular defibrillator
    "43252007": "cochlear_implant",  # Cochlear prosthesis
    "69805005": "insulin_pump",  # Insulin pump
    "1351253007": "neurostimulator",  # Central nervous system neurostimulator
    "447033006": "neurostimulator",  # Vagal nerve stimulator
}

# --- laterality (SNOMED CT qualifier values; FHIR ValueSet bodystructure-laterality) ----------
LEFT: Final = "7771000"
RIGHT: Final = "24028007"
BILATERAL: Final = "51440002"  # "Right and left"
LATERALITY: Final[dict[str, tuple[str, str]]] = {
    "left": (LEFT, "Left"),
    "right": (RIGHT, "Right"),
    "both": (BILATERAL, "Right and left"),
}
