"""Recognising conditions by code hierarchy, as tables a clinician can read.

ICD-10-CM: a code counts for the kb entry whose code, family or category range it falls in;
never for a family it is not in. SNOMED CT: a concept counts when the kb lists it, or lists it
in a value set under one of the entry's concepts. ICD-11: stems, ranges of stems and
postcoordinated clusters. Free text: negation before or after the phrase.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crampcare.core.intake import CodedItem
from crampcare.core.recognition import recognise_conditions
from crampcare.kb.loader import KnowledgeBase, load_kb
from tests.conftest import TODAY

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
ICD11 = "http://id.who.int/icd/release/11/mms"
NONE: set[str] = set()


def ids_for(kb: KnowledgeBase, system: str, code: str) -> set[str]:
    found, unknown = recognise_conditions(kb, (CodedItem(system=system, code=code),), TODAY)
    assert bool(found) != bool(unknown)  # recognised, or reported as unrecognised: never lost
    return {m.id for m in found}


# ICD-10-CM code in a record      -> kb condition ids (empty: shown as unrecognised)
ICD10_ROWS: list[tuple[str, set[str], str]] = [
    # diabetes mellitus: E08-E13
    ("E11.65", {"diabetes_mellitus"}, "type 2 with hyperglycaemia, below E11"),
    ("E1165", {"diabetes_mellitus"}, "the same code written without its dot"),
    ("e11.9", {"diabetes_mellitus"}, "lower case"),
    ("E10.9", {"diabetes_mellitus"}, "type 1"),
    ("E13.9", {"diabetes_mellitus"}, "other specified diabetes"),
    ("E1", NONE, "not a code below E11: E1 is above it"),
    ("E14.9", NONE, "E14 is WHO ICD-10, not ICD-10-CM: outside E08-E13"),
    ("E07.9", NONE, "thyroid disorder, unspecified: not hypothyroidism"),
    # diabetes with complications belongs to two entries
    ("E11.40", {"diabetes_mellitus", "peripheral_neuropathy"}, "type 2 with neuropathy"),
    ("E10.42", {"diabetes_mellitus", "peripheral_neuropathy"}, "type 1 with polyneuropathy"),
    # cramps and spasm
    ("G47.62", {"nocturnal_leg_cramps"}, "sleep related leg cramps"),
    ("R25.2", {"cramp_spasm_unspecified"}, "cramp and spasm: the generic entry only"),
    ("M62.830", {"low_back_spasm"}, "muscle spasm of back"),
    ("M62.831", {"calf_spasm"}, "muscle spasm of calf"),
    ("M62.838", {"arm_hand_spasm"}, "other muscle spasm"),
    ("M62.81", NONE, "muscle weakness: a sibling of M62.83, not below it"),
    ("M54.50", {"low_back_spasm"}, "low back pain, unspecified"),
    ("M54.51", {"low_back_spasm"}, "vertebrogenic low back pain"),
    ("M54.59", {"low_back_spasm"}, "other low back pain"),
    ("M54.2", NONE, "cervicalgia: M54 is not low back pain"),
    ("M43.6", {"torticollis"}, "torticollis"),
    ("G24.3", {"cervical_dystonia"}, "spasmodic torticollis"),
    ("M79.7", {"fibromyalgia"}, "fibromyalgia: the history entry, not the presentation"),
    ("R25.3", {"muscle_twitching"}, "fasciculation"),
    ("G44.209", {"neck_tension_headache"}, "tension-type headache, unspecified"),
    # history conditions by family
    ("N18.6", {"chronic_kidney_disease"}, "end stage renal disease"),
    ("N18.32", {"chronic_kidney_disease"}, "CKD stage 3b"),
    ("N17.9", NONE, "acute kidney failure is not CKD"),
    ("K74.60", {"liver_disease"}, "unspecified cirrhosis of liver"),
    ("K70.30", {"liver_disease"}, "alcoholic cirrhosis"),
    ("E03.9", {"hypothyroidism"}, "hypothyroidism, unspecified"),
    ("E02", {"hypothyroidism"}, "subclinical iodine-deficiency hypothyroidism"),
    ("I48.91", {"atrial_fibrillation"}, "unspecified atrial fibrillation"),
    ("I48.0", {"atrial_fibrillation"}, "paroxysmal"),
    ("I48.11", {"atrial_fibrillation"}, "longstanding persistent"),
    ("I48.21", {"atrial_fibrillation"}, "permanent"),
    ("I48.92", NONE, "atrial flutter is not atrial fibrillation"),
    ("G40.909", {"epilepsy"}, "epilepsy, unspecified"),
    ("I82.461", {"deep_vein_thrombosis"}, "acute DVT of calf vein, below I82.4"),
    ("I82.5", NONE, "chronic DVT is not listed: shown as unrecognised"),
    ("M48.062", {"lumbar_spinal_stenosis"}, "lumbar stenosis with neurogenic claudication"),
    ("M48.02", NONE, "cervical stenosis is not lumbar stenosis"),
    ("F10.20", {"alcohol_use_disorder"}, "alcohol dependence, uncomplicated"),
    ("F10.10", {"alcohol_use_disorder"}, "alcohol abuse, uncomplicated"),
    ("F17.210", NONE, "nicotine dependence is not alcohol"),
    ("E87.6", {"hypokalaemia"}, "hypokalaemia"),
    ("E83.42", {"hypomagnesaemia"}, "hypomagnesaemia"),
    ("C18.9", {"malignancy"}, "malignant neoplasm of colon, within C00-C96"),
    ("C7A.00", {"malignancy"}, "malignant carcinoid tumour: C7A sorts within C00-C96"),
    ("D09.0", NONE, "carcinoma in situ is not a malignant neoplasm as coded"),
    # pregnancy (who is pregnant: tests/core/test_pregnancy.py)
    ("Z33.1", {"pregnancy"}, "pregnant state, incidental"),
    ("Z34.83", {"pregnancy"}, "supervision of other normal pregnancy, third trimester"),
    ("Z3A.28", {"pregnancy"}, "28 weeks gestation"),
    ("O09.523", {"pregnancy"}, "supervision of elderly multigravida, third trimester"),
    ("O24.410", {"pregnancy"}, "gestational diabetes: within O10-O48"),
    ("O99.89", {"pregnancy"}, "other specified diseases complicating pregnancy: O98-O9A"),
    ("O9A.211", {"pregnancy"}, "O9A sorts within O98-O9A"),
    ("Z33.2", NONE, "elective termination: not a pregnancy now"),
    ("O03.9", NONE, "spontaneous abortion: O00-O08 stay out"),
    ("O80", NONE, "encounter for full-term delivery: pregnancy over"),
    ("O90.89", NONE, "puerperal complication: pregnancy over"),
]


@pytest.mark.parametrize(
    ("code", "expected", "why"), ICD10_ROWS, ids=[f"{r[0]} {r[2]}" for r in ICD10_ROWS]
)
def test_icd10cm_by_family(kb: KnowledgeBase, code: str, expected: set[str], why: str) -> None:
    assert ids_for(kb, ICD10, code) == expected, why


def test_a_family_match_says_which_family(kb: KnowledgeBase) -> None:
    found, _ = recognise_conditions(kb, (CodedItem(system=ICD10, code="K74.60"),), TODAY)
    assert found[0].matched == ("ICD-10-CM K74.60, within K74 (Fibrosis and cirrhosis of liver)")


# SNOMED CT concept -> kb condition ids; the member names the concept it falls under
SNOMED_ROWS: list[tuple[str, set[str], str]] = [
    ("77386006", {"pregnancy"}, "Pregnant (HL7 IPS pregnancy status)"),
    ("72892002", {"pregnancy"}, "Normal pregnancy, under 77386006"),
    ("60001007", NONE, "Not pregnant"),
    ("102874004", NONE, "Possible pregnancy: not a pregnancy"),
    ("19169002", NONE, "Miscarriage in first trimester: over"),
    ("79586000", NONE, "Tubal pregnancy: an outcome code in the sample, not a pregnancy now"),
    ("73211009", {"diabetes_mellitus"}, "Diabetes mellitus"),
    ("44054006", {"diabetes_mellitus"}, "Diabetes mellitus type 2, under 73211009"),
    ("422034002", {"diabetes_mellitus"}, "Diabetic retinopathy, type 2, under 44054006"),
    ("368581000119106", {"diabetes_mellitus", "peripheral_neuropathy"}, "neuropathy, type 2"),
    ("127013003", {"diabetes_mellitus", "chronic_kidney_disease"}, "diabetic renal disease"),
    ("709044004", {"chronic_kidney_disease"}, "Chronic kidney disease"),
    ("431855005", {"chronic_kidney_disease"}, "CKD stage 1, under 709044004"),
    ("46177005", {"chronic_kidney_disease"}, "End-stage renal disease, under 709044004"),
    ("235856003", {"liver_disease"}, "Disorder of liver"),
    ("19943007", {"liver_disease"}, "Cirrhosis of liver, under 235856003"),
    ("40930008", {"hypothyroidism"}, "Hypothyroidism"),
    ("83664006", {"hypothyroidism"}, "Idiopathic atrophic hypothyroidism, under 40930008"),
    ("363346000", {"malignancy"}, "Malignant neoplastic disease"),
    ("363406005", {"malignancy"}, "Malignant tumour of colon, under 363346000"),
    ("92691004", NONE, "Carcinoma in situ of prostate: not listed as malignant"),
    ("128053003", {"deep_vein_thrombosis"}, "Deep venous thrombosis"),
    ("15777000", NONE, "Prediabetes is not diabetes"),
    ("80394007", NONE, "Hyperglycaemia is not diabetes"),
]


@pytest.mark.parametrize(
    ("code", "expected", "why"), SNOMED_ROWS, ids=[f"{r[0]} {r[2]}" for r in SNOMED_ROWS]
)
def test_snomed_value_sets(kb: KnowledgeBase, code: str, expected: set[str], why: str) -> None:
    assert ids_for(kb, SNOMED, code) == expected, why


def test_a_value_set_match_names_the_concept_it_falls_under(kb: KnowledgeBase) -> None:
    found, _ = recognise_conditions(kb, (CodedItem(system=SNOMED, code="19943007"),), TODAY)
    assert found[0].matched == (
        "SNOMED CT 19943007, Cirrhosis of liver, a kind of 235856003 (Disorder of liver)"
    )


def test_every_value_set_member_sits_under_its_own_entry(kb: KnowledgeBase) -> None:
    for cond in kb.conditions.values():
        own = {c.code for c in cond.codes if c.system == SNOMED}
        assert all(m.under in own for m in cond.value_set), cond.id


ICD11_ROWS: list[tuple[str, set[str], str]] = [
    ("5A11", {"diabetes_mellitus"}, "type 2 diabetes mellitus"),
    ("5A10", {"diabetes_mellitus"}, "type 1 diabetes mellitus"),
    ("5A00.2", {"hypothyroidism"}, "a code below 5A00 hypothyroidism"),
    ("7A82", {"nocturnal_leg_cramps"}, "sleep-related leg cramps"),
    ("MB47.3", {"cramp_spasm_unspecified"}, "cramp or spasm"),
    ("8A02.0Y", {"cervical_dystonia"}, "other specified primary dystonia"),
    ("8A02.00", NONE, "blepharospasm is not cervical dystonia"),
    ("BD71.4", {"deep_vein_thrombosis"}, "lower limb DVT"),
    ("JB63.0/1B12.1", {"pregnancy"}, "a chapter 18 cluster: read stem by stem"),
    ("5A11&XS25", {"diabetes_mellitus"}, "an extension code never decides the condition"),
    ("JA05.0", NONE, "abortive outcome block JA00-JA0Z stays out"),
]


@pytest.mark.parametrize(
    ("code", "expected", "why"), ICD11_ROWS, ids=[f"{r[0]} {r[2]}" for r in ICD11_ROWS]
)
def test_icd11_stems_and_clusters(
    kb: KnowledgeBase, code: str, expected: set[str], why: str
) -> None:
    assert ids_for(kb, ICD11, code) == expected, why


# --- a code is never read into a family it is not in --------------------------------------

KB = load_kb()
ICD10_PREFIXES = sorted(
    {
        code.code.rstrip("-").replace(".", "")
        for cond in KB.conditions.values()
        if cond.recognised_by_code
        for code in cond.codes
        if code.system == ICD10
    }
)


@given(st.sampled_from(ICD10_PREFIXES), st.integers(min_value=1, max_value=3))
def test_a_shorter_code_is_not_below_a_longer_family(prefix: str, cut: int) -> None:
    """E1 is not E11: a code cut short is recognised only by a kb code that it really falls
    under (a shorter kb code, or a category range), never by the family it was cut from."""
    short = prefix[: max(1, len(prefix) - cut)]
    found = ids_for(KB, ICD10, short)
    owners = {
        cond.id
        for cond in KB.conditions.values()
        for code in cond.codes
        if code.system == ICD10 and code.code.rstrip("-").replace(".", "") == prefix
    }
    for cond_id in owners & found:
        cond = KB.conditions[cond_id]
        shorter = [
            c.code
            for c in cond.codes
            if c.system == ICD10 and short.startswith(c.code.rstrip("-").replace(".", ""))
        ]
        in_range = any(
            r.system == ICD10 and r.first <= short[:3] <= r.last for r in cond.code_ranges
        )
        assert shorter or (len(short) >= 3 and in_range), (short, prefix, cond_id)


@given(
    st.sampled_from(ICD10_PREFIXES),
    st.text(alphabet="0123456789XYZ", min_size=0, max_size=3),
)
def test_any_code_below_a_family_is_recognised_as_it(prefix: str, tail: str) -> None:
    owners = {
        cond.id
        for cond in KB.conditions.values()
        if cond.recognised_by_code
        for code in cond.codes
        if code.system == ICD10 and code.code.rstrip("-").replace(".", "") == prefix
    }
    code = prefix[:3] + ("." + prefix[3:] + tail if len(prefix) > 3 or tail else "")
    assert owners <= ids_for(KB, ICD10, code)


# --- free text ----------------------------------------------------------------------------

TEXT_ROWS: list[tuple[str, set[str]]] = [
    ("Alcoholic cirrhosis of liver", {"liver_disease", "alcohol_use_disorder"}),
    ("no known liver disease", NONE),
    ("liver disease: none", NONE),
    ("hypothyroidism - excluded", NONE),
    ("diabetes - no insulin", {"diabetes_mellitus"}),
    ("no diabetes but epilepsy", {"epilepsy"}),
    ("history of DVT", {"deep_vein_thrombosis"}),  # not current-only: a past DVT counts
    ("epilepsy, hepatitis B negative", {"epilepsy"}),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_ROWS, ids=[r[0] for r in TEXT_ROWS])
def test_free_text_with_negation(kb: KnowledgeBase, text: str, expected: set[str]) -> None:
    found, _ = recognise_conditions(kb, (text,), TODAY)
    assert {m.id for m in found} == expected


# --- the Synthea sample records -------------------------------------------------------------

SYNTHEA = Path(__file__).resolve().parents[3] / "shared" / "data" / "synthea-r4"
# SNOMED CT conditions seen in the sample that the kb knows, and what they must be read as
SYNTHEA_KNOWN = {
    "72892002": {"pregnancy"},  # Normal pregnancy
    "44054006": {"diabetes_mellitus"},  # Diabetes
    "431855005": {"chronic_kidney_disease"},  # Chronic kidney disease stage 1
    "127013003": {"chronic_kidney_disease", "diabetes_mellitus"},  # Diabetic renal disease
    "368581000119106": {"peripheral_neuropathy", "diabetes_mellitus"},
    "422034002": {"diabetes_mellitus"},  # Diabetic retinopathy, type II
    "1551000119108": {"diabetes_mellitus"},  # Nonproliferative diabetic retinopathy, type 2
    "1501000119109": {"diabetes_mellitus"},  # Proliferative diabetic retinopathy, type II
    "83664006": {"hypothyroidism"},  # Idiopathic atrophic hypothyroidism
    "7200002": {"alcohol_use_disorder"},  # Alcoholism
    "49436004": {"atrial_fibrillation"},
    "363406005": {"malignancy"},  # Malignant tumor of colon
    "93761005": {"malignancy"},  # Primary malignant neoplasm of colon
    "109838007": {"malignancy"},  # Overlapping malignant neoplasm of colon
    "95417003": {"fibromyalgia"},  # Primary fibromyalgia syndrome
}
# seen in the sample and deliberately not recognised
SYNTHEA_LEFT_OUT = {
    "19169002": "Miscarriage in first trimester: not pregnant now",
    "79586000": "Tubal pregnancy: an outcome, not a pregnancy to needle around",
    "35999006": "Blighted ovum: not pregnant now",
    "15777000": "Prediabetes is not diabetes",
    "80394007": "Hyperglycaemia is not diabetes",
    "92691004": "Carcinoma in situ of prostate: not malignant as coded",
    "126906006": "Neoplasm of prostate: behaviour not stated",
}


def _synthea_condition_codes() -> set[str]:
    seen: set[str] = set()
    for path in sorted(SYNTHEA.glob("*.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        for entry in bundle.get("entry", []):
            res = entry.get("resource", {})
            if res.get("resourceType") == "Condition":
                for coding in res.get("code", {}).get("coding", []):
                    if coding.get("system") == SNOMED:
                        seen.add(coding["code"])
    return seen


@pytest.mark.skipif(
    not SYNTHEA.is_dir(),
    reason="../shared/data/synthea-r4 is absent (a plain clone has no ../shared); CI always has it",
)
def test_synthea_conditions_the_kb_knows_are_recognised(kb: KnowledgeBase) -> None:
    seen = _synthea_condition_codes()
    assert set(SYNTHEA_KNOWN) <= seen, "the sample no longer holds the codes listed here"
    for code, expected in SYNTHEA_KNOWN.items():
        assert ids_for(kb, SNOMED, code) == expected, code
    for code, why in SYNTHEA_LEFT_OUT.items():
        assert ids_for(kb, SNOMED, code) == NONE, why
