"""Hypothesis strategies: valid crampcare.intake/1 documents drawn from the kb vocabularies.

The intakes reach every kind of input the contract accepts: ages and birth dates, pregnancy by
flag (with and without weeks), by code and by free text (current, negated, past); condition codes
in SNOMED CT, ICD-10-CM and ICD-11, taken from the kb and from below its code families and
ranges; medications as names with strengths, brands, misspellings, RxNorm and ATC codes (also
below a class); laboratory results by test id or LOINC code, in every unit, near every tier's
threshold, with and without the laboratory's range, dated (some stale, several per test) or not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from crampcare.kb.loader import KnowledgeBase
from tests.factories import TODAY

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD11 = "http://id.who.int/icd/release/11/mms"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
CONDITION_SYSTEMS = (SNOMED, ICD10CM, ICD11)

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
    "epilepsy",
    "hypothyroidism",
    "chronic kidney disease",
    "asthma",
    "no known liver disease",
]
# free text that says the patient is pregnant now
PREGNANT_NOW = [
    "pregnant",
    "currently pregnant",
    "pregnancy",
    "12 weeks pregnant",
    "pregnant, 30 weeks",
    "antenatal care",
]
# free text about a pregnancy that is denied, negative or over
NOT_PREGNANT_NOW = [
    "not pregnant",
    "denies pregnancy",
    "pregnancy test negative",
    "previous pregnancy",
    "history of pregnancy",
    "pregnancy ended 2024-03-01",
    "pregnant in 2019",
]
STALE_EXTRA_DAYS = 400  # how far beyond a test's staleness window a stale result may lie


def ids(kb: KnowledgeBase, vocab: str) -> list[str]:
    return sorted(kb.vocab_ids[vocab])


def subset(items: list[str], max_size: int = 4) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(items), max_size=max_size, unique=True)


# --- codes ------------------------------------------------------------------------------------


def below(system: str, code: str) -> list[str]:
    """Codes one level below a kb code, family or category: the kb names the family, the record
    carries a leaf. ICD-10-CM E11- -> E11.9, E11.65; ICD-11 ME84 -> ME84.0; ATC C10AA -> C10AA99;
    ATC C03C -> C03CA99."""
    bare = code.rstrip("-")
    if system == ICD10CM:
        if "." not in bare:
            return [f"{bare}.9", f"{bare}.0"]
        return [bare + "9"] if len(bare.split(".", 1)[1]) < 4 else []
    if system == ICD11:
        if "." not in bare:
            return [f"{bare}.0", f"{bare}.Y"]
        return [bare + "0"] if len(bare.split(".", 1)[1]) < 3 else []
    if system == ATC:
        pad = {1: "01AA99", 3: "AA99", 4: "A99", 5: "99"}.get(len(bare))
        return [bare + pad] if pad else []
    return []


def condition_codes(kb: KnowledgeBase, pregnancy: bool | None = None) -> list[tuple[str, str]]:
    """(system, code) pairs the kb recognises as a condition, and leaves below its families and
    ranges. ``pregnancy``: only the codes of pregnancy entries (True), only the others (False)."""
    out: set[tuple[str, str]] = set()
    for cond in kb.conditions.values():
        if pregnancy is not None and cond.pregnancy is not pregnancy:
            continue
        if not getattr(cond, "recognised_by_code", True):
            continue
        for code in cond.codes:
            if code.code.endswith("-"):  # a family: the codes below it count, not itself
                out.update((code.system, leaf) for leaf in below(code.system, code.code))
            else:  # a listed code counts as itself only
                out.add((code.system, code.code))
        for rng in getattr(cond, "code_ranges", ()):
            for end in (rng.first, rng.last):
                out.update((rng.system, leaf) for leaf in below(rng.system, end))
        for member in getattr(cond, "value_set", ()):
            out.add((SNOMED, member.code))
    return sorted(out)


def medication_codes(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """RxNorm and ATC codes of the kb's medications, and ATC codes below its classes."""
    out: set[tuple[str, str]] = set()
    for med in kb.medications.values():
        for code in med.codes:
            out.add((code.system, code.code))
            if code.system == ATC:
                out.update((ATC, leaf) for leaf in below(ATC, code.code))
    return sorted(out)


def coded(pairs: list[tuple[str, str]]) -> st.SearchStrategy[dict[str, str]]:
    return st.sampled_from(pairs).map(lambda p: {"system": p[0], "code": p[1]})


# --- misspelt drug names ----------------------------------------------------------------------


def misspellable(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(one-word kb drug name, medication id) long enough for the misspelling matcher."""
    return [
        (name, med_id)
        for name, med_id in getattr(kb.index, "medication_words", ())
        if med_id is not None and len(name) >= 6 and name.isalpha()
    ] or [(n, i) for n, i in kb.index.medication_names.items() if " " not in n and len(n) >= 6]


def misspell(word: str, position: int, letter: str, how: str) -> str:
    """One edit: substitute, drop, double or swap the letter at ``position`` (never the first)."""
    i = 1 + position % (len(word) - 2)
    if how == "substitute":
        return word[:i] + letter + word[i + 1 :]
    if how == "drop":
        return word[:i] + word[i + 1 :]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swap with the next letter


def misspellings(kb: KnowledgeBase) -> st.SearchStrategy[tuple[str, str]]:
    """(a drug name with one typing error, the medication it was meant to be)."""
    known = set(kb.index.medication_names)
    return (
        st.tuples(
            st.sampled_from(misspellable(kb)),
            st.integers(min_value=0, max_value=20),
            st.sampled_from("aeioulnrst"),
            st.sampled_from(["substitute", "drop", "double", "swap"]),
        )
        .map(lambda t: (misspell(t[0][0], t[1], t[2], t[3]), t[0][1]))
        .filter(lambda pair: pair[0] not in known)
    )


# --- laboratory results -----------------------------------------------------------------------


def near_thresholds(kb: KnowledgeBase, test: str) -> list[float]:
    """Values (canonical unit) just either side of every limit of the test: its default range,
    every tier's fixed threshold and every multiple of the default upper limit."""
    lab = next(lab for lab in kb.vocab.labs if lab.id == test)
    edges = [e for e in (lab.low, lab.high) if e is not None]
    for tier in getattr(lab, "tiers", ()):
        if tier.threshold is not None:
            edges.append(tier.threshold)
        if tier.times_upper_limit is not None and lab.high is not None:
            edges.append(tier.times_upper_limit * lab.high)
    return sorted({round(e * f, 4) for e in edges for f in (0.98, 1.0, 1.02)})


def lab_results(kb: KnowledgeBase, tests: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    labs = {lab.id: lab for lab in kb.vocab.labs}

    def one(test: str) -> st.SearchStrategy[dict[str, Any]]:
        lab = labs[test]
        stale_after = getattr(lab, "stale_after_days", 365)
        units = sorted(lab.conversions)
        by_loinc = [(c.loinc, c.unit) for c in lab.codes if c.unit in lab.conversions]
        # how the test is named: its id in any unit, or a LOINC code in that code's unit
        by_id = st.sampled_from(units).map(lambda u: ({"test": test}, u))
        name = (
            st.one_of(by_id, st.sampled_from(by_loinc).map(lambda c: ({"loinc": c[0]}, c[1])))
            if by_loinc
            else by_id
        )
        near = near_thresholds(kb, test)
        canonical = st.one_of(
            *([st.sampled_from(near)] if near else []),
            st.floats(min_value=0, max_value=10000, allow_nan=False, allow_infinity=False),
        )
        days_ago = st.one_of(
            st.none(),
            st.integers(min_value=0, max_value=stale_after),
            st.integers(min_value=stale_after + 1, max_value=stale_after + STALE_EXTRA_DAYS),
        )
        reference = st.one_of(
            st.none(),
            st.tuples(
                st.floats(min_value=0, max_value=100, allow_nan=False),
                st.floats(min_value=0, max_value=500, allow_nan=False),
            ).map(sorted),
        )

        def build(parts: tuple[Any, ...]) -> dict[str, Any]:
            (naming, unit), value, ago, ref = parts
            result: dict[str, Any] = {**naming, "value": value / lab.conversions[unit]}
            result["unit"] = unit
            if ago is not None:
                result["date"] = (TODAY - dt.timedelta(days=ago)).isoformat()
            if ref is not None:
                result["reference_low"], result["reference_high"] = ref
            return result

        return st.tuples(name, canonical, days_ago, reference).map(build)

    # a few tests per intake, so that one test often has several results
    return st.sampled_from(tests).flatmap(one)


# --- the patient ------------------------------------------------------------------------------


def patients(allow_pregnancy: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    sex = st.sampled_from(["female", "male", "other", "unknown"])
    born = st.dates(
        min_value=dt.date(TODAY.year - 120, TODAY.month, TODAY.day) + dt.timedelta(1),
        max_value=TODAY,
    )

    def age_on(birth: dt.date) -> int:
        return TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))

    ages = st.one_of(
        st.integers(min_value=0, max_value=120).map(lambda a: {"age": a}),
        born.map(lambda b: {"birth_date": b.isoformat()}),
        born.map(lambda b: {"birth_date": b.isoformat(), "age": age_on(b)}),
    )
    pregnancy = st.one_of(
        st.just({"pregnant": False}),
        st.just({"pregnant": True}),
        st.integers(min_value=1, max_value=44).map(
            lambda w: {"pregnant": True, "pregnancy_weeks": w}
        ),
    )

    def build(parts: tuple[str, dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        s, age, preg = parts
        if s == "male" or not allow_pregnancy:
            preg = {"pregnant": False}
        return {**age, "sex": s, **preg}

    return st.tuples(sex, ages, pregnancy).map(build)


# --- the intake -------------------------------------------------------------------------------


def intakes(kb: KnowledgeBase) -> st.SearchStrategy[dict[str, Any]]:
    lab_tests = sorted(lab.id for lab in kb.vocab.labs)
    tests_per_intake = st.lists(st.sampled_from(lab_tests), min_size=1, max_size=3, unique=True)
    labs = tests_per_intake.flatmap(lambda tests: st.lists(lab_results(kb, tests), max_size=4))
    condition_items = st.one_of(
        st.sampled_from(CONDITION_TEXTS),
        coded(condition_codes(kb, pregnancy=False)),
    )
    pregnancy_items = st.one_of(
        st.sampled_from(PREGNANT_NOW),
        st.sampled_from(NOT_PREGNANT_NOW),
        coded(condition_codes(kb, pregnancy=True)),
    )
    medication_items = st.one_of(
        st.sampled_from(MEDICATION_TEXTS),
        misspellings(kb).map(lambda pair: f"{pair[0]} 20 mg"),
        coded(medication_codes(kb)),
    )

    def build(parts: tuple[Any, ...]) -> dict[str, Any]:
        doc, conditions, pregnancy_mentions = parts
        if doc["patient"]["sex"] != "male":
            conditions = [*conditions, *pregnancy_mentions]
        doc["history"]["conditions"] = conditions
        return doc

    doc = st.fixed_dictionaries(
        {
            "schema": st.just("crampcare.intake/1"),
            "patient": patients(),
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
                    "medications": st.lists(medication_items, max_size=4),
                    "devices": subset(ids(kb, "devices"), 2),
                    "labs": labs,
                    "bleeding_disorder": st.booleans(),
                    "first_acupuncture": st.booleans(),
                    "needle_phobia": st.booleans(),
                }
            ),
        }
    )
    return st.tuples(
        doc,
        st.lists(condition_items, max_size=3),
        st.lists(pregnancy_items, max_size=2),
    ).map(build)


def pregnancy_sources(doc: dict[str, Any], kb: KnowledgeBase) -> list[str]:
    """What in a generated intake says the patient is pregnant now: the flag, a pregnancy code,
    a current pregnancy phrase (the negated and past phrases say nothing)."""
    found = ["flag"] if doc["patient"].get("pregnant") else []
    codes = set(condition_codes(kb, pregnancy=True))
    for item in doc["history"]["conditions"]:
        if isinstance(item, dict) and (item["system"], item["code"]) in codes:
            found.append(f"code {item['code']}")
        elif isinstance(item, str) and item in PREGNANT_NOW:
            found.append(f"text {item!r}")
    return found


# --- treatment sessions (crampcare.session/1) -------------------------------------------------


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def contact_intervals(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Contact intervals in time order, without overlap: 1 to 40 minutes each, the practitioner
    out of the room for 0 to 30 minutes between them (0: one interval ends as the next starts)."""
    start = draw(st.integers(8 * 60, 12 * 60))
    out = []
    for _ in range(draw(st.integers(0, 5))):
        length = draw(st.integers(1, 40))
        out.append(
            {
                "start": _clock(start),
                "end": _clock(start + length),
                "electrical": draw(st.booleans()),
                "reinsertion": draw(st.booleans()),
            }
        )
        start += length + draw(st.integers(0, 30))
    return out


@st.composite
def session_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid session document of one of three patients on one of two days; needle counts
    match (or a retained needle is recorded). Sessions of one patient's day may overlap."""
    inserted = draw(st.integers(1, 20))
    retained = draw(st.booleans())
    electrical = draw(st.booleans())
    point: dict[str, Any] = {"code": "GB34", "side": "both", "stimulation": "manual"}
    if electrical:
        point["stimulation"] = "electrical"
        point["electrical"] = {
            "frequency_hz": 2,
            "intensity_ma": 1.5,
            "minutes": 20,
            "waveform": "dense_disperse",
        }
    return {
        "schema": "crampcare.session/1",
        "date": draw(st.sampled_from(["2026-12-01", "2026-12-02"])),
        "patient": draw(st.sampled_from(["p-1", "p-2", "p-3"])),
        "points": [point],
        "needles": {"inserted": inserted, "removed": inserted - retained, "lot": "L-1"},
        "contact": draw(contact_intervals()),
        "adverse_events": [
            {"kind": "retained_needle", "severity": "moderate", "action": "found and removed"}
        ]
        if retained
        else [],
    }
