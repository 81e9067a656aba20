"""Medication recognition by class, code hierarchy and spelling, as tables a clinician can read.

Every member of the classes the kb names is recognised by name, brand and a listed misspelling;
RxNorm and ATC codes resolve to their ingredient or class (a code above a class never counts);
a misspelling is read only as the one drug it can be, never as a sibling of its class."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crampcare.core.intake import CodedItem
from crampcare.core.recognition import recognise_medications
from crampcare.core.recognition.spelling import allowed_edits, edit_distance
from crampcare.kb.index import fold
from crampcare.kb.loader import KnowledgeBase
from tests.factories import factor_ids, run

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"


def ids(kb: KnowledgeBase, item: str | CodedItem) -> list[str]:
    found, _ = recognise_medications(kb, (item,))
    return [m.id for m in found]


# --- every member of each class the kb names ------------------------------------------------

CLASS_MEMBERS = {
    "statins": [
        "atorvastatin",
        "simvastatin",
        "rosuvastatin",
        "pravastatin",
        "lovastatin",
        "fluvastatin",
        "pitavastatin",
    ],
    "direct_oral_anticoagulants": ["apixaban", "rivaroxaban", "dabigatran", "edoxaban"],
    "heparins": ["heparin", "enoxaparin", "dalteparin", "tinzaparin"],
    "vitamin_k_antagonists": ["warfarin"],
    "anticoagulants": ["fondaparinux"],
    "p2y12_inhibitors": ["clopidogrel", "prasugrel", "ticagrelor", "ticlopidine"],
    "antiplatelets": ["aspirin"],
    "thiazide_diuretics": [
        "hydrochlorothiazide",
        "bendroflumethiazide",
        "chlortalidone",
        "indapamide",
        "metolazone",
    ],
    "loop_diuretics": ["furosemide", "bumetanide", "torasemide"],
    "potassium_sparing_diuretics": ["spironolactone", "eplerenone", "amiloride", "triamterene"],
    "long_acting_beta2_agonists": [
        "salmeterol",
        "formoterol",
        "vilanterol",
        "olodaterol",
        "indacaterol",
    ],
    "short_acting_beta2_agonists": ["salbutamol", "terbutaline", "levalbuterol"],
}
MEMBERS = [(cls, med) for cls, meds in CLASS_MEMBERS.items() for med in meds]


@pytest.mark.parametrize(("cls", "med"), MEMBERS)
def test_every_member_is_in_its_class(kb: KnowledgeBase, cls: str, med: str) -> None:
    assert cls in kb.index.medication_classes[med]


@pytest.mark.parametrize(("cls", "med"), MEMBERS)
def test_every_member_is_recognised_by_its_name(kb: KnowledgeBase, cls: str, med: str) -> None:
    assert ids(kb, kb.medications[med].name) == [med]


# class -> the effect every member carries through it (None: no class-level source)
CLASS_EFFECT = [
    ("statins", "cramp"),
    ("statins", "statin"),
    ("thiazide_diuretics", "cramp"),
    ("loop_diuretics", "cramp"),
    ("potassium_sparing_diuretics", "cramp"),
    ("long_acting_beta2_agonists", "cramp"),
    ("direct_oral_anticoagulants", "bleeding_risk"),
    ("heparins", "bleeding_risk"),
    ("vitamin_k_antagonists", "bleeding_risk"),
    ("p2y12_inhibitors", "bleeding_risk"),
]


@pytest.mark.parametrize(("cls", "effect"), CLASS_EFFECT)
def test_each_member_carries_its_class_effect(kb: KnowledgeBase, cls: str, effect: str) -> None:
    for med in CLASS_MEMBERS[cls]:
        assert effect in kb.index.medication_effects[med], med


def test_no_short_acting_agonist_but_salbutamol_is_linked_to_cramps(kb: KnowledgeBase) -> None:
    # NICE CKS names salbutamol, not the class: the class statement must not reach its siblings
    assert "cramp" in kb.index.medication_effects["salbutamol"]
    assert "cramp" not in kb.index.medication_effects["terbutaline"]
    assert "cramp" not in kb.index.medication_effects["levalbuterol"]


def test_no_name_belongs_to_two_medications(kb: KnowledgeBase) -> None:
    owner: dict[str, str] = {}
    for med in kb.medications.values():
        for name in (med.name, med.id.replace("_", " "), *med.brands, *med.synonyms):
            assert owner.setdefault(fold(name), med.id) == med.id, name
    for med in kb.medications.values():
        for other in med.lookalikes:
            assert fold(other) not in owner, other


# --- brands (as written in a record)                  -> ingredient ------------------------------

BRANDS = [
    ("Lipitor 20 mg", "atorvastatin"),
    ("Zocor", "simvastatin"),
    ("Crestor 10mg", "rosuvastatin"),
    ("Pravachol", "pravastatin"),
    ("Mevacor", "lovastatin"),
    ("Lescol XL 80 mg", "fluvastatin"),
    ("Livalo 2 mg", "pitavastatin"),
    ("Eliquis 5mg", "apixaban"),
    ("Xarelto 20 mg", "rivaroxaban"),
    ("Pradaxa 150 mg", "dabigatran"),
    ("Savaysa 60 mg", "edoxaban"),
    ("Lixiana", "edoxaban"),
    ("Lovenox 40 mg", "enoxaparin"),
    ("Clexane", "enoxaparin"),
    ("Fragmin 5000 units", "dalteparin"),
    ("Innohep", "tinzaparin"),
    ("Arixtra 2.5 mg", "fondaparinux"),
    ("Coumadin 5 mg", "warfarin"),
    ("Plavix 75 mg", "clopidogrel"),
    ("Effient", "prasugrel"),
    ("Brilinta 90 mg", "ticagrelor"),
    ("Brilique", "ticagrelor"),
    ("Ticlid", "ticlopidine"),
    ("Ecotrin", "aspirin"),
    ("Microzide", "hydrochlorothiazide"),
    ("Aprinox 2.5 mg", "bendroflumethiazide"),
    ("Zaroxolyn", "metolazone"),
    ("Lasix 40mg", "furosemide"),
    ("Bumex 1 mg", "bumetanide"),
    ("Demadex", "torasemide"),
    ("Aldactone 25 mg", "spironolactone"),
    ("Inspra", "eplerenone"),
    ("Midamor", "amiloride"),
    ("Dyrenium", "triamterene"),
    ("Serevent", "salmeterol"),
    ("Foradil", "formoterol"),
    ("Breo Ellipta", "vilanterol"),
    ("Striverdi", "olodaterol"),
    ("Onbrez", "indacaterol"),
    ("Ventolin inhaler", "salbutamol"),
    ("Bricanyl", "terbutaline"),
    ("Xopenex", "levalbuterol"),
]


@pytest.mark.parametrize(("text", "expected"), BRANDS)
def test_brands(kb: KnowledgeBase, text: str, expected: str) -> None:
    assert ids(kb, text) == [expected]


# --- misspellings: listed ones, and close ones read as the one drug they can be ----------------

MISSPELLINGS = [
    ("simvastin 20 mg", "simvastatin"),  # listed
    ("atorvastatn", "atorvastatin"),  # one letter short: read, and the match asks to check
    ("pravastatn", "pravastatin"),
    ("pitavastatn", "pitavastatin"),
    ("rosuvastatn 10mg", "rosuvastatin"),
    ("lovastatine", "lovastatin"),
    ("apixiban", "apixaban"),
    ("rivaroxiban 20mg", "rivaroxaban"),
    ("edoxiban", "edoxaban"),
    ("dalteparine", "dalteparin"),
    ("tinzeparin", "tinzaparin"),
    ("enoxaparine 40mg", "enoxaparin"),
    ("fondaparinox", "fondaparinux"),
    ("prasugral", "prasugrel"),
    ("ticagrelol", "ticagrelor"),
    ("clopidigrel", "clopidogrel"),
    ("hydrochlorthiazide 25mg", "hydrochlorothiazide"),
    ("bendrofluazide", "bendroflumethiazide"),
    ("metalazone", "metolazone"),
    ("bumetinide", "bumetanide"),
    ("torsemide 20 mg", "torasemide"),
    ("eplerinone", "eplerenone"),
    ("amilorid", "amiloride"),
    ("triamterine", "triamterene"),
    ("salmetrol", "salmeterol"),
    ("formeterol", "formoterol"),
    ("vilanterole", "vilanterol"),
    ("salbutomol", "salbutamol"),
    ("terbutalin", "terbutaline"),
    ("cellebrex", "celecoxib"),  # a brand misspelt
]


@pytest.mark.parametrize(("text", "expected"), MISSPELLINGS)
def test_misspellings(kb: KnowledgeBase, text: str, expected: str) -> None:
    found, unknown = recognise_medications(kb, (text,))
    assert [m.id for m in found] == [expected] and unknown == []


def test_a_guessed_misspelling_says_what_it_was_read_as(kb: KnowledgeBase) -> None:
    found, _ = recognise_medications(kb, ("atorvastatn 40 mg",))
    assert "read 'atorvastatn' as 'atorvastatin'" in found[0].matched
    assert "check" in found[0].matched


# --- must not cross: (as written, expected id or None for unrecognised, why) ------------------

MUST_NOT_CROSS: list[tuple[str, str | None, str]] = [
    ("pravastatin", "pravastatin", "exact name, not pitavastatin"),
    ("pitavastatin", "pitavastatin", "exact name, not pravastatin"),
    ("prevastatin", None, "a statin stem after a prefix no known statin has"),
    ("rosuvastatin", "rosuvastatin", "exact name, not lovastatin"),
    ("lovastatin", "lovastatin", "exact name, not rosuvastatin or fluvastatin"),
    ("fluvastatn", None, "two edits from lovastatin's misspelling as well as one from fluvastatin"),
    ("cerivastatin", None, "a statin not in the kb: never read as another statin"),
    ("apixaban", "apixaban", "exact name, not rivaroxaban or edoxaban"),
    ("rivaroxaban", "rivaroxaban", "exact name, not apixaban"),
    ("betrixaban", None, "a factor Xa inhibitor not in the kb"),
    ("dalteparin", "dalteparin", "exact name, not enoxaparin or tinzaparin"),
    ("enoxaparin", "enoxaparin", "exact name, not dalteparin"),
    ("nadroparin", None, "a low-molecular-weight heparin not in the kb"),
    ("prasugrel", "prasugrel", "exact name, not clopidogrel"),
    ("cangrelor", None, "an injected P2Y12 inhibitor not in the kb"),
    ("hydrochlorothiazide", "hydrochlorothiazide", "exact name, not chlorothiazide"),
    ("chlorthalidone", "chlortalidone", "exact name, not hydrochlorothiazide"),
    ("chlorothiazide", None, "a thiazide not in the kb"),
    ("hydroxyzine", None, "look-alike of hydrochlorothiazide (LASA list)"),
    ("hydralazine", None, "look-alike of hydrochlorothiazide (LASA list)"),
    ("salmeterol", "salmeterol", "exact name, not salbutamol"),
    ("salbutamol", "salbutamol", "exact name, not salmeterol"),
    ("citalopram", "citalopram", "exact name, not escitalopram"),
    ("escitalopram", "escitalopram", "its own entry, not citalopram"),
    ("Cerebyx", None, "look-alike of Celebrex and Celexa (LASA list)"),
    ("clonidine", None, "look-alike of clonazepam (LASA list)"),
    ("Avandia", None, "look-alike of Coumadin (LASA list)"),
    ("losartan", None, "an unknown drug stays unrecognised"),
    ("vitamin D 1000 IU", None, "not a drug the kb knows"),
]


@pytest.mark.parametrize(
    ("text", "expected", "why"), MUST_NOT_CROSS, ids=[row[0] for row in MUST_NOT_CROSS]
)
def test_must_not_cross(kb: KnowledgeBase, text: str, expected: str | None, why: str) -> None:
    found, unknown = recognise_medications(kb, (text,))
    if expected is None:
        assert found == [] and unknown == [text], why
    else:
        assert [m.id for m in found] == [expected], why


COMBINATIONS = [
    ("aspirin 81 mg and clopidogrel 75 mg", ["aspirin", "clopidogrel"]),
    ("triamterene-hydrochlorothiazide 37.5-25 mg", ["triamterene", "hydrochlorothiazide"]),
    ("amiloride/hydrochlorothiazide 5/50", ["amiloride", "hydrochlorothiazide"]),
    ("Dyazide", ["triamterene"]),  # the brand is read as one ingredient (see the entry)
]


@pytest.mark.parametrize(("text", "expected"), COMBINATIONS)
def test_a_combination_product_matches_each_ingredient(
    kb: KnowledgeBase, text: str, expected: list[str]
) -> None:
    assert sorted(ids(kb, text)) == sorted(expected)


# --- codes ------------------------------------------------------------------------------------

# (system, code, expected id or None, what the code is)
CODES: list[tuple[str, str, str | None, str]] = [
    (RXNORM, "36567", "simvastatin", "ingredient"),
    (RXNORM, "1364430", "apixaban", "ingredient"),
    (RXNORM, "1114195", "rivaroxaban", "ingredient"),
    (RXNORM, "1037042", "dabigatran", "ingredient"),
    (RXNORM, "5224", "heparin", "ingredient"),
    (RXNORM, "67108", "enoxaparin", "ingredient"),
    (RXNORM, "221095", "enoxaparin", "precise ingredient (enoxaparin sodium)"),
    (RXNORM, "32968", "clopidogrel", "ingredient"),
    (RXNORM, "5487", "hydrochlorothiazide", "ingredient"),
    (RXNORM, "2409", "chlortalidone", "ingredient"),
    (RXNORM, "4603", "furosemide", "ingredient"),
    (RXNORM, "9997", "spironolactone", "ingredient"),
    (RXNORM, "36117", "salmeterol", "ingredient"),
    (RXNORM, "25255", "formoterol", "ingredient"),
    (RXNORM, "435", "salbutamol", "ingredient"),
    (RXNORM, "316672", "simvastatin", "clinical drug (SCD) as in the Synthea records"),
    (RXNORM, "312961", "simvastatin", "SCD Simvastatin 20 MG Oral Tablet"),
    (RXNORM, "259255", "atorvastatin", "SCD Atorvastatin 80 MG Oral Tablet"),
    (RXNORM, "316049", "hydrochlorothiazide", "SCD Hydrochlorothiazide 25 MG"),
    (RXNORM, "315971", "furosemide", "clinical drug written 'Lasix 40mg' in Synthea"),
    (RXNORM, "1719286", "furosemide", "SCD furosemide injection"),
    (RXNORM, "309362", "clopidogrel", "SCD Clopidogrel 75 MG Oral Tablet"),
    (RXNORM, "855332", "warfarin", "SCD Warfarin Sodium 5 MG Oral Tablet"),
    (RXNORM, "243670", "aspirin", "SCD Aspirin 81 MG Oral Tablet"),
    (RXNORM, "896209", "salmeterol", "SCD fluticasone/salmeterol inhaler"),
    (RXNORM, "6472", "lovastatin", "ingredient (VSAC statin value set)"),
    (RXNORM, "41127", "fluvastatin", "ingredient (VSAC statin value set)"),
    (RXNORM, "861634", "pitavastatin", "ingredient (VSAC statin value set)"),
    (RXNORM, "237159", "levalbuterol", "ingredient"),
    (RXNORM, "1364445", "apixaban", "SCD apixaban 5 MG Oral Tablet (VSAC)"),
    (RXNORM, "1232086", "rivaroxaban", "SCD rivaroxaban 20 MG Oral Tablet (VSAC)"),
    (RXNORM, "1037045", "dabigatran", "SCD dabigatran etexilate 150 MG Oral Capsule (VSAC)"),
    (RXNORM, "1599555", "edoxaban", "SCD edoxaban 60 MG Oral Tablet (VSAC)"),
    (RXNORM, "854235", "enoxaparin", "SCD 0.4 ML enoxaparin sodium 100 MG/ML syringe (VSAC)"),
    (RXNORM, "978755", "dalteparin", "SCD 1 ML dalteparin sodium 10000 UNT/ML syringe (VSAC)"),
    (RXNORM, "861360", "fondaparinux", "SCD 0.5 ML fondaparinux sodium 5 MG/ML syringe (VSAC)"),
    (RXNORM, "855312", "warfarin", "SCD warfarin sodium 2.5 MG Oral Tablet (VSAC)"),
    (RXNORM, "197418", "bumetanide", "SCD bumetanide 1 MG Oral Tablet (VSAC)"),
    (RXNORM, "198371", "torasemide", "SCD torsemide 20 MG Oral Tablet (VSAC)"),
    (RXNORM, "351257", "eplerenone", "SCD eplerenone 50 MG Oral Tablet (VSAC)"),
    (RXNORM, "977880", "amiloride", "SCD amiloride hydrochloride 5 MG Oral Tablet (VSAC)"),
    (RXNORM, "198313", "triamterene", "SCD triamterene 50 MG Oral Capsule (VSAC)"),
    (RXNORM, "310798", "hydrochlorothiazide", "SCD hydrochlorothiazide 25 MG Oral Tablet (VSAC)"),
    (RXNORM, "197499", "chlortalidone", "SCD chlorthalidone 25 MG Oral Tablet (VSAC)"),
    (RXNORM, "313988", "furosemide", "SCD furosemide 40 MG Oral Tablet (VSAC)"),
    (RXNORM, "313096", "spironolactone", "SCD spironolactone 25 MG Oral Tablet (VSAC)"),
    (RXNORM, "999999999", None, "unknown code, no display"),
    (ATC, "C", None, "anatomical group: above every class"),
    (ATC, "C10", None, "above the statins"),
    (ATC, "C10A", None, "above the statins"),
    (ATC, "C10AA", "statins", "at the class"),
    (ATC, "C10AA05", "atorvastatin", "at an ingredient"),
    (ATC, "C10AA06", "statins", "below the class, not in the kb (cerivastatin)"),
    (ATC, "C03", "diuretics", "at the class"),
    (ATC, "C03CA", "loop_diuretics", "below the loop class (C03C)"),
    (ATC, "C03CA03", "loop_diuretics", "below the class, not in the kb (piretanide)"),
    (ATC, "C03DA04", "eplerenone", "at an ingredient"),
    (ATC, "B01", None, "above every antithrombotic class"),
    (ATC, "B01A", None, "above every antithrombotic class"),
    (ATC, "B01AB", "heparins", "at the class"),
    (ATC, "B01AB06", "heparins", "below the class, not in the kb (nadroparin)"),
    (ATC, "B01AB10", "tinzaparin", "at an ingredient"),
    (ATC, "B01AF", "direct_oral_anticoagulants", "at the class"),
    (ATC, "B01AF03", "edoxaban", "at an ingredient"),
    (ATC, "B01AF04", "direct_oral_anticoagulants", "below the class (betrixaban)"),
    (ATC, "B01AE07", "dabigatran", "at an ingredient"),
    (ATC, "B01AC24", "ticagrelor", "at an ingredient"),
    (ATC, "B01AC25", "antiplatelets", "below the class, not in the kb (cangrelor)"),
    (ATC, "B01AX05", "fondaparinux", "at an ingredient"),
    (ATC, "B01AX07", None, "other antithrombotic not in the kb (caplacizumab)"),
    (ATC, "R03", None, "above every beta-agonist"),
    (ATC, "R03AC19", "olodaterol", "at an ingredient"),
    (ATC, "R03AC18", "indacaterol", "at an ingredient"),
    (ATC, "R03AC03", "terbutaline", "at an ingredient"),
    (ATC, "r03ac12", "salmeterol", "lower case"),
]


@pytest.mark.parametrize(
    ("system", "code", "expected", "what"), CODES, ids=[f"{c[1]}-{c[3]}" for c in CODES]
)
def test_codes(kb: KnowledgeBase, system: str, code: str, expected: str | None, what: str) -> None:
    found, unknown = recognise_medications(kb, (CodedItem(system=system, code=code),))
    if expected is None:
        assert found == [] and len(unknown) == 1, what
    else:
        assert [m.id for m in found] == [expected], what


def test_an_unknown_code_is_read_from_its_display_text_and_says_so(kb: KnowledgeBase) -> None:
    pack = "{74 (apixaban 5 MG Oral Tablet) } Pack"  # an RxNorm pack code the kb does not list
    item = CodedItem(system=RXNORM, code="1992427", display=pack)
    found, unknown = recognise_medications(kb, (item,))
    assert [m.id for m in found] == ["apixaban"] and unknown == []
    assert "read from its display text" in found[0].matched


def test_an_unknown_code_with_an_unknown_display_is_unrecognised(kb: KnowledgeBase) -> None:
    item = CodedItem(system=RXNORM, code="1234567", display="Vitamin D3 1000 UNT Oral Capsule")
    found, unknown = recognise_medications(kb, (item,))
    assert found == [] and unknown == ["RxNorm 1234567 (Vitamin D3 1000 UNT Oral Capsule)"]


def test_a_code_above_a_class_is_not_read_from_a_class_like_display(kb: KnowledgeBase) -> None:
    item = CodedItem(system=ATC, code="C10", display="LIPID MODIFYING AGENTS")
    assert ids(kb, item) == []


# --- what the assessment does with them -------------------------------------------------------

BLEEDING = [
    "Eliquis 5 mg",
    "edoxaban 60 mg",
    "dalteparin 5000 units",
    "Fragmin",
    "Brilinta 90mg",
    "prasugrel 10 mg",
    "fondaparinux 2.5 mg",
    "tinzaparin",
]


@pytest.mark.parametrize("text", BLEEDING)
def test_anticoagulant_or_p2y12_patients_get_the_bleeding_caution(
    kb: KnowledgeBase, text: str
) -> None:
    result = run(kb, history={"medications": [text]})
    assert "anticoagulation" in {c["id"] for c in result["cautions"]}


CRAMP_FACTOR = [
    ("bendroflumethiazide 2.5 mg", "bendroflumethiazide"),
    ("metolazone", "metolazone"),
    ("bumetanide 1 mg", "bumetanide"),
    ("torsemide", "torasemide"),
    ("eplerenone", "eplerenone"),
    ("Livalo", "pitavastatin"),
    ("lovastatin 20 mg", "lovastatin"),
    ("olodaterol", "olodaterol"),
    ("Breo Ellipta", "vilanterol"),
]


@pytest.mark.parametrize(("text", "med"), CRAMP_FACTOR)
def test_thiazide_loop_statin_and_laba_patients_get_the_cramp_factor(
    kb: KnowledgeBase, text: str, med: str
) -> None:
    assert med in factor_ids(run(kb, history={"medications": [text]}))


def test_terbutaline_is_recognised_but_is_not_a_cramp_factor(kb: KnowledgeBase) -> None:
    result = run(kb, history={"medications": ["terbutaline"]})
    assert "terbutaline" not in factor_ids(result)


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.text(alphabet=string.ascii_lowercase, min_size=5, max_size=14))
def test_a_word_not_near_exactly_one_known_drug_is_unrecognised(
    kb: KnowledgeBase, word: str
) -> None:
    limit = allowed_edits(word)
    near = {m for n, m in kb.index.medication_words if edit_distance(word, n, limit) <= limit}
    assume(word not in kb.index.medication_names)
    assume(len(near) != 1 or None in near)  # near no drug, near two, or near a look-alike
    found, unknown = recognise_medications(kb, (word,))
    assert found == [] and unknown == [word]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_misspelling_never_reads_as_another_drug(kb: KnowledgeBase, data: st.DataObject) -> None:
    names = [(n, m) for n, m in kb.index.medication_words if m is not None and len(n) >= 5]
    name, med = data.draw(st.sampled_from(names))
    at = data.draw(st.integers(0, len(name) - 1))
    edit = data.draw(st.sampled_from(["drop", "swap", "replace"]))
    letter = data.draw(st.sampled_from(string.ascii_lowercase))
    if edit == "drop":
        word = name[:at] + name[at + 1 :]
    elif edit == "swap" and at + 1 < len(name):
        word = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    else:
        word = name[:at] + letter + name[at + 1 :]
    found, _ = recognise_medications(kb, (word,))
    exact = kb.index.medication_names.get(word)
    allowed = {med} if exact is None else {exact}
    assert {m.id for m in found} <= allowed, (name, word)


def test_a_branded_drug_with_an_unlisted_code_is_read_by_its_brand(kb: KnowledgeBase) -> None:
    # an SBD display names the brand in brackets; the code stands for one the kb does not list
    item = CodedItem(
        system=RXNORM, code="999000001", display="ticagrelor 90 MG Oral Tablet [Brilinta]"
    )
    found, _ = recognise_medications(kb, (item,))
    assert [m.id for m in found] == ["ticagrelor"]
    assert "read from its display text" in found[0].matched


# --- a strength joined by a hyphen -------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "med"),
    [
        ("ASA-81", "aspirin"),
        ("HCTZ-25", "hydrochlorothiazide"),
        ("Zocor-40", "simvastatin"),
        ("triamterene-hydrochlorothiazide 37.5-25 mg", "triamterene"),
    ],
)
def test_a_strength_joined_by_a_hyphen_leaves_the_name_readable(
    kb: KnowledgeBase, written: str, med: str
) -> None:
    assert med in ids(kb, written)
