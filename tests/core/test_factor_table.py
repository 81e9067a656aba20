"""Contributing factors as tables a clinician can read: what the patient reports or takes, and
the factor crampcare lists for it (or that it lists none), with its exact words, grade and sources.

- A medication: the drug's name, then what the ingredient and each class above it say about
  cramps, nearest first, one space apart. The grade is that of the widest class that states the
  link (the class statement carries the evidence); the sources are those of every entry that
  states it. Rows marked "made-up" change the knowledge base for the test only, to reach cases no
  shipped drug does (an ingredient graded apart from its class, a silent class, no statement).
- A history condition: its own words and grade; one without a link to cramps lists nothing and
  hides nothing; pregnancy is one factor, matched by what made the patient count as pregnant.
- A laboratory value: a factor only when strictly outside its range, the reporting laboratory's
  own when given, else crampcare's default, and the summary says which.
- A trigger: only a reported one that the knowledge base describes as a factor.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from crampcare.core.citations import cite
from crampcare.core.contract import FactorOut
from crampcare.core.facts import gather_facts
from crampcare.core.intake import parse_intake
from crampcare.core.pregnancy import Pregnancy
from crampcare.core.screening import contributing_factors
from crampcare.kb.loader import KnowledgeBase
from crampcare.kb.schema import Certainty, Verification
from tests.factories import TODAY, make_intake, run

ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
Changes = dict[str, dict[str, Any]]  # kb entry id -> fields changed (made-up rows only)


def factors(kb: KnowledgeBase, kind: str, **sections: Any) -> list[FactorOut]:
    facts = gather_facts(parse_intake(make_intake(**sections), kb, TODAY), kb)
    return [f for f in contributing_factors(facts, kb) if f["kind"] == kind]


def changed(kb: KnowledgeBase, **changes: Changes) -> KnowledgeBase:
    """A copy of ``kb`` whose entries (medications=..., conditions=...) have the fields given."""
    updates: dict[str, Any] = {}
    for table, entries in changes.items():
        current = dict(getattr(kb, table))
        for entry_id, fields in entries.items():
            current[entry_id] = current[entry_id].model_copy(update=fields)
        updates[table] = current
    return dataclasses.replace(kb, **updates)


def cited(kb: KnowledgeBase, entries: list[Any]) -> list[Any]:
    return cite(kb, [s for e in entries for s in e.sources])


# --- medications ------------------------------------------------------------------------------

SILENT = {"cramp_association": None}  # the entry says nothing about cramps
# In the summaries, {entry_id} stands for that entry's statement about cramps in the kb.
THIAZIDE_LIKE = (
    "Metolazone. {metolazone} Thiazide and thiazide-like diuretics: {thiazide_diuretics} "
    "Diuretics: {diuretics}"
)

# label, as written, made-up changes, the factor's summary, entries cited, certainty, verification
MEDICATIONS: list[tuple[str, str, Changes, str, list[str], str, str]] = [
    (
        "thiazide-like diuretic: the drug, its class, then all diuretics",
        "metolazone 5 mg",
        {},
        THIAZIDE_LIKE,
        ["metolazone", "thiazide_diuretics", "diuretics"],
        "low",
        "primary",
    ),
    (
        "statin: the class adds the statin muscle-symptom source",
        "simvastatin 20 mg",
        {},
        "Simvastatin. {simvastatin} Statins (HMG-CoA reductase inhibitors): {statins}",
        ["simvastatin", "statins"],
        "low",
        "primary",
    ),
    (
        "salbutamol: its class states no grade, so very low",
        "salbutamol inhaler",
        {},
        "Salbutamol (albuterol). {salbutamol} Short-acting beta-2 agonists (SABA): "
        "{short_acting_beta2_agonists}",
        ["salbutamol", "short_acting_beta2_agonists"],
        "very_low",
        "primary",
    ),
    (
        "nifedipine: no class, its own statement and grade",
        "nifedipine 10 mg",
        {},
        "Nifedipine. {nifedipine}",
        ["nifedipine"],
        "very_low",
        "primary",
    ),
    (
        "made-up: the drug graded apart from its class, the widest class's grade stands",
        "metolazone 5 mg",
        {"metolazone": {"certainty": Certainty.very_low, "verification": Verification.secondary}},
        THIAZIDE_LIKE,
        ["metolazone", "thiazide_diuretics", "diuretics"],
        "low",
        "primary",
    ),
    (
        "made-up: the widest class silent, the nearest class that speaks grades it",
        "metolazone 5 mg",
        {
            "diuretics": SILENT,
            "thiazide_diuretics": {
                "certainty": Certainty.moderate,
                "verification": Verification.secondary,
            },
        },
        "Metolazone. {metolazone} Thiazide and thiazide-like diuretics: {thiazide_diuretics}",
        ["metolazone", "thiazide_diuretics"],
        "moderate",
        "secondary",
    ),
    (
        "made-up: only the classes speak, so only their sources are cited",
        "metolazone 5 mg",
        {"metolazone": {**SILENT, "certainty": Certainty.moderate}},
        "Metolazone. Thiazide and thiazide-like diuretics: {thiazide_diuretics} "
        "Diuretics: {diuretics}",
        ["thiazide_diuretics", "diuretics"],
        "low",
        "primary",
    ),
    (
        "made-up: no entry states the link, the drug's own grade and sources",
        "metolazone 5 mg",
        {
            "metolazone": {
                **SILENT,
                "certainty": Certainty.moderate,
                "verification": Verification.secondary,
            },
            "thiazide_diuretics": SILENT,
            "diuretics": SILENT,
        },
        "Metolazone. Linked to cramps.",
        ["metolazone"],
        "moderate",
        "secondary",
    ),
    (
        "made-up: no entry states the link and the drug has no grade, so very low",
        "metolazone 5 mg",
        {
            "metolazone": {**SILENT, "certainty": None},
            "thiazide_diuretics": SILENT,
            "diuretics": SILENT,
        },
        "Metolazone. Linked to cramps.",
        ["metolazone"],
        "very_low",
        "primary",
    ),
]


@pytest.mark.parametrize(
    ("written", "changes", "summary", "cited_entries", "certainty", "verification"),
    [row[1:] for row in MEDICATIONS],
    ids=[row[0] for row in MEDICATIONS],
)
def test_a_medication_factor_quotes_every_statement_and_takes_the_widest_grade(
    kb: KnowledgeBase,
    written: str,
    changes: Changes,
    summary: str,
    cited_entries: list[str],
    certainty: str,
    verification: str,
) -> None:
    kb = changed(kb, medications=changes)
    (factor,) = factors(kb, "medication", history={"medications": [written]})
    drug = written.split()[0]
    statements = {m.id: m.cramp_association for m in kb.medications.values()}
    assert factor == {
        "id": drug,
        "kind": "medication",
        "matched": [f"'{written}' (name '{drug}')"],
        "summary": summary.format(**statements),
        "certainty": certainty,
        "verification": verification,
        "sources": cited(kb, [kb.medications[e] for e in cited_entries]),
    }


def test_two_drugs_make_one_routine_medication_review_naming_both(kb: KnowledgeBase) -> None:
    result = run(kb, history={"medications": ["metolazone 5 mg", "simvastatin 20 mg"]})
    assert result["referral"] == {
        "urgency": "routine",
        "reasons": [
            "Medication review by the prescriber (routine): Metolazone, Simvastatin can cause "
            "cramps."
        ],
    }


# --- history conditions -----------------------------------------------------------------------

CKD = (
    "chronic_kidney_disease",
    ["'chronic kidney disease stage 3' (phrase 'chronic kidney disease')"],
)
Z34 = (
    "pregnancy recorded: ICD-10-CM Z34.00, within Z34 "
    "(Encounter for supervision of normal pregnancy)"
)

# label, intake sections, factors listed: (id, matched, certainty, verification)
CONDITIONS: list[tuple[str, dict[str, Any], list[tuple[str, list[str], str, str]]]] = [
    (
        "chronic kidney disease: low, primary",
        {"history": {"conditions": ["chronic kidney disease stage 3"]}},
        [(*CKD, "low", "primary")],
    ),
    (
        "diabetes: very low",
        {"history": {"conditions": ["diabetes"]}},
        [("diabetes_mellitus", ["'diabetes' (phrase 'diabetes')"], "very_low", "primary")],
    ),
    (
        "atrial fibrillation, no link to cramps: no factor",
        {"history": {"conditions": ["atrial fibrillation"]}},
        [],
    ),
    (
        "atrial fibrillation (sorted first) does not hide kidney disease after it",
        {"history": {"conditions": ["chronic kidney disease stage 3", "atrial fibrillation"]}},
        [(*CKD, "low", "primary")],
    ),
    (
        "pregnancy by the intake's flag",
        {"patient": {"age": 30, "sex": "female", "pregnant": True}},
        [("pregnancy", ["pregnant"], "low", "primary")],
    ),
    (
        "pregnancy by an ICD-10-CM code",
        {"history": {"conditions": [{"system": ICD10, "code": "Z34.00"}]}},
        [("pregnancy", [Z34], "low", "primary")],
    ),
]


@pytest.mark.parametrize(
    ("sections", "listed"), [row[1:] for row in CONDITIONS], ids=[row[0] for row in CONDITIONS]
)
def test_a_history_condition_is_a_factor_in_its_own_words_and_grade(
    kb: KnowledgeBase, sections: dict[str, Any], listed: list[tuple[str, list[str], str, str]]
) -> None:
    expected = []
    for cond_id, matched, certainty, verification in listed:
        cond = kb.conditions[cond_id]
        expected.append(
            {
                "id": cond_id,
                "kind": "condition",
                "matched": matched,
                "summary": f"{cond.name}: {cond.summary}",
                "certainty": certainty,
                "verification": verification,
                "sources": cite(kb, cond.sources),
            }
        )
    assert factors(kb, "condition", **sections) == expected


def test_a_condition_with_no_grade_is_very_low(kb: KnowledgeBase) -> None:
    """Made-up: the kidney disease entry without a grade."""
    kb = changed(kb, conditions={"chronic_kidney_disease": {"certainty": None}})
    history = {"conditions": ["chronic kidney disease stage 3"]}
    (factor,) = factors(kb, "condition", history=history)
    assert factor["certainty"] == "very_low"


def test_a_pregnancy_without_a_stated_reason_is_matched_as_pregnant(kb: KnowledgeBase) -> None:
    """Every way into pregnancy through an intake states a reason (the rows above); facts built
    without one still give the factor a matched text rather than an empty one."""
    intake = parse_intake(make_intake(), kb, TODAY)
    facts = dataclasses.replace(
        gather_facts(intake, kb), pregnancy=Pregnancy(pregnant=True, reason=None, weeks=None)
    )
    (factor,) = [f for f in contributing_factors(facts, kb) if f["id"] == "pregnancy"]
    assert factor["matched"] == ["pregnant"]


# --- laboratory values ------------------------------------------------------------------------

DEFAULT = ", by crampcare's default range; the laboratory's own range takes precedence."
REPORTED = ", by the reporting laboratory's range."

# label, test, value, unit, the laboratory's range (or None), the summary (None: no factor)
LABS: list[tuple[str, str, float, str, tuple[float, float] | None, str | None]] = [
    ("potassium at the default lower limit", "potassium", 3.5, "mmol/L", None, None),
    (
        "potassium just under the default range",
        "potassium",
        3.4,
        "mmol/L",
        None,
        "Potassium 3.4 mmol/L (undated) is below the usual range (under 3.5 mmol/L)" + DEFAULT,
    ),
    ("potassium at the default upper limit", "potassium", 5.3, "mmol/L", None, None),
    (
        "potassium just over the default range",
        "potassium",
        5.4,
        "mmol/L",
        None,
        "Potassium 5.4 mmol/L (undated) is above the usual range (over 5.3 mmol/L)" + DEFAULT,
    ),
    ("potassium at the laboratory's lower limit", "potassium", 3.6, "mmol/L", (3.6, 5.0), None),
    (
        "potassium in the default range but under the laboratory's",
        "potassium",
        3.5,
        "mmol/L",
        (3.6, 5.0),
        "Potassium 3.5 mmol/L (undated) is below the usual range (under 3.6 mmol/L)" + REPORTED,
    ),
    ("potassium at the laboratory's upper limit", "potassium", 5.0, "mmol/L", (3.6, 5.0), None),
    (
        "potassium in the default range but over the laboratory's",
        "potassium",
        5.1,
        "mmol/L",
        (3.6, 5.0),
        "Potassium 5.1 mmol/L (undated) is above the usual range (over 5 mmol/L)" + REPORTED,
    ),
    ("magnesium at its lower limit (no upper limit)", "magnesium", 0.7, "mmol/L", None, None),
    ("calcium in range", "calcium", 2.4, "mmol/L", None, None),
]


@pytest.mark.parametrize(
    ("test", "value", "unit", "reported", "summary"),
    [row[1:] for row in LABS],
    ids=[row[0] for row in LABS],
)
def test_a_lab_value_is_a_factor_only_outside_its_range(
    kb: KnowledgeBase,
    test: str,
    value: float,
    unit: str,
    reported: tuple[float, float] | None,
    summary: str | None,
) -> None:
    row: dict[str, Any] = {"test": test, "value": value, "unit": unit}
    if reported is not None:
        row["reference_low"], row["reference_high"] = reported
    found = factors(kb, "lab", history={"labs": [row]})
    if summary is None:
        assert found == []
        return
    lab = next(lab for lab in kb.vocab.labs if lab.id == test)
    assert found == [
        {
            "id": f"lab_{test}",
            "kind": "lab",
            "matched": [f"{lab.name} {value:g} {unit} (undated)"],
            "summary": summary,
            "certainty": "low",
            "verification": lab.range_verification.value,
            "sources": cite(kb, lab.sources),
        }
    ]


def test_a_normal_lab_sorted_first_does_not_hide_a_low_one(kb: KnowledgeBase) -> None:
    labs = [
        {"test": "potassium", "value": 3.4, "unit": "mmol/L", "date": "2026-11-20"},
        {"test": "calcium", "value": 2.4, "unit": "mmol/L"},
    ]
    (factor,) = factors(kb, "lab", history={"labs": labs})
    assert factor["id"] == "lab_potassium"
    assert factor["matched"] == ["Potassium 3.4 mmol/L (2026-11-20)"]


# --- triggers ---------------------------------------------------------------------------------

# label, triggers reported, made-up changes to exercise, factors listed:
# (trigger id, kind, certainty, verification)
TRIGGERS: list[tuple[str, list[str], dict[str, Any], list[tuple[str, str, str, str]]]] = [
    ("no trigger reported: none", [], {}, []),
    ("cold: the kb names it no factor", ["cold"], {}, []),
    ("exercise", ["exercise"], {}, [("exercise", "lifestyle", "low", "secondary")]),
    (
        "dehydration alone (listed after exercise in the kb)",
        ["dehydration"],
        {},
        [("dehydration", "lifestyle", "very_low", "unverified")],
    ),
    (
        "cold and exercise: exercise only",
        ["cold", "exercise"],
        {},
        [("exercise", "lifestyle", "low", "secondary")],
    ),
    (
        "made-up: exercise not a lifestyle factor, without a grade",
        ["exercise"],
        {"lifestyle": False, "certainty": None, "verification": None},
        [("exercise", "trigger", "very_low", "unverified")],
    ),
]


@pytest.mark.parametrize(
    ("reported", "exercise_changes", "listed"),
    [row[1:] for row in TRIGGERS],
    ids=[row[0] for row in TRIGGERS],
)
def test_a_reported_trigger_is_a_factor_when_the_kb_describes_one(
    kb: KnowledgeBase,
    reported: list[str],
    exercise_changes: dict[str, Any],
    listed: list[tuple[str, str, str, str]],
) -> None:
    triggers = tuple(
        t.model_copy(update=exercise_changes) if t.id == "exercise" else t
        for t in kb.vocab.triggers
    )
    kb = dataclasses.replace(kb, vocab=kb.vocab.model_copy(update={"triggers": triggers}))
    by_id = {t.id: t for t in kb.vocab.triggers}
    found = [
        f
        for kind in ("lifestyle", "trigger")
        for f in factors(kb, kind, complaint={"triggers": reported})
    ]
    assert found == [
        {
            "id": f"trigger_{trigger_id}",
            "kind": kind,
            "matched": [f"trigger: {by_id[trigger_id].name}"],
            "summary": by_id[trigger_id].factor_summary,
            "certainty": certainty,
            "verification": verification,
            "sources": cite(kb, by_id[trigger_id].sources),
        }
        for trigger_id, kind, certainty, verification in listed
    ]
