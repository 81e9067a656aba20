"""No 500 from input: the four inputs that once gave one, and the class each belongs to.

Each class has one helper in ``crampcare.clinic.input_limits`` (tested here as a table), and
each reported input is replayed against the API or the page it broke: a 4xx naming the field,
and nothing changed (the audit log and the records are as before).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from crampcare.cli import main
from crampcare.clinic import input_limits
from crampcare.clinic.errors import Invalid, Unreadable
from crampcare.clinic.input_limits import MAX_DEPTH, MAX_SAFE_INTEGER
from tests.factories import make_intake
from tests.world import World, api

DEEP = "[" * 100_000 + "]" * 100_000

# --- the helpers, as tables ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25", 25),
        (" -3 ", -3),
        ("+2.25", 2.25),
        (".5", 0.5),
        ("", None),
        ("٣", None),  # Arabic-Indic three: int() reads it, a form must not
        ("²", None),  # superscript two: str.isdigit() accepts it, int() refuses it
        ("1_000", None),  # int() reads underscores
        ("1e3", None),
        ("inf", None),
        ("nan", None),
        ("9" * 16, None),  # more digits than any field holds
        ("9" * 5000, None),  # more than int() reads at all
    ],
    ids=lambda v: repr(v)[:12],
)
def test_a_form_number_is_plain_ascii_decimal_within_bounds(raw: str, expected: Any) -> None:
    assert input_limits.form_number(raw) == expected


@pytest.mark.parametrize(
    "raw", ["0", "100001", "²", "٣", "9" * 5000, "-1", "1.0", " ", "1 2"], ids=repr
)
def test_a_whole_number_outside_its_field_names_the_field(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        input_limits.whole_number(raw, "page", low=1, high=100_000)
    assert caught.value.errors == [("page", "must be a whole number from 1 to 100000")]


def test_a_whole_number_within_bounds_is_read() -> None:
    assert input_limits.whole_number(" 42 ", "page", low=1, high=100) == 42


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ('{"a": {"b": [1, 1e309]}}', "a.b[1]", "must be a finite number"),
        ('{"a": -1e309}', "a", "must be a finite number"),
        ('{"n": ' + "9" * 5000 + "}", "n", "must be a number from"),
        ('{"n": ' + str(MAX_SAFE_INTEGER + 1) + "}", "n", "must be a number from"),
        ('{"s": "a\\u0000b"}', "s", "must not contain the NUL character"),
        ('{"s": "\\ud800"}', "s", "is not valid Unicode text"),
        ('{"x": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}", "x", "nests deeper"),
    ],
    ids=["1e309", "-1e309", "5,000 digits", "2**53", "NUL", "lone surrogate", "deep"],
)
def test_a_json_document_out_of_bounds_is_refused_by_path(
    text: str, field: str, message: str
) -> None:
    with pytest.raises(Invalid) as caught:
        input_limits.load_json(text, "(body)")
    [(path, said)] = caught.value.errors
    assert path.startswith(field) and said.startswith(message)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", "{", DEEP, b"\xff"], ids=repr)
def test_text_that_is_not_json_or_nests_too_deeply_to_read_is_unreadable(
    text: str | bytes,
) -> None:
    with pytest.raises(Unreadable) as caught:
        input_limits.load_json(text, "coded")
    assert caught.value.errors[0][0] == "coded"


def test_a_document_within_bounds_is_read_as_it_is() -> None:
    doc = {"a": [1, -2.5, MAX_SAFE_INTEGER, "text", None, True], "b": {"c": "é"}}
    assert input_limits.load_json(json.dumps(doc)) == doc


def test_the_walk_takes_any_depth_without_recursion() -> None:
    deep: Any = []
    for _ in range(50_000):  # far beyond Python's recursion limit
        deep = [deep]
    [(path, message)] = input_limits.document_problems({"x": deep})
    assert path == "x" + "[0]" * (MAX_DEPTH - 1) and "nests deeper" in message  # where it does


# --- the four reported 500s ----------------------------------------------------------------


def _changes(world: World) -> tuple[int, ...]:
    """The records, and the audit entries of changes (a refused form may show and audit a read)."""
    from crampcare.records.models import Assessment, AuditEntry, Intake, Patient

    changes = AuditEntry.objects.exclude(action__in=["read", "list", "denied"]).count()
    return changes, Intake.objects.count(), Assessment.objects.count(), Patient.objects.count()


def _errors(response: Any) -> list[str]:
    body = json.loads(response.content)
    assert body["ok"] is False and body["status"] == response.status_code
    return [e["field"] for e in body["errors"]]


@pytest.mark.parametrize(
    "offset", [str(2**63), str(2**64), "9" * 30, "9" * 5000, "-1", "٣"], ids=lambda v: v[:12]
)
def test_an_offset_beyond_the_bounds_is_refused(world: World, offset: str) -> None:
    before = _changes(world)
    response = api(world.alice).get(f"/api/v1/patients?offset={offset}")
    assert response.status_code == 422 and _errors(response) == ["offset"]
    assert _changes(world) == before


@pytest.mark.parametrize("value", ["1e309", "-1e309", "1" + "0" * 400], ids=str)
def test_a_lab_reference_that_is_not_finite_is_refused(world: World, value: str) -> None:
    intake = make_intake()
    intake.setdefault("history", {})["labs"] = [
        {"test": "potassium", "value": 4.1, "unit": "mmol/L", "reference_high": 5.0}
    ]
    body = json.dumps({"patient_id": str(world.ellen["id"]), "intake": intake})
    body = body.replace('"reference_high": 5.0', f'"reference_high": {value}')
    before = _changes(world)
    response = api(world.alice).post("/api/v1/assessments", body, content_type="application/json")
    assert response.status_code == 422
    assert _errors(response) == ["intake.history.labs[0].reference_high"]
    assert _changes(world) == before


def test_a_deeply_nested_body_is_refused(world: World) -> None:
    before = _changes(world)
    response = api(world.alice).post(
        f"/api/v1/patients/{world.ellen['id']}/intakes",
        '{"document": ' + DEEP + "}",
        content_type="application/json",
    )
    assert response.status_code == 400 and _errors(response) == ["(body)"]
    assert _changes(world) == before


def _page_client(world: World) -> Client:
    client = Client()
    client.raise_request_exception = False
    client.force_login(world.alice)
    return client


@pytest.mark.parametrize("page", ["²", "٣", "9" * 5000, "0", "-1", "1e3"], ids=lambda v: v[:8])
def test_a_page_number_that_is_not_one_is_refused(world: World, page: str) -> None:
    before = _changes(world)
    response = _page_client(world).get("/", {"page": page})
    assert response.status_code == 422
    assert b"must be a whole number from 1 to 100000" in response.content
    assert _changes(world) == before


def test_a_deeply_nested_coded_entry_in_the_intake_form_is_refused(world: World) -> None:
    before = _changes(world)
    response = _page_client(world).post(
        f"/patients/{world.ellen['id']}/intake", {"history.conditions.coded": DEEP}
    )
    assert response.status_code == 422
    assert b"a coded entry could not be read" in response.content
    assert _changes(world) == before


# --- the CLI's documents (crampcare assess) --------------------------------------------------


def _lab_yaml(value: str) -> str:
    return yaml.safe_dump(make_intake()) + (
        "labs_extra: [{test: potassium, reference_high: " + value + "}]\n"
    )


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("lab.yaml", _lab_yaml(".inf"), "labs_extra[0].reference_high: must be a finite number"),
        ("lab.yaml", _lab_yaml("1.0e+309"), "must be a finite number"),
        ("lab.json", '{"labs": [{"reference_high": 1e309}]}', "must be a finite number"),
        ("deep.yaml", DEEP, "nests too deeply to read"),
        ("deep.json", '{"a": ' + DEEP + "}", "nests deeper than"),
        ("nested.yaml", "a: " + "[" * 40 + "]" * 40, "a" + "[0]" * 30),
    ],
    ids=["yaml .inf", "yaml 1e309", "json 1e309", "yaml deep", "json deep", "yaml 40 levels"],
)
def test_a_document_for_crampcare_assess_out_of_bounds_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str, said: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main(["assess", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("crampcare: ") and said in err
