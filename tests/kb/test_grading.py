"""Honest grading: no entry is graded higher than its sources allow.

The rule (docs/knowledge-base.md, "Citation and honesty rules"): a grade is allowed when at least
one of the entry's sources allows it.

| source kind | grades it can support for a clinical statement |
|---|---|
| guideline, systematic_review, review, trial, cohort, standard, textbook | any |
| reference_website | secondary, traditional, expert_opinion, unverified (never primary) |
| seed_article | traditional, expert_opinion, unverified (cited for what it says, not evidence) |
| project_decision (crampcare_decisions) | expert_opinion, unverified |
| code_system, data_set | unverified: they support codes, not clinical statements |

Two refinements: an entry that only names something to be recognised rests on its code lists, so
code_system and data_set support any grade for it (a medication with no effects and no cramp
association; a history condition that neither feeds cramps nor means pregnancy: what it implies
is stated, and graded, by the caution or red flag that names it); and a code (a code, a LOINC
code, a value-set member, a code range) carries no sources of its own, so a code graded primary
or secondary must sit in an entry that cites a code list (code_system, data_set or standard).

Every graded field is walked: ``verification`` and every ``*_verification`` of every entry and
of every nested model (point cautions, indications and depths, lab tiers, presentation
evidence...), through the loaded knowledge base, so that split files (kind.<topic>.yaml) count.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from crampcare.kb.loader import KnowledgeBase, default_data_dir, load_kb
from crampcare.kb.schema import Condition, Medication, Verification

ANY = frozenset(Verification)
EVIDENCE = ("guideline", "systematic_review", "review", "trial", "cohort", "standard", "textbook")
ALLOWED: dict[str, frozenset[Verification]] = {
    **dict.fromkeys(EVIDENCE, ANY),
    "reference_website": ANY - {Verification.primary},
    "seed_article": frozenset(
        {Verification.traditional, Verification.expert_opinion, Verification.unverified}
    ),
    "project_decision": frozenset({Verification.expert_opinion, Verification.unverified}),
    "code_system": frozenset({Verification.unverified}),
    "data_set": frozenset({Verification.unverified}),
}
CODE_LISTS = frozenset({"code_system", "data_set", "standard"})
HIGH = frozenset({Verification.primary, Verification.secondary})


def allowed_grades(kinds: set[str], clinical: bool = True) -> frozenset[Verification]:
    """The grades a set of source kinds can support (for a clinical statement, by default)."""
    if not clinical and kinds & CODE_LISTS:
        return ANY
    out: frozenset[Verification] = frozenset({Verification.unverified})
    for kind in kinds:
        out |= ALLOWED[kind]
    return out


# A table a reviewer can read: (the entry's source kinds, its grade, allowed?)
RULE_TABLE = [
    ({"seed_article"}, "primary", False),
    ({"seed_article"}, "secondary", False),
    ({"seed_article"}, "traditional", True),
    ({"seed_article"}, "expert_opinion", True),
    ({"project_decision"}, "primary", False),
    ({"project_decision"}, "secondary", False),
    ({"project_decision"}, "traditional", False),
    ({"project_decision"}, "expert_opinion", True),
    ({"seed_article", "project_decision"}, "primary", False),
    ({"seed_article", "project_decision"}, "secondary", False),
    ({"code_system"}, "primary", False),
    ({"code_system", "seed_article"}, "primary", False),
    ({"code_system", "data_set", "project_decision"}, "secondary", False),
    ({"reference_website"}, "primary", False),
    ({"reference_website"}, "secondary", True),
    ({"reference_website", "seed_article"}, "primary", False),
    ({"guideline"}, "primary", True),
    ({"guideline", "seed_article"}, "primary", True),
    ({"systematic_review", "project_decision"}, "secondary", True),
    ({"textbook", "project_decision", "seed_article"}, "traditional", True),
    ({"standard"}, "primary", True),
    ({"cohort", "code_system"}, "primary", True),
    (set(), "unverified", True),
    (set(), "expert_opinion", False),
]


@pytest.mark.parametrize(("kinds", "grade", "allowed"), RULE_TABLE)
def test_the_grading_rule(kinds: set[str], grade: str, allowed: bool) -> None:
    assert (Verification(grade) in allowed_grades(kinds)) is allowed


def test_code_lists_support_an_entry_that_only_names_a_drug_or_condition() -> None:
    assert Verification.primary in allowed_grades({"code_system"}, clinical=False)
    assert Verification.primary not in allowed_grades({"seed_article"}, clinical=False)


@dataclass(frozen=True)
class Graded:
    where: str  # e.g. "points.yaml GB21 cautions[0].verification"
    kind: str  # the model's class name
    grade: Verification
    sources: tuple[str, ...]  # the sources that back it (its own, else none)
    enclosing: tuple[str, ...]  # the nearest sources around it (for codes)
    clinical: bool


def _grades(obj: BaseModel) -> Iterator[tuple[str, Verification]]:
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if (name == "verification" or name.endswith("_verification")) and value is not None:
            yield name, value


def _walk(obj: object, where: str, enclosing: tuple[str, ...], clinical: bool) -> Iterator[Graded]:
    if isinstance(obj, BaseModel):
        fields = type(obj).model_fields
        own: tuple[str, ...] = ()
        if "sources" in fields and isinstance(obj.sources, tuple):  # type: ignore[attr-defined]
            own = obj.sources  # type: ignore[attr-defined]
        elif "source" in fields and isinstance(obj.source, str):  # type: ignore[attr-defined]
            own = (obj.source,)  # type: ignore[attr-defined]
        if isinstance(obj, Medication):
            clinical = bool(obj.effects or obj.cramp_association)
        elif isinstance(obj, Condition):
            clinical = obj.kind == "presentation" or obj.contributes or obj.pregnancy
        around = own or enclosing
        for name, grade in _grades(obj):
            yield Graded(f"{where}.{name}", type(obj).__name__, grade, own, around, clinical)
        for name in fields:
            yield from _walk(getattr(obj, name), f"{where}.{name}", around, clinical)
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _walk(item, f"{where}[{i}]", enclosing, clinical)
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from _walk(item, f"{where}[{key}]", enclosing, clinical)


KINDS = (
    "points",
    "catalogue",
    "conditions",
    "patterns",
    "medications",
    "red_flags",
    "cautions",
    "advice",
)


def graded(kb: KnowledgeBase) -> Iterator[Graded]:
    """Every graded field of every entry, nested ones included, named by the file it is in."""
    for attr in KINDS:
        for ident, entry in getattr(kb, attr).items():
            origin = kb.origins.get((f"{attr}.yaml", ident), f"{attr}.yaml")
            yield from _walk(entry, f"{origin} {ident}", (), True)
    yield from _walk(kb.plan, "plan.yaml plan", (), True)
    yield from _walk(kb.vocab, "vocabularies.yaml", (), True)


def problems(kb: KnowledgeBase) -> list[str]:
    out: list[str] = []
    for item in graded(kb):
        if not item.sources:
            # a code: its grade rests on the code lists its entry cites
            kinds = {kb.sources[s].kind for s in item.enclosing}
            if item.grade in HIGH and not kinds & CODE_LISTS:
                out.append(f"{item.where}: {item.grade.value} code, but no code list is cited")
            continue
        kinds = {kb.sources[s].kind for s in item.sources}
        if item.grade not in allowed_grades(kinds, item.clinical):
            out.append(
                f"{item.where}: {item.grade.value}, but its sources "
                f"({', '.join(sorted(kinds))}) allow at most "
                f"{', '.join(sorted(g.value for g in allowed_grades(kinds, item.clinical)))}"
            )
    return out


def test_no_grade_exceeds_what_its_sources_allow(kb: KnowledgeBase) -> None:
    found = problems(kb)
    assert not found, "\n".join(found)


def test_every_kind_of_graded_entry_is_walked(kb: KnowledgeBase) -> None:
    seen = {item.kind for item in graded(kb)}
    expected = {
        "RedFlag",
        "Caution",
        "Point",
        "CataloguePoint",
        "PointCaution",
        "Indication",
        "Condition",
        "Pattern",
        "Medication",
        "Advice",
        "PlanDefaults",
        "PresentationEvidence",
        "Lab",
        "LabCode",
        "Code",
    }
    assert expected <= seen, expected - seen
    fields = {item.where.rsplit(".", 1)[1] for item in graded(kb)}
    assert {"verification", "range_verification", "positions_verification"} <= fields
    origins = {item.where.split(" ", 1)[0] for item in graded(kb)}
    split_files = {p.name for p in default_data_dir().glob("*.*.yaml")}
    split_files -= {p for p in split_files if p.startswith(("sources.", "vocabularies."))}
    assert split_files <= origins, split_files - origins


def _edit(directory: Path, name: str, key: str, ident: str, **changes: object) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in data if e.get(key) == ident)
    entry.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    shutil.copytree(default_data_dir(), tmp_path / "data")
    return tmp_path / "data"


@pytest.mark.parametrize(
    ("sources", "grade"),
    [
        (["seed_muscle_cramps"], "primary"),
        (["seed_muscle_cramps"], "secondary"),
        (["crampcare_decisions"], "primary"),
        (["crampcare_decisions", "seed_muscle_spasms"], "secondary"),
    ],
)
def test_a_seed_or_decision_only_entry_graded_high_is_caught(
    data_copy: Path, sources: list[str], grade: str
) -> None:
    ident = yaml.safe_load((data_copy / "red_flags.yaml").read_text())[0]["id"]
    _edit(data_copy, "red_flags.yaml", "id", ident, sources=sources, verification=grade)
    found = problems(load_kb(data_copy))
    assert any(p.startswith(f"red_flags.yaml {ident}.verification: {grade}") for p in found)


def test_a_nested_point_caution_graded_high_on_a_seed_is_caught(data_copy: Path) -> None:
    points = yaml.safe_load((data_copy / "points.yaml").read_text())
    point = next(p for p in points if p.get("cautions"))
    caution = dict(point["cautions"][0], sources=["seed_muscle_cramps"], verification="primary")
    _edit(
        data_copy, "points.yaml", "code", point["code"], cautions=[caution, *point["cautions"][1:]]
    )
    found = problems(load_kb(data_copy))
    assert f"points.yaml {point['code']}.cautions[0].verification" in "\n".join(found)
