"""Docs that cannot drift: schemas, worked examples, CLI reference, the decisions list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from crampcare import services
from crampcare.cli import build_parser
from crampcare.core.schemas import assessment_schema, intake_schema
from crampcare.kb.loader import KnowledgeBase, default_data_dir
from tests.factories import TODAY

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("*.*"))


def load(path: Path) -> Any:
    return services.read_document(path.read_text(encoding="utf-8"), path.name)


@pytest.mark.parametrize("name", ["intake", "assessment"])
def test_published_schemas_match_the_code(kb: KnowledgeBase, name: str) -> None:
    published = json.loads((DOCS / "schemas" / f"{name}-1.schema.json").read_text())
    generated = intake_schema(kb) if name == "intake" else assessment_schema()
    assert published == generated, f"regenerate: crampcare schema {name} > docs/schemas/..."


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_worked_examples_validate_and_assess(kb: KnowledgeBase, path: Path) -> None:
    doc = load(path)
    Draft202012Validator(json.loads(json.dumps(intake_schema(kb)))).validate(
        json.loads(json.dumps(doc, default=str))
    )
    result = services.assess_document(doc, kb, TODAY)
    Draft202012Validator(assessment_schema()).validate(json.loads(json.dumps(result)))


# example -> (referral urgency, needling allowed, points that must be there, points avoided)
EXPECTED = {
    "nocturnal-calf-cramps.yaml": ("soon", True, {"BL57", "GB34", "ASHI"}, set()),
    "pregnant-neck-spasm.yaml": ("none", True, {"GB20", "LR3"}, {"LI4", "GB21"}),
    "suspected-dvt.json": ("urgent", False, set(), set()),
    "warfarin-pacemaker-low-back.yaml": ("routine", True, {"BL40", "BL23"}, set()),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_worked_example_outcomes(kb: KnowledgeBase, name: str) -> None:
    urgency, allowed, points, avoided = EXPECTED[name]
    result = services.assess_document(load(DOCS / "examples" / name), kb, TODAY)
    assert result["referral"]["urgency"] == urgency
    assert result["needling"]["allowed"] is allowed
    assert points <= {p["code"] for p in result["points"]}
    assert avoided == {a["code"] for a in result["avoid_points"]}


def test_every_example_is_described() -> None:
    text = (DOCS / "contracts.md").read_text()
    assert all(f"examples/{p.name}" in text for p in EXAMPLES)
    assert set(EXPECTED) == {p.name for p in EXAMPLES}


def test_every_cli_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, sub in commands.items():
        nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
        names = [f"{name} {n}" for n in nested[0].choices] if nested else [name]
        for full in names:
            assert f"crampcare {full}" in text, full


def test_every_decision_is_listed_for_review() -> None:
    text = (DOCS / "knowledge-base.md").read_text().split("## Decisions", 1)[1]
    for path in sorted(default_data_dir().glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name == "sources.yaml" or not isinstance(data, list):
            continue
        for entry in data:
            if "crampcare_decisions" in json.dumps(entry, default=str):
                ident = entry.get("id") or entry.get("code")
                assert f"`{path.name}`" in text and str(ident) in text, (path.name, ident)


def test_readme_names_its_two_commands_and_a_safety_notice() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    assert "bash scripts/run" in readme and "bash scripts/test" in readme
    assert "not a substitute for medical care" in readme
    ci = (DOCS.parent / ".ci" / "run").read_text()
    assert "bash scripts/test" in ci
