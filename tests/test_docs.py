"""Docs that cannot drift: schemas, worked examples, CLI reference, the decisions list."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from crampcare import services
from crampcare.cli import build_parser
from crampcare.core.schemas import assessment_schema, intake_schema, session_schema
from crampcare.kb.loader import KnowledgeBase, default_data_dir
from tests.factories import TODAY

DOCS = Path(__file__).resolve().parent.parent / "docs"
# intake examples; session-* examples are billed in tests/core/test_billing_examples.py
EXAMPLES = sorted(p for p in (DOCS / "examples").glob("*.*") if not p.name.startswith("session-"))


def load(path: Path) -> Any:
    return services.read_document(path.read_text(encoding="utf-8"), path.name)


@pytest.mark.parametrize("name", ["intake", "assessment", "session"])
def test_published_schemas_match_the_code(kb: KnowledgeBase, name: str) -> None:
    published = json.loads((DOCS / "schemas" / f"{name}-1.schema.json").read_text())
    generated = {
        "intake": intake_schema(kb),
        "assessment": assessment_schema(),
        "session": session_schema(kb),
    }[name]
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
    "pregnant-neck-spasm.yaml": ("none", True, {"GB20", "LR3"}, {"LI4", "GB21", "BL60"}),
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
    assert all(f"examples/{p.name}" in text for p in (DOCS / "examples").glob("*.*"))
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


def decision_rows() -> list[tuple[str, str, str]]:
    """(file, entry, decision) for every row of the Decisions table in docs/knowledge-base.md."""
    text = (DOCS / "knowledge-base.md").read_text().split("## Decisions", 1)[1]
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 3 and cells[0].startswith("`"):
            rows.append((cells[0].strip("`"), cells[1], " | ".join(cells[2:])))
    return rows


def cited_decisions(node: Any, ident: str) -> Iterator[tuple[str, str]]:
    """(identifier, field) for every mapping, at any depth, whose ``sources`` (or
    ``stale_sources``, or a depth's ``source``) cite crampcare_decisions. The identifier is the
    innermost ``id``, ``code`` or ``presentation`` around it (a lab tier's id, a point's code,
    a presentation's evidence paragraph), else the file's kind for a mapping file (plan)."""
    if isinstance(node, dict):
        here = str(node.get("id") or node.get("code") or node.get("presentation") or ident)
        for key, value in node.items():
            cites = (
                value == "crampcare_decisions"
                if key == "source"
                else (
                    key.endswith("sources")
                    and isinstance(value, list)
                    and "crampcare_decisions" in value
                )
            )
            if cites:
                yield here, key
            yield from cited_decisions(value, here)
    elif isinstance(node, list):
        for item in node:
            yield from cited_decisions(item, ident)


def test_every_decision_is_listed_for_review() -> None:
    """Every entry, nested entry (lab tiers, point cautions and depths, presentation evidence)
    and staleness window that cites crampcare_decisions has a row naming its file (split files
    kind.<topic>.yaml by their own name) and its id; a staleness window's row says "stale"."""
    rows = decision_rows()
    missing = []
    for path in sorted(default_data_dir().glob("*.yaml")):
        if path.name.startswith("sources"):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for ident, key in cited_decisions(data, path.name.split(".")[0]):
            word = re.compile(rf"(?<![\w]){re.escape(ident)}(?![\w])")
            listed = any(
                file == path.name
                and word.search(entry)
                and (key != "stale_sources" or "stale" in f"{entry} {decision}")
                for file, entry, decision in rows
            )
            if not listed:
                missing.append(f"{path.name}: {ident} ({key})")
    assert not missing, "add to the Decisions table in docs/knowledge-base.md:\n" + "\n".join(
        missing
    )


# Numeric constants of the core that are not crampcare's decisions, each with the reason.
NOT_DECISIONS = {
    "FIRST_TRIMESTER_LAST_WEEK": "sourced: the ICD-10-CM chapter 15 trimester definition",
    "SECOND_TRIMESTER_LAST_WEEK": "sourced: the ICD-10-CM chapter 15 trimester definition",
    "Z3A_FIRST_EXACT": "sourced: ICD-10-CM Z3A.08-Z3A.42 are exact weeks of gestation",
    "Z3A_LAST_EXACT": "sourced: ICD-10-CM Z3A.08-Z3A.42 are exact weeks of gestation",
    "SHORTEST_WEEKS": "the intake contract's bound on pregnancy_weeks (checked below)",
    "LONGEST_WEEKS": "the intake contract's bound on pregnancy_weeks (checked below)",
    "LONGEST_NAME_WORDS": "a search limit: the longest kb drug name, in words (checked below)",
    "INCREMENT": "sourced: CPT 97810-97814 count 15-minute increments (clinical-facts 5.5)",
}


def _numeric(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _numeric(node.operand)
    if isinstance(node, ast.BinOp):
        return _numeric(node.left) and _numeric(node.right)
    return False


def core_constants() -> dict[str, str]:
    """UPPER_CASE module-level names of crampcare/core bound to a number -> their module."""
    core = DOCS.parent / "crampcare" / "core"
    found: dict[str, str] = {}
    for path in sorted(core.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        pairs.extend(zip(target.elts, node.value.elts, strict=False))
                    else:
                        pairs.append((target, node.value))
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                pairs.append((node.target, node.value))
            for target, value in pairs:
                if isinstance(target, ast.Name) and target.id.isupper() and _numeric(value):
                    found[target.id] = str(path.relative_to(core.parent.parent))
    return found


def test_every_numeric_constant_of_the_core_is_a_listed_decision() -> None:
    text = (DOCS / "knowledge-base.md").read_text().split("## Decisions", 1)[1]
    constants = core_constants()
    assert {"NEGATION_WINDOW", "FIRST_TRIMESTER_LAST_WEEK"} <= set(constants)  # the scan works
    unlisted = [
        f"{name} ({module})"
        for name, module in sorted(constants.items())
        if name not in NOT_DECISIONS and not re.search(rf"\b{name}\b", text)
    ]
    assert not unlisted, "name these in the Decisions table: " + ", ".join(unlisted)
    assert set(NOT_DECISIONS) <= set(constants), set(NOT_DECISIONS) - set(constants)


def test_the_constants_that_are_not_decisions_hold(kb: KnowledgeBase) -> None:
    from crampcare.core import pregnancy
    from crampcare.core.intake import Patient
    from crampcare.core.recognition import medications

    def weeks_valid(weeks: int) -> bool:
        try:
            Patient(age=30, sex="female", pregnant=True, pregnancy_weeks=weeks)
        except ValueError:
            return False
        return True

    assert weeks_valid(pregnancy.SHORTEST_WEEKS) and not weeks_valid(pregnancy.SHORTEST_WEEKS - 1)
    assert weeks_valid(pregnancy.LONGEST_WEEKS) and not weeks_valid(pregnancy.LONGEST_WEEKS + 1)
    longest = max(len(name.split()) for name in kb.index.medication_names)
    assert longest <= medications.LONGEST_NAME_WORDS


def test_readme_names_its_two_commands_and_a_safety_notice() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    assert "bash scripts/run" in readme and "bash scripts/test" in readme
    assert "not a substitute for medical care" in readme
    ci = (DOCS.parent / ".ci" / "run").read_text()
    assert "bash scripts/test" in ci
