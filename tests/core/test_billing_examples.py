"""The worked session examples in docs/examples: each validates against the published schema,
and billing them gives the output written beside them (session-NAME.bill.json bills every
session-NAME*.yaml together, as `crampcare bill docs/examples/session-NAME*.yaml --format json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from crampcare import services
from crampcare.kb.loader import KnowledgeBase

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
BILLS = sorted(EXAMPLES.glob("session-*.bill.json"))
DOCUMENTS = sorted(EXAMPLES.glob("session-*.yaml"))


def load(path: Path) -> Any:
    return services.read_document(path.read_text(encoding="utf-8"), path.name)


def test_there_are_worked_examples() -> None:
    assert len(BILLS) >= 4
    assert {p.name for p in DOCUMENTS} == {
        d.name
        for bill in BILLS
        for d in EXAMPLES.glob(bill.name.removesuffix(".bill.json") + "*.yaml")
    }, "every session example is billed by one .bill.json"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_session_examples_validate_against_the_published_schema(path: Path) -> None:
    schema = json.loads((EXAMPLES.parent / "schemas" / "session-1.schema.json").read_text())
    Draft202012Validator(schema).validate(json.loads(json.dumps(load(path), default=str)))


@pytest.mark.parametrize("bill", BILLS, ids=lambda p: p.name)
def test_billing_each_example_gives_the_output_beside_it(kb: KnowledgeBase, bill: Path) -> None:
    stem = bill.name.removesuffix(".bill.json")
    documents = [
        (f"docs/examples/{p.name}", load(p)) for p in sorted(EXAMPLES.glob(f"{stem}*.yaml"))
    ]
    expected = json.loads(bill.read_text(encoding="utf-8"))
    assert services.bill_documents(documents, kb) == expected


EXPECTED_CODES = {
    "session-manual-30-minutes.bill.json": ["97810", "97811"],
    "session-electrical-second-increment.bill.json": ["97810", "97814"],
    "session-out-of-room-retention.bill.json": ["97810"],
    "session-same-day.bill.json": ["97813", "97814"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_CODES))
def test_the_examples_bill_what_their_comments_say(name: str) -> None:
    bill = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert [line["code"] for line in bill["lines"]] == EXPECTED_CODES[name]
    assert {p.name for p in BILLS} == set(EXPECTED_CODES)
