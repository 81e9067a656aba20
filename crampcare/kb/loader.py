"""Load the knowledge base from its data files, validate every entry, check every reference.

A bad knowledge base is refused as a whole: ``KnowledgeBaseError`` lists every problem, each
naming the file, the entry and the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from crampcare.kb.catalogue import catalogue_problems
from crampcare.kb.index import Index, build_index
from crampcare.kb.schema import (
    ID,
    Advice,
    CataloguePoint,
    Caution,
    Condition,
    Medication,
    Pattern,
    PlanDefaults,
    Point,
    PointUse,
    RedFlag,
    Rule,
    Source,
    Vocabularies,
)

LIST_FILES: dict[str, tuple[type[BaseModel], str]] = {
    "sources.yaml": (Source, "id"),
    "points.yaml": (Point, "code"),
    "conditions.yaml": (Condition, "id"),
    "patterns.yaml": (Pattern, "id"),
    "medications.yaml": (Medication, "id"),
    "red_flags.yaml": (RedFlag, "id"),
    "cautions.yaml": (Caution, "id"),
    "advice.yaml": (Advice, "id"),
    "catalogue.yaml": (CataloguePoint, "code"),
}
MAPPING_FILES: dict[str, type[BaseModel]] = {
    "vocabularies.yaml": Vocabularies,
    "plan.yaml": PlanDefaults,
}

M = TypeVar("M", bound=BaseModel)


class KnowledgeBaseError(Exception):
    """The knowledge base is invalid. ``problems`` lists each one, file, entry and field first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid knowledge base:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole knowledge base, read-only. Build it with ``load_kb``."""

    version: str
    sources: Mapping[str, Source]
    points: Mapping[str, Point]
    conditions: Mapping[str, Condition]
    patterns: Mapping[str, Pattern]
    medications: Mapping[str, Medication]
    red_flags: Mapping[str, RedFlag]
    cautions: Mapping[str, Caution]
    advice: Mapping[str, Advice]
    catalogue: Mapping[str, CataloguePoint]  # every WHO point by name (catalogue.py)
    vocab: Vocabularies
    plan: PlanDefaults
    # derived look-ups, built once at load
    vocab_ids: Mapping[str, frozenset[str]]
    vocab_names: Mapping[str, Mapping[str, str]]
    index: Index
    origins: Mapping[tuple[str, str], str]  # (kind file, entry id) -> the file that holds it

    def __repr__(self) -> str:
        return f"KnowledgeBase(version={self.version!r})"

    def counts(self) -> dict[str, int]:
        return {
            "sources": len(self.sources),
            "points": len(self.points),
            "conditions": len(self.conditions),
            "patterns": len(self.patterns),
            "medications": len(self.medications),
            "red_flags": len(self.red_flags),
            "cautions": len(self.cautions),
            "advice": len(self.advice),
            "catalogue": len(self.catalogue),
            **{f"vocabulary.{k}": len(v) for k, v in self.vocab_ids.items()},
        }

    def members_of(self, class_id: str) -> list[Medication]:
        return [m for m in self.medications.values() if class_id in m.member_of]


def default_data_dir() -> Path:
    return Path(str(resources.files("crampcare.kb") / "data"))


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path.name}: file is missing")
    except yaml.YAMLError as exc:
        problems.append(f"{path.name}: not valid YAML ({exc})".replace("\n", " "))
    return None


def _loc(loc: Iterable[int | str]) -> str:
    return ".".join(str(part) for part in loc) or "(entry)"


def _validate(model: type[M], raw: Any, where: str, problems: list[str]) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(f"{where}, field '{_loc(err['loc'])}': {err['msg']}")
    return None


def _entries(name: str, raw: Any, model: type[M], key: str, problems: list[str]) -> dict[str, M]:
    out: dict[str, M] = {}
    if not isinstance(raw, list):
        problems.append(f"{name}: expected a list of entries")
        return out
    for i, item in enumerate(raw):
        ident = item.get(key) if isinstance(item, dict) else None
        where = f"{name}, entry '{ident}'" if ident else f"{name}, entry #{i + 1}"
        if not ident:
            problems.append(f"{where}, field '{key}': missing")
            continue
        entry = _validate(model, item, where, problems)
        if entry is None:
            continue
        if ident in out:
            problems.append(f"{where}: duplicate {key}")
            continue
        if key == "id" and not ID.match(str(ident)):
            problems.append(f"{where}, field 'id': use lower_snake_case letters and digits")
        out[str(ident)] = entry
    return out


def _parts(directory: Path, name: str) -> list[Path]:
    """A kind's files: ``kind.yaml`` and any ``kind.<topic>.yaml`` beside it, in name order."""
    stem = name.removesuffix(".yaml")
    return [directory / name, *sorted(directory.glob(f"{stem}.*.yaml"))]


def _read_kind(
    directory: Path, name: str, digest: Any, problems: list[str]
) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for path in _parts(directory, name):
        if path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        out.append((path.name, _read_yaml(path, problems)))
    return out


def _merged_mapping(parts: list[tuple[str, Any]], problems: list[str]) -> Any:
    """A mapping kind split across files: each part holds some of the keys, never the same."""
    merged: dict[str, Any] = {}
    for file_name, data in parts:
        if not isinstance(data, dict):
            problems.append(f"{file_name}: expected a mapping")
            continue
        for key, value in data.items():
            if key in merged:
                problems.append(f"{file_name}, field '{key}': already given in another file")
            merged[key] = value
    return merged


def load_kb(data_dir: Path | None = None) -> KnowledgeBase:
    """Read, validate and cross-check every data file. Raises ``KnowledgeBaseError``.

    A kind may be split by topic: ``red_flags.labs.yaml`` adds entries to ``red_flags.yaml``,
    ``vocabularies.labs.yaml`` adds keys to ``vocabularies.yaml``.
    """
    directory = data_dir or default_data_dir()
    problems: list[str] = []
    digest = hashlib.sha256()
    raw: dict[str, list[tuple[str, Any]]] = {}
    for name in sorted([*LIST_FILES, *MAPPING_FILES]):
        raw[name] = _read_kind(directory, name, digest, problems)
    if problems:
        raise KnowledgeBaseError(problems)

    lists: dict[str, dict[str, Any]] = {}
    origins: dict[tuple[str, str], str] = {}
    for name, (model, key) in LIST_FILES.items():
        lists[name] = {}
        for file_name, data in raw[name]:
            for ident, entry in _entries(file_name, data, model, key, problems).items():
                if ident in lists[name]:
                    problems.append(f"{file_name}, entry '{ident}': duplicate {key}")
                lists[name][ident] = entry
                origins[(name, ident)] = file_name
    mappings: dict[str, Any] = {
        name: _validate(model, _merged_mapping(raw[name], problems), name, problems)
        for name, model in MAPPING_FILES.items()
    }
    if problems:
        raise KnowledgeBaseError(problems)

    vocab: Vocabularies = mappings["vocabularies.yaml"]
    vocab_ids = {
        name: frozenset(t.id for t in getattr(vocab, name)) for name in Vocabularies.model_fields
    }
    kb = KnowledgeBase(
        version=digest.hexdigest()[:16],
        sources=lists["sources.yaml"],
        points=lists["points.yaml"],
        conditions=lists["conditions.yaml"],
        patterns=lists["patterns.yaml"],
        medications=lists["medications.yaml"],
        red_flags=lists["red_flags.yaml"],
        cautions=lists["cautions.yaml"],
        advice=lists["advice.yaml"],
        catalogue=lists["catalogue.yaml"],
        vocab=vocab,
        plan=mappings["plan.yaml"],
        vocab_ids=vocab_ids,
        vocab_names={
            name: {t.id: t.name for t in getattr(vocab, name)} for name in Vocabularies.model_fields
        },
        index=build_index(lists["medications.yaml"], lists["conditions.yaml"]),
        origins=origins,
    )
    problems.extend(cross_check(kb))
    problems.extend(catalogue_problems(kb.points, kb.catalogue, kb.origins))
    if problems:
        raise KnowledgeBaseError(problems)
    return kb


# --- cross-references ----------------------------------------------------------------------


def _walk_sources(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    """Yield (field path, source id) for every source reference inside an entry."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            sub = f"{path}.{name}" if path else name
            if name in ("sources", "evidence_sources") and isinstance(value, tuple):
                for i, sid in enumerate(value):
                    yield f"{sub}.{i}", sid
            elif name == "source" and isinstance(value, str):
                yield sub, value
            else:
                yield from _walk_sources(value, sub)
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _walk_sources(item, f"{path}.{i}")


def _walk_rules(obj: Any, path: str) -> Iterator[tuple[str, Rule]]:
    if isinstance(obj, Rule):
        yield path, obj
        for name in ("all", "any"):
            for i, sub in enumerate(getattr(obj, name) or ()):
                yield from _walk_rules(sub, f"{path}.{name}.{i}")
        if obj.not_ is not None:
            yield from _walk_rules(obj.not_, f"{path}.not")
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk_rules(getattr(obj, name), f"{path}.{name}" if path else name)


def _walk_point_uses(obj: Any, path: str) -> Iterator[tuple[str, PointUse]]:
    if isinstance(obj, PointUse):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk_point_uses(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _walk_point_uses(item, f"{path}.{i}")


RULE_VOCAB = {
    "finding": "findings",
    "trigger": "triggers",
    "tcm_sign": "tcm_signs",
    "device": "devices",
    "region": "regions",
    "complaint_kind": "complaint_kinds",
    "lab_outside_range": "labs",
    "lab_below_range": "labs",
    "lab_above_range": "labs",
}


def _rule_problems(kb: KnowledgeBase, rule: Rule) -> Iterator[str]:
    for key, vocab_name in RULE_VOCAB.items():
        value = getattr(rule, key)
        if value is not None and value not in kb.vocab_ids[vocab_name]:
            yield f"unknown {key} {value!r}"
    if rule.medication is not None and rule.medication not in kb.medications:
        yield f"unknown medication {rule.medication!r}"
    if rule.condition is not None and rule.condition not in kb.conditions:
        yield f"unknown condition {rule.condition!r}"
    for bound in (rule.lab_below, rule.lab_above):
        if bound is None:
            continue
        labs = {lab.id: lab for lab in kb.vocab.labs}
        lab = labs.get(bound.test)
        if lab is None:
            yield f"unknown lab test {bound.test!r}"
        elif not bound.relative_to_upper_limit and bound.unit not in lab.conversions:
            yield f"unit {bound.unit!r} is not a known unit of {bound.test}"


def _all_entries(kb: KnowledgeBase) -> Iterator[tuple[str, str, BaseModel]]:
    for file_name, attr in (
        ("sources.yaml", "sources"),
        ("points.yaml", "points"),
        ("conditions.yaml", "conditions"),
        ("patterns.yaml", "patterns"),
        ("medications.yaml", "medications"),
        ("red_flags.yaml", "red_flags"),
        ("cautions.yaml", "cautions"),
        ("advice.yaml", "advice"),
        ("catalogue.yaml", "catalogue"),
    ):
        for ident, entry in getattr(kb, attr).items():
            where = kb.origins.get((file_name, ident), file_name)
            yield f"{where}, entry '{ident}'", ident, entry
    yield "plan.yaml", "plan", kb.plan
    for name in Vocabularies.model_fields:
        for term in getattr(kb.vocab, name):
            yield f"vocabularies.yaml, {name} '{term.id}'", term.id, term


def cross_check(kb: KnowledgeBase) -> list[str]:
    """Every reference between entries must resolve."""
    problems: list[str] = []
    for where, _ident, entry in _all_entries(kb):
        for path, sid in _walk_sources(entry, ""):
            if sid not in kb.sources:
                problems.append(f"{where}, field '{path}': unknown source {sid!r}")
        for path, use in _walk_point_uses(entry, ""):
            if use.code not in kb.points:
                problems.append(f"{where}, field '{path}.code': unknown point {use.code!r}")
        for path, rule in _walk_rules(entry, ""):
            for msg in _rule_problems(kb, rule):
                problems.append(f"{where}, field '{path}': {msg}")
    for ident, cond in kb.conditions.items():
        for i, region in enumerate(cond.regions):
            if region not in kb.vocab_ids["regions"]:
                problems.append(
                    f"conditions.yaml, entry '{ident}', field 'regions.{i}': unknown region "
                    f"{region!r}"
                )
    for ident, pattern in kb.patterns.items():
        vocab_of = {
            "trigger": "triggers",
            "tcm_sign": "tcm_signs",
            "tongue": "tongue",
            "pulse": "pulse",
            "finding": "findings",
        }
        for i, ev in enumerate(pattern.evidence):
            if ev.id not in kb.vocab_ids[vocab_of[ev.kind]]:
                problems.append(
                    f"patterns.yaml, entry '{ident}', field 'evidence.{i}.id': unknown "
                    f"{ev.kind} {ev.id!r}"
                )
    for ident, med in kb.medications.items():
        for i, cls in enumerate(med.member_of):
            target = kb.medications.get(cls)
            if target is None or target.kind != "class":
                problems.append(
                    f"medications.yaml, entry '{ident}', field 'member_of.{i}': "
                    f"{cls!r} is not a medication class"
                )
    return problems
