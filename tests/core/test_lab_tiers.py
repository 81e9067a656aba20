"""Laboratory severity tiers as a table a clinician can read: one row per tier.

value, unit, the laboratory's range (or none given) -> the red flag, its urgency, and whether
needling and electroacupuncture may go ahead. Then the rules around the values: dates and
staleness, several results for one test, CK without a range, platelets high and low, INR, the
flags that combine a value with findings, and "one flag per laboratory value" as a property.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcare.core.contract import Assessment
from crampcare.core.intake import InvalidIntake, parse_intake
from crampcare.kb.loader import KnowledgeBase, load_kb
from tests.factories import TODAY, flag_ids, make_intake, run

KB = load_kb()
TIER_IDS = {t.id: lab.id for lab in KB.vocab.labs for t in lab.tiers}
DIRECTION = {t.id: t.direction for lab in KB.vocab.labs for t in lab.tiers}


def lab(
    test: str,
    value: float,
    unit: str,
    low: float | None = None,
    high: float | None = None,
    date: dt.date | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {"test": test, "value": value, "unit": unit}
    if low is not None:
        row["reference_low"] = low
    if high is not None:
        row["reference_high"] = high
    if date is not None:
        row["date"] = date.isoformat()
    return row


def with_labs(kb: KnowledgeBase, *rows: dict[str, Any], **sections: Any) -> Assessment:
    return run(kb, history={"labs": list(rows)}, **sections)


def tier_flags(result: Assessment) -> list[str]:
    return [f["id"] for f in result["red_flags"] if f["id"] in TIER_IDS]


R = tuple[float | None, float | None] | None  # the laboratory's range, or None: not given

# test, value, unit, range -> tier flag, urgency, needling allowed, electroacupuncture allowed
TABLE: list[tuple[str, float, str, R, str, str, bool, bool]] = [
    ("potassium", 3.2, "mmol/L", None, "hypokalaemia", "soon", True, True),
    ("potassium", 2.8, "mmol/L", None, "moderate_hypokalaemia", "urgent", False, False),
    ("potassium", 2.3, "mEq/L", None, "severe_hypokalaemia", "urgent", False, False),
    ("potassium", 5.6, "mmol/L", None, "hyperkalaemia", "soon", True, True),
    ("potassium", 5.5, "mmol/L", (3.5, 5.1), "hyperkalaemia", "soon", True, True),
    ("potassium", 6.0, "mmol/L", None, "moderate_hyperkalaemia", "urgent", False, False),
    ("potassium", 6.5, "mmol/L", None, "severe_hyperkalaemia", "emergency", False, False),
    ("potassium", 6.8, "mmol/L", (3.5, 5.3), "severe_hyperkalaemia", "emergency", False, False),
    ("magnesium", 0.6, "mmol/L", None, "low_magnesium", "soon", True, True),
    ("magnesium", 1.46, "mg/dL", None, "low_magnesium", "soon", True, True),
    ("magnesium", 0.45, "mmol/L", None, "severe_hypomagnesaemia", "urgent", False, False),
    ("magnesium", 2.2, "mmol/L", None, "severe_hypermagnesaemia", "urgent", False, False),
    ("calcium", 2.1, "mmol/L", None, "low_calcium", "soon", True, True),
    ("calcium", 7.2, "mg/dL", None, "severe_hypocalcaemia", "urgent", False, False),
    ("calcium", 2.8, "mmol/L", None, "high_calcium", "soon", True, True),
    ("calcium", 3.2, "mmol/L", None, "moderate_hypercalcaemia", "urgent", False, False),
    ("calcium", 3.5, "mmol/L", None, "severe_hypercalcaemia", "emergency", False, False),
    ("sodium", 131, "mmol/L", None, "hyponatraemia", "soon", True, True),
    ("sodium", 122, "mmol/L", None, "profound_hyponatraemia", "urgent", False, False),
    ("sodium", 118, "mmol/L", None, "critical_hyponatraemia", "emergency", False, False),
    ("sodium", 148, "mmol/L", None, "hypernatraemia", "soon", True, True),
    ("sodium", 153, "mmol/L", None, "severe_hypernatraemia", "urgent", False, False),
    ("sodium", 162, "mmol/L", None, "critical_hypernatraemia", "emergency", False, False),
    ("ck", 300, "U/L", (None, 200), "ck_above_upper_limit", "routine", True, True),
    ("ck", 1000, "U/L", (None, 200), "ck_above_four_times_uln", "soon", True, True),
    ("ck", 2500, "U/L", (None, 200), "ck_above_ten_times_uln", "urgent", False, False),
    ("ck", 6000, "U/L", None, "ck_above_5000", "urgent", False, False),
    ("tsh", 9.2, "mU/L", None, "high_tsh", "soon", True, True),
    ("tsh", 0.1, "mU/L", None, "low_tsh", "soon", True, True),
    ("glucose", 3.5, "mmol/L", None, "low_glucose", "soon", True, True),
    ("glucose", 2.7, "mmol/L", None, "significant_hypoglycaemia", "urgent", False, False),
    ("glucose", 13, "mmol/L", None, "high_glucose", "soon", True, True),
    ("glucose", 600, "mg/dL", None, "very_high_glucose", "urgent", False, False),
    ("creatinine", 180, "umol/L", (45, 90), "high_creatinine", "routine", True, True),
    ("egfr", 25, "mL/min/1.73m2", None, "severely_reduced_egfr", "routine", True, True),
    ("egfr", 12, "mL/min/1.73m2", None, "kidney_failure_egfr", "soon", True, True),
    ("alt", 60, "U/L", (None, 40), "alt_above_upper_limit", "routine", True, True),
    ("alt", 150, "U/L", (None, 40), "alt_above_three_times_uln", "soon", True, True),
    ("alt", 620, "U/L", None, "alt_above_500", "urgent", False, False),
    ("platelets", 120, "10^9/L", None, "platelets_below_range", "routine", True, True),
    ("platelets", 40, "10^9/L", None, "platelets_below_50", "soon", False, False),
    ("platelets", 15, "10^9/L", None, "platelets_below_20", "urgent", False, False),
    ("platelets", 600, "10^9/L", None, "platelets_above_450", "routine", True, True),
    ("platelets", 1200, "10^9/L", None, "platelets_above_1000", "soon", True, True),
    ("inr", 3.6, "INR", None, "inr_above_3", "soon", True, True),
    ("inr", 6.0, "INR", None, "inr_above_5", "urgent", False, False),
    ("inr", 9.0, "INR", None, "inr_above_8", "urgent", False, False),
]


def _row_id(row: tuple[str, float, str, R, str, str, bool, bool]) -> str:
    test, value, unit, given, *_ = row
    where = "no range" if given is None else f"range {given[0]}-{given[1]}"
    return f"{test} {value:g} {unit} ({where})"


@pytest.mark.parametrize(
    ("test", "value", "unit", "given", "flag", "urgency", "needling", "electro"),
    TABLE,
    ids=[_row_id(r) for r in TABLE],
)
def test_tier(
    kb: KnowledgeBase,
    test: str,
    value: float,
    unit: str,
    given: R,
    flag: str,
    urgency: str,
    needling: bool,
    electro: bool,
) -> None:
    low, high = given if given is not None else (None, None)
    result = with_labs(kb, lab(test, value, unit, low, high))
    assert tier_flags(result) == [flag]  # one flag for the one value
    hit = next(f for f in result["red_flags"] if f["id"] == flag)
    assert hit["urgency"] == urgency
    assert hit["stops_needling"] is not needling
    assert hit["because"] and hit["sources"] and hit["action"]
    assert result["needling"]["allowed"] is needling
    assert result["electroacupuncture"]["allowed"] is electro
    assert result["referral"]["urgency"] == urgency
    item = result["lab_results"][0]
    assert (item["tier"], item["status"], item["value"]) == (flag, "current", f"{value:g} {unit}")
    assert item["judgement"] == DIRECTION[flag]


def test_the_table_has_a_row_for_every_tier() -> None:
    assert {row[4] for row in TABLE} == set(TIER_IDS)


def test_every_test_the_intake_accepts_is_graded() -> None:
    assert {row[0] for row in TABLE} == {lab.id for lab in KB.vocab.labs}


# the same tests just inside the thresholds: no tier flag
NEAR_MISSES: list[tuple[str, float, str, R]] = [
    ("potassium", 3.5, "mmol/L", None),
    ("potassium", 5.3, "mmol/L", None),
    ("potassium", 3.4, "mmol/L", (3.3, 5.1)),
    ("sodium", 135, "mmol/L", None),
    ("calcium", 2.6, "mmol/L", None),
    ("magnesium", 0.75, "mmol/L", None),
    ("ck", 200, "U/L", (None, 200)),
    ("ck", 4999, "U/L", None),
    ("tsh", 2.0, "mU/L", None),
    ("glucose", 5.5, "mmol/L", None),
    ("egfr", 75, "mL/min/1.73m2", None),
    ("alt", 499, "U/L", None),
    ("platelets", 150, "10^9/L", None),
    ("platelets", 450, "10^9/L", None),
    ("inr", 2.5, "INR", None),
]


@pytest.mark.parametrize(("test", "value", "unit", "given"), NEAR_MISSES)
def test_no_tier_inside_the_thresholds(
    kb: KnowledgeBase, test: str, value: float, unit: str, given: R
) -> None:
    low, high = given if given is not None else (None, None)
    result = with_labs(kb, lab(test, value, unit, low, high))
    assert tier_flags(result) == []
    assert result["lab_results"][0]["tier"] is None


# --- CK without the laboratory's range ---------------------------------------------------------


def test_ck_without_a_range_is_shown_as_cannot_be_judged(kb: KnowledgeBase) -> None:
    result = with_labs(kb, lab("ck", 3000, "U/L"))
    assert tier_flags(result) == []
    item = result["lab_results"][0]
    assert item["judgement"] == "cannot_judge" and item["range"]["from"] == "none"
    assert "Cannot be judged without the laboratory's range" in item["note"]


def test_an_extreme_ck_flags_without_a_range(kb: KnowledgeBase) -> None:
    result = with_labs(kb, lab("ck", 12000, "U/L"))
    assert tier_flags(result) == ["ck_above_5000"]
    assert result["needling"]["allowed"] is False
    assert result["lab_results"][0]["judgement"] == "high"


def test_ck_with_its_range_is_judged_by_multiples(kb: KnowledgeBase) -> None:
    result = with_labs(kb, lab("ck", 150, "U/L", high=200))
    assert result["lab_results"][0]["judgement"] == "normal"
    assert result["lab_results"][0]["range"] == {"low": None, "high": 200, "from": "laboratory"}


# --- dates: stale, several results, undated ----------------------------------------------------


def test_a_stale_result_is_shown_but_not_counted(kb: KnowledgeBase) -> None:
    old = TODAY - dt.timedelta(days=45)
    result = with_labs(kb, lab("potassium", 6.8, "mmol/L", date=old))
    assert tier_flags(result) == []
    assert result["needling"]["allowed"] is True
    item = result["lab_results"][0]
    assert (item["status"], item["tier"], item["date"]) == ("stale", None, old.isoformat())
    assert "not counted as current" in item["note"] and "Severely raised potassium" in item["note"]


def test_a_result_on_the_last_day_of_the_window_still_counts(kb: KnowledgeBase) -> None:
    edge = TODAY - dt.timedelta(days=30)
    result = with_labs(kb, lab("potassium", 6.8, "mmol/L", date=edge))
    assert tier_flags(result) == ["severe_hyperkalaemia"]


def test_a_stale_result_does_not_trigger_a_caution(kb: KnowledgeBase) -> None:
    old = TODAY - dt.timedelta(days=200)
    result = with_labs(kb, lab("platelets", 60, "10^9/L", date=old))
    assert "low_platelets" not in {c["id"] for c in result["cautions"]}


def test_the_most_recent_result_counts(kb: KnowledgeBase) -> None:
    result = with_labs(
        kb,
        lab("potassium", 4.1, "mmol/L", date=TODAY - dt.timedelta(days=2)),
        lab("potassium", 3.2, "mmol/L", date=TODAY - dt.timedelta(days=10)),
    )
    statuses = [(i["value"], i["status"]) for i in result["lab_results"]]
    assert statuses == [("4.1 mmol/L", "current"), ("3.2 mmol/L", "earlier")]
    assert [f["id"] for f in result["contributing_factors"] if f["kind"] == "lab"] == []


def test_a_dangerous_result_within_the_window_is_never_hidden(kb: KnowledgeBase) -> None:
    result = with_labs(
        kb,
        lab("potassium", 6.8, "mmol/L", date=TODAY - dt.timedelta(days=7)),
        lab("potassium", 4.1, "mmol/L", date=TODAY - dt.timedelta(days=1)),
    )
    assert tier_flags(result) == ["severe_hyperkalaemia"]
    because = " ".join(result["red_flags"][0]["because"])
    assert "6.8 mmol/L" in because and "4.1 mmol/L" in because
    assert (TODAY - dt.timedelta(days=7)).isoformat() in because
    assert result["needling"]["allowed"] is False


def test_two_dangerous_results_give_one_flag_for_the_worst(kb: KnowledgeBase) -> None:
    result = with_labs(
        kb,
        lab("sodium", 123, "mmol/L", date=TODAY - dt.timedelta(days=3)),
        lab("sodium", 118, "mmol/L", date=TODAY - dt.timedelta(days=9)),
    )
    assert tier_flags(result) == ["critical_hyponatraemia"]


def test_an_undated_result_counts_and_says_so(kb: KnowledgeBase) -> None:
    result = with_labs(kb, lab("sodium", 122, "mmol/L"))
    assert tier_flags(result) == ["profound_hyponatraemia"]
    item = result["lab_results"][0]
    assert item["date"] is None and item["status"] == "current" and "Undated" in item["note"]
    assert "(undated)" in result["red_flags"][0]["because"][0]


def test_a_dated_result_counts_before_an_undated_one(kb: KnowledgeBase) -> None:
    result = with_labs(
        kb, lab("tsh", 9.0, "mU/L"), lab("tsh", 2.0, "mU/L", date=TODAY - dt.timedelta(days=5))
    )
    assert [i["status"] for i in result["lab_results"]] == ["earlier", "current"]
    assert tier_flags(result) == ["high_tsh"]  # the undated high value is still within reach


def test_a_lab_date_after_today_is_an_error_naming_the_field(kb: KnowledgeBase) -> None:
    doc = make_intake(
        history={"labs": [lab("potassium", 4.0, "mmol/L", date=TODAY + dt.timedelta(days=1))]}
    )
    with pytest.raises(InvalidIntake) as err:
        parse_intake(doc, kb, TODAY)
    assert [p for p, _ in err.value.errors] == ["history.labs[0].date"]


def test_the_intake_keeps_today(kb: KnowledgeBase) -> None:
    assert parse_intake(make_intake(), kb, TODAY).today == TODAY


# --- platelets: high is not low ------------------------------------------------------------------


def test_a_high_platelet_count_is_not_called_low(kb: KnowledgeBase) -> None:
    result = with_labs(kb, lab("platelets", 600, "10^9/L"))
    assert "low_platelets" not in {c["id"] for c in result["cautions"]}
    assert "bleeding_aftercare" not in {a["id"] for a in result["advice_details"]}
    assert result["lab_results"][0]["judgement"] == "high"


def test_a_low_platelet_count_turns_on_the_bleeding_precautions(kb: KnowledgeBase) -> None:
    result = with_labs(kb, lab("platelets", 120, "10^9/L"))
    assert "low_platelets" in {c["id"] for c in result["cautions"]}
    assert "bleeding_aftercare" in {a["id"] for a in result["advice_details"]}


def test_a_dangerously_low_platelet_count_is_a_referral(kb: KnowledgeBase) -> None:
    result = with_labs(kb, lab("platelets", 40, "10^9/L"))
    assert result["referral"]["urgency"] == "soon"
    assert result["needling"]["allowed"] is False
    assert any("Platelet count below 50" in r for r in result["referral"]["reasons"])


# --- INR ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("loinc", ["6301-6", "34714-6"])
def test_inr_by_loinc(kb: KnowledgeBase, loinc: str) -> None:
    result = run(kb, history={"labs": [{"loinc": loinc, "value": 5.5, "unit": "INR"}]})
    assert tier_flags(result) == ["inr_above_5"]


def test_an_inr_above_3_turns_on_the_bleeding_precautions_without_a_named_drug(
    kb: KnowledgeBase,
) -> None:
    result = with_labs(kb, lab("inr", 3.6, "INR"))
    assert "anticoagulation" in {c["id"] for c in result["cautions"]}
    assert "bleeding_aftercare" in {a["id"] for a in result["advice_details"]}


# --- flags that combine a value with findings -----------------------------------------------------


@pytest.mark.parametrize(
    ("labs", "findings", "flag", "hidden"),
    [
        (
            [lab("ck", 2500, "U/L", high=200)],
            ["muscle_weakness"],
            "suspected_rhabdomyolysis",
            {"ck_above_ten_times_uln"},
        ),
        (
            [lab("ck", 9000, "U/L", high=200)],
            [],
            "suspected_rhabdomyolysis",
            {"ck_above_5000", "ck_above_ten_times_uln"},
        ),
        (
            [lab("ck", 6000, "U/L")],
            ["severe_muscle_pain_after_exertion"],
            "suspected_rhabdomyolysis",
            {"ck_above_5000"},
        ),
        (
            [lab("calcium", 1.8, "mmol/L")],
            ["tetany_or_tingling_lips"],
            "low_calcium_or_magnesium_with_tetany",
            {"severe_hypocalcaemia", "tetany"},
        ),
        (
            [lab("magnesium", 0.6, "mmol/L"), lab("calcium", 2.0, "mmol/L")],
            ["tetany_or_tingling_lips"],
            "low_calcium_or_magnesium_with_tetany",
            {"low_magnesium", "low_calcium", "tetany"},
        ),
    ],
    ids=[
        "CK 12x with weakness",
        "CK 45x",
        "CK 6000 no range with pain",
        "Ca 1.8 + tetany",
        "low Mg and Ca + tetany",
    ],
)
def test_a_combined_flag_replaces_the_plain_one(
    kb: KnowledgeBase,
    labs: list[dict[str, Any]],
    findings: list[str],
    flag: str,
    hidden: set[str],
) -> None:
    result = run(kb, history={"labs": labs}, findings=findings)
    ids = flag_ids(result)
    assert flag in ids
    assert not hidden & set(ids), ids
    assert result["referral"]["urgency"] == "emergency"
    assert any("Graded with the findings" in i["note"] for i in result["lab_results"])


def test_a_combined_flag_does_not_hide_a_different_test(kb: KnowledgeBase) -> None:
    result = run(
        kb,
        history={"labs": [lab("ck", 2500, "U/L", high=200), lab("potassium", 6.6, "mmol/L")]},
        findings=["muscle_weakness"],
    )
    ids = flag_ids(result)
    assert {"suspected_rhabdomyolysis", "severe_hyperkalaemia"} <= set(ids)


def test_tetany_without_a_low_value_keeps_its_own_flag(kb: KnowledgeBase) -> None:
    result = run(
        kb, history={"labs": [lab("calcium", 2.4, "mmol/L")]}, findings=["tetany_or_tingling_lips"]
    )
    assert "tetany" in flag_ids(result)
    assert "low_calcium_or_magnesium_with_tetany" not in flag_ids(result)


# --- one flag per laboratory value, whatever the value -----------------------------------------


def _values(test: str) -> st.SearchStrategy[dict[str, Any]]:
    spec = next(x for x in KB.vocab.labs if x.id == test)
    limits = [t.threshold for t in spec.tiers if t.threshold is not None] + [
        v for v in (spec.low, spec.high) if v is not None
    ]
    top = max([*limits, 10.0]) * 3
    value = st.one_of(
        st.floats(min_value=0, max_value=top, allow_nan=False),
        st.sampled_from(sorted({*limits, 0.0})),
    )
    upper = st.none() | st.floats(min_value=1, max_value=top / 2, allow_nan=False)
    return st.builds(
        lambda v, hi: {
            "test": test,
            "value": round(v, 3),
            "unit": spec.unit,
            **({"reference_high": round(hi, 3)} if hi is not None else {}),
        },
        value,
        upper,
    )


ANY_RESULT = st.sampled_from([x.id for x in KB.vocab.labs]).flatmap(_values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_RESULT, min_size=1, max_size=4))
def test_one_flag_per_laboratory_value(rows: list[dict[str, Any]]) -> None:
    result = run(KB, history={"labs": rows})
    per_test: dict[str, int] = {}
    for flag_id in tier_flags(result):
        per_test[TIER_IDS[flag_id]] = per_test.get(TIER_IDS[flag_id], 0) + 1
    assert all(n == 1 for n in per_test.values()), per_test
    assert len(result["lab_results"]) == len(rows)
    for flag in result["red_flags"]:
        if flag["urgency"] in ("urgent", "emergency"):
            assert flag["stops_needling"] and result["needling"]["allowed"] is False
    # every value that reaches a tier shows it, and its test has a flag
    for item in result["lab_results"]:
        if item["tier"] is not None:
            # CK above 40 x the upper limit is graded by the rhabdomyolysis flag instead
            assert per_test.get(item["test"]) == 1 or (
                item["test"] == "ck" and "suspected_rhabdomyolysis" in flag_ids(result)
            )


@pytest.mark.parametrize("date", ["2026-13-01", "yesterday"])
def test_a_malformed_lab_date_names_the_field(kb: KnowledgeBase, date: str) -> None:
    row = {"test": "inr", "value": 2.5, "unit": "INR", "date": date}
    doc = make_intake(history={"labs": [row]})
    with pytest.raises(InvalidIntake) as err:
        parse_intake(doc, kb, TODAY)
    assert [p for p, _ in err.value.errors] == ["history.labs[0].date"]


def test_lab_results_keep_the_shape_the_page_reads(kb: KnowledgeBase) -> None:
    result = with_labs(
        kb,
        lab("potassium", 6.8, "mmol/L", 3.5, 5.1, date=TODAY - dt.timedelta(days=3)),
        lab("magnesium", 1.46, "mg/dL"),
        lab("ck", 300, "U/L"),
        lab("sodium", 140, "mmol/L", date=TODAY - dt.timedelta(days=400)),
    )
    keys = {"test", "name", "value", "date", "status", "range", "judgement", "tier", "note"}
    assert all(set(item) == keys for item in result["lab_results"])
    assert all(set(i["range"]) == {"low", "high", "from"} for i in result["lab_results"])
    k, mg, ck, na = result["lab_results"]
    assert k["range"] == {"low": 3.5, "high": 5.1, "from": "laboratory"}
    assert (k["judgement"], k["tier"]) == ("high", "severe_hyperkalaemia")
    # a default range is shown in the unit the value was given in (0.70 mmol/L = 1.70 mg/dL)
    assert mg["range"]["from"] == "default" and mg["range"]["low"] == pytest.approx(1.70, abs=0.01)
    assert (mg["judgement"], mg["tier"]) == ("low", "low_magnesium")
    assert (ck["judgement"], ck["range"]["from"]) == ("cannot_judge", "none")
    assert (na["status"], na["judgement"], na["tier"]) == ("stale", "normal", None)


def test_the_assessment_with_lab_results_validates_against_its_schema(kb: KnowledgeBase) -> None:
    from jsonschema import Draft202012Validator

    from crampcare.core.schemas import assessment_schema

    result = with_labs(
        kb,
        lab("inr", 6.0, "INR", date=TODAY - dt.timedelta(days=2)),
        lab("glucose", 5.0, "mmol/L"),
        lab("platelets", 700, "10^9/L", 150, 400),
    )
    Draft202012Validator(assessment_schema()).validate(result)
