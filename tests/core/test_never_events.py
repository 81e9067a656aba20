"""Property-based tests over generated intakes: the never-events never happen.

Every generated intake (tests/strategies.py: ages and birth dates, pregnancy by flag, code and
text, coded conditions and medications, misspelt drug names, dated laboratory results with and
without the laboratory's range) is assessed once, and every never-event below is checked on the
result. Each check names the never-event it guards, so a failure says which one happened.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from crampcare.core.assess import assess
from crampcare.core.contract import Assessment
from crampcare.core.recognition import medication_from_text
from crampcare.core.schemas import assessment_schema
from crampcare.kb.loader import load_kb
from tests.factories import TODAY
from tests.strategies import (
    CONDITION_TEXTS,
    NOT_PREGNANT_NOW,
    intakes,
    misspell,
    misspellable,
    misspellings,
    pregnancy_sources,
)

KB = load_kb()
KB_AGAIN = load_kb()  # a second, independent load: same version, same output
# scripts/mutation lowers the count: every mutant of the core runs these tests
EXAMPLES = int(os.environ.get("CRAMPCARE_PROPERTY_EXAMPLES", "300"))
PROFILE = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# WHO (1999, section 2.1), as the kb paraphrases it: what is never needled in pregnancy, by
# trimester (point caution kinds); with the weeks unknown, every trimester's list applies.
AVOIDED_IN_PREGNANCY = {
    1: {"pregnancy", "lumbosacral", "lower_abdominal"},
    2: {"pregnancy", "lumbosacral", "upper_abdominal", "strong_sensation"},
    3: {"pregnancy", "lumbosacral", "upper_abdominal", "strong_sensation"},
}
AVOIDED_WHATEVER_THE_WEEK = set.intersection(*AVOIDED_IN_PREGNANCY.values())
LATE_PREGNANCY_POSITIONS = {"side_lying", "seated"}  # from week 14 (Decisions table)


def trimester(weeks: int) -> int:
    return 1 if weeks <= 13 else 2 if weeks <= 27 else 3


def point_kinds(code: str) -> set[str]:
    return {c.kind for c in KB.points[code].cautions}


def is_pregnant(result: Assessment) -> bool:
    return "pregnancy" in {c["id"] for c in result["cautions"]}


def flag_rules() -> dict[str, tuple[bool, bool]]:
    """Red flag or lab tier id -> (stops needling, stops electroacupuncture), from the kb."""
    rules = {
        f.id: (f.stops_needling or f.urgency in ("urgent", "emergency"), f.stops_electroacupuncture)
        for f in KB.red_flags.values()
    }
    for lab in KB.vocab.labs:
        for tier in getattr(lab, "tiers", ()):
            rules[tier.id] = (tier.stops_needling, tier.stops_electroacupuncture)
    return rules


FLAG_RULES = flag_rules()
AFTER_NEEDLING = {a.id for a in KB.advice.values() if getattr(a, "after_needling", False)}


# --- the never-events ---------------------------------------------------------------------------


def no_pregnancy_avoided_point(doc: dict[str, Any], result: Assessment) -> None:
    """Pregnant by flag, code or text, at any week: no point WHO says to avoid is suggested."""
    sources = pregnancy_sources(doc, KB)
    if sources:
        assert is_pregnant(result), f"pregnancy missed: {sources}"
    if not is_pregnant(result):
        return
    weeks = doc["patient"].get("pregnancy_weeks")
    avoided = AVOIDED_IN_PREGNANCY[trimester(weeks)] if weeks else AVOIDED_WHATEVER_THE_WEEK
    for point in result["points"]:
        assert not point_kinds(point["code"]) & avoided, (point["code"], weeks, sources)
    if weeks and weeks >= 14 and result["session"]["positions"]:
        assert set(result["session"]["positions"]) <= LATE_PREGNANCY_POSITIONS, weeks


def no_pregnancy_from_a_denied_or_past_mention(doc: dict[str, Any], result: Assessment) -> None:
    """Negated or past pregnancy text alone never makes the patient pregnant."""
    conditions = doc["history"]["conditions"]
    if doc["patient"]["pregnant"] or not all(
        isinstance(c, str) and c in (*NOT_PREGNANT_NOW, *CONDITION_TEXTS) for c in conditions
    ):
        return
    assert not is_pregnant(result), conditions


def no_needling_past_a_stopping_flag(doc: dict[str, Any], result: Assessment) -> None:
    """An urgent or emergency flag, or one that stops needling, stops it; likewise for
    electroacupuncture."""
    for flag in result["red_flags"]:
        stops_needling, stops_electro = FLAG_RULES[flag["id"]]
        if stops_needling or flag["urgency"] in ("urgent", "emergency"):
            assert result["needling"]["allowed"] is False, flag["id"]
            assert result["points"] == [], flag["id"]
        if stops_electro or stops_needling:
            assert result["electroacupuncture"]["allowed"] is False, flag["id"]
    if any(f["urgency"] in ("urgent", "emergency") for f in result["red_flags"]):
        assert result["referral"]["urgency"] in ("urgent", "emergency")


def no_electroacupuncture_with_an_implanted_device(doc: dict[str, Any], result: Assessment) -> None:
    electronic = {d.id for d in KB.vocab.devices if d.electronic}
    if set(doc["history"]["devices"]) & electronic:
        assert result["electroacupuncture"]["allowed"] is False
        assert "electrical" not in result["session"]["stimulation"]


def no_point_outside_the_kb(doc: dict[str, Any], result: Assessment) -> None:
    suggested = {p["code"] for p in result["points"]}
    for point in result["points"]:
        assert point["code"] in KB.points
        assert point["side"] in ("left", "right", "both", "midline")
        assert point["because"] and point["sources"]
        assert point["positions"]
    for avoided in result["avoid_points"]:
        assert avoided["code"] not in suggested


def needles_within_the_plan(doc: dict[str, Any], result: Assessment) -> None:
    """5-20 needles whenever points are suggested, or the session note says why fewer."""
    session = result["session"]
    count = session["needle_count"]
    assert count["max"] <= KB.plan.needle_count_max
    assert count["min"] <= KB.plan.needle_count_min and count["min"] <= count["max"]
    planned = sum(2 if p["side"] == "both" else 1 for p in result["points"])
    assert count["planned"] == planned
    if not result["points"]:
        return
    assert planned <= count["max"] or len(result["points"]) == 1, (planned, count)
    if planned < count["min"]:
        assert str(planned) in session["note"], session["note"]
    retention = session["retention_minutes"]
    assert retention["min"] <= retention["max"] <= KB.plan.retention_max
    sessions = result["course"]["sessions"]
    assert KB.plan.sessions_min <= sessions["min"] <= sessions["max"] <= KB.plan.sessions_max


def plan_follows_the_needling_decision(doc: dict[str, Any], result: Assessment) -> None:
    """Deferred: no points, no session, no after-needling advice, course after clearance, no
    electroacupuncture. Allowed: a session today."""
    advice = {a["id"] for a in result["advice_details"]}
    session = result["session"]
    if result["needling"]["allowed"]:
        assert session["deferred"] is False
        assert result["course"]["starts"] == "now"
        return
    assert result["points"] == []
    assert session["deferred"] is True and session["needle_count"]["planned"] == 0
    assert session["positions"] == [] and session["stimulation"] == []
    assert session["note"]
    assert not advice & AFTER_NEEDLING, advice & AFTER_NEEDLING
    assert result["course"]["starts"] == "after_medical_clearance"
    assert result["electroacupuncture"]["allowed"] is False


def one_red_flag_per_lab_test(doc: dict[str, Any], result: Assessment) -> None:
    """Several results for one test raise at most one flag; stale results alone raise none."""
    flagged = {f["id"] for f in result["red_flags"]}
    for lab in KB.vocab.labs:
        tiers = {t.id for t in getattr(lab, "tiers", ())}
        assert len(flagged & tiers) <= 1, (lab.id, flagged & tiers)
        results = [
            r
            for r in doc["history"]["labs"]
            if r.get("test") == lab.id or r.get("loinc") in {c.loinc for c in lab.codes}
        ]
        window = getattr(lab, "stale_after_days", None)
        if results and window and all("date" in r for r in results):
            ages = [(TODAY - dt.date.fromisoformat(r["date"])).days for r in results]
            if min(ages) > window:
                assert not flagged & tiers, (lab.id, ages)


def same_input_same_bytes(doc: dict[str, Any], result: Assessment) -> None:
    again = assess(json.loads(json.dumps(doc)), KB_AGAIN, TODAY)
    assert json.dumps(result, ensure_ascii=False) == json.dumps(again, ensure_ascii=False)


def every_statement_is_sourced(doc: dict[str, Any], result: Assessment) -> None:
    for item in (
        *result["red_flags"],
        *result["contributing_factors"],
        *result["cautions"],
        *result["patterns"],
    ):
        assert item["sources"] and item["because" if "because" in item else "matched"]
    if doc["history"]["first_acupuncture"] or doc["history"]["needle_phobia"]:
        assert "seated" not in result["session"]["positions"]


NEVER_EVENTS: list[Callable[[dict[str, Any], Assessment], None]] = [
    no_pregnancy_avoided_point,
    no_pregnancy_from_a_denied_or_past_mention,
    no_needling_past_a_stopping_flag,
    no_electroacupuncture_with_an_implanted_device,
    no_point_outside_the_kb,
    needles_within_the_plan,
    plan_follows_the_needling_decision,
    one_red_flag_per_lab_test,
    same_input_same_bytes,
    every_statement_is_sourced,
]


@PROFILE
@given(intakes(KB))
def test_the_never_events_never_happen(doc: dict[str, Any]) -> None:
    result = assess(doc, KB, TODAY)
    for check in NEVER_EVENTS:
        try:
            check(doc, result)
        except AssertionError as exc:
            raise AssertionError(f"never-event {check.__name__}: {exc}") from exc


@PROFILE
@given(misspellings(KB))
def test_a_misspelt_drug_is_read_as_itself_or_not_at_all(pair: tuple[str, str]) -> None:
    word, meant = pair
    read = {med_id for med_id, _how in medication_from_text(KB, f"{word} 40 mg")}
    assert read <= {meant}, (word, meant, read)


def test_the_misspelling_matcher_reads_single_typing_errors() -> None:
    """One substituted letter in a long drug name is read as that drug for most names, and
    never as another drug."""
    known = set(KB.index.medication_names)
    read = tried = 0
    for name, meant in misspellable(KB):
        middle = len(name) // 2
        word = misspell(name, middle - 1, "x" if name[middle] != "x" else "q", "substitute")
        if word in known:
            continue
        tried += 1
        ids = {med_id for med_id, _how in medication_from_text(KB, word)}
        assert ids <= {meant}, (word, meant, ids)
        read += ids == {meant}
    assert tried and read / tried > 0.5, (read, tried)


ASSESSMENT_SCHEMA = Draft202012Validator(assessment_schema())


@settings(
    max_examples=max(EXAMPLES // 5, 1), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(intakes(KB))
def test_every_output_validates_against_the_published_schema(doc: dict[str, Any]) -> None:
    ASSESSMENT_SCHEMA.validate(json.loads(json.dumps(assess(doc, KB, TODAY))))


def test_the_generated_intakes_reach_every_input_kind() -> None:
    """The strategy is not vacuous: over a fixed sample it produces each kind of input."""
    seen: set[str] = set()

    @settings(
        max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(intakes(KB))
    def collect(doc: dict[str, Any]) -> None:
        patient = doc["patient"]
        seen.update(k for k in ("birth_date", "age", "pregnancy_weeks") if k in patient)
        for item in (*doc["history"]["conditions"], *doc["history"]["medications"]):
            if isinstance(item, dict):
                seen.add(item["system"].rsplit("/", 1)[-1])
            elif item in NOT_PREGNANT_NOW:
                seen.add("pregnancy denied or past")
        for lab in doc["history"]["labs"]:
            seen.update(k for k in ("loinc", "date", "reference_low") if k in lab)
        tests = [lab.get("test") or lab.get("loinc") for lab in doc["history"]["labs"]]
        if len(tests) > len(set(tests)):
            seen.add("several results for one test")
        if pregnancy_sources(doc, KB) and not patient.get("pregnant"):
            seen.add("pregnancy by code or text")

    collect()
    expected = {
        "birth_date",
        "age",
        "pregnancy_weeks",
        "sct",
        "icd-10-cm",
        "mms",
        "rxnorm",
        "atc",
        "loinc",
        "date",
        "reference_low",
        "several results for one test",
        "pregnancy denied or past",
        "pregnancy by code or text",
    }
    assert expected <= seen, expected - seen
