"""Hypothesis strategies: valid crampcare.intake/1 documents drawn from the kb vocabularies."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from crampcare.kb.loader import KnowledgeBase

MEDICATION_TEXTS = [
    "Zocor 40 mg",
    "Lasix 40mg",
    "Coumadin 5 mg",
    "Eliquis",
    "Evista 60 mg",
    "nifedipine 30 mg",
    "Ventolin",
    "aspirin 81 mg",
    "vitamin D",
    "Plavix",
]
CONDITION_TEXTS = [
    "cirrhosis",
    "pregnant",
    "epilepsy",
    "hypothyroidism",
    "chronic kidney disease",
    "asthma",
]


def ids(kb: KnowledgeBase, vocab: str) -> list[str]:
    return sorted(kb.vocab_ids[vocab])


def subset(items: list[str], max_size: int = 4) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(items), max_size=max_size, unique=True)


def intakes(kb: KnowledgeBase) -> st.SearchStrategy[dict[str, Any]]:
    labs = {lab.id: lab for lab in kb.vocab.labs}
    lab = st.sampled_from(sorted(labs)).flatmap(
        lambda test: st.fixed_dictionaries(
            {
                "test": st.just(test),
                "value": st.floats(min_value=0, max_value=10000, allow_nan=False),
                "unit": st.sampled_from(sorted(labs[test].conversions)),
            }
        )
    )
    sex = st.sampled_from(["female", "male", "other", "unknown"])
    patient = sex.flatmap(
        lambda s: st.fixed_dictionaries(
            {
                "age": st.integers(min_value=0, max_value=120),
                "sex": st.just(s),
                "pregnant": st.just(False) if s == "male" else st.booleans(),
            }
        )
    )
    return st.fixed_dictionaries(
        {
            "schema": st.just("crampcare.intake/1"),
            "patient": patient,
            "complaint": st.fixed_dictionaries(
                {
                    "kind": st.sampled_from(ids(kb, "complaint_kinds")),
                    "regions": st.lists(
                        st.sampled_from(ids(kb, "regions")), min_size=1, max_size=4, unique=True
                    ),
                    "side": st.sampled_from(ids(kb, "sides")),
                    "nocturnal": st.booleans(),
                    "episodes_per_week": st.integers(min_value=0, max_value=30),
                    "worst_severity": st.integers(min_value=0, max_value=10),
                    "triggers": subset(ids(kb, "triggers")),
                }
            ),
            "findings": subset(ids(kb, "findings"), 5),
            "tcm": st.fixed_dictionaries(
                {
                    "tongue": subset(ids(kb, "tongue"), 3),
                    "pulse": subset(ids(kb, "pulse"), 3),
                    "signs": subset(ids(kb, "tcm_signs"), 5),
                }
            ),
            "history": st.fixed_dictionaries(
                {
                    "conditions": subset(CONDITION_TEXTS, 3),
                    "medications": subset(MEDICATION_TEXTS, 4),
                    "devices": subset(ids(kb, "devices"), 2),
                    "labs": st.lists(lab, max_size=3),
                    "bleeding_disorder": st.booleans(),
                    "first_acupuncture": st.booleans(),
                    "needle_phobia": st.booleans(),
                }
            ),
        }
    )
