"""A broken knowledge base is refused with a message naming file, entry and field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from crampcare.kb.loader import KnowledgeBaseError, default_data_dir, load_kb

Edit = Callable[[Any], Any]


def broken(tmp_path: Path, file_name: str, edit: Edit) -> Path:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    path = data / file_name
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(edit(content), allow_unicode=True), encoding="utf-8")
    return data


def entry(items: list[dict[str, Any]], key: str, ident: str) -> dict[str, Any]:
    return next(i for i in items if i[key] == ident)


def unknown_point_in_condition(items: Any) -> Any:
    entry(items, "id", "nocturnal_leg_cramps")["points"][0]["code"] = "GB99"
    return items


def unknown_source(items: Any) -> Any:
    entry(items, "code", "GB34")["sources"] = ["no_such_source"]
    return items


def duplicate_id(items: Any) -> Any:
    return [*items, dict(entry(items, "id", "statins"))]


def missing_citation(items: Any) -> Any:
    del entry(items, "id", "suspected_dvt")["sources"]
    return items


def malformed_code(items: Any) -> Any:
    entry(items, "id", "nifedipine")["codes"][0]["code"] = "C8CA5"
    return items


def no_action(items: Any) -> Any:
    del entry(items, "id", "suspected_dvt")["action"]
    return items


def no_urgency(items: Any) -> Any:
    del entry(items, "id", "suspected_dvt")["urgency"]
    return items


def unknown_finding_in_rule(items: Any) -> Any:
    entry(items, "id", "suspected_dvt")["when"] = {"finding": "swollen_toe"}
    return items


def misspelt_field(items: Any) -> Any:
    entry(items, "code", "GB34")["pinyn"] = "x"
    return items


CASES = [
    # file,              edit,                        expected fragments of one problem
    (
        "conditions.yaml",
        unknown_point_in_condition,
        ["conditions.yaml", "'nocturnal_leg_cramps'", "points.0.code", "unknown point 'GB99'"],
    ),
    ("points.yaml", unknown_source, ["points.yaml", "'GB34'", "sources.0", "no_such_source"]),
    ("medications.yaml", duplicate_id, ["medications.yaml", "'statins'", "duplicate id"]),
    (
        "red_flags.yaml",
        missing_citation,
        ["red_flags.yaml", "'suspected_dvt'", "'sources'", "required"],
    ),
    (
        "medications.yaml",
        malformed_code,
        ["medications.yaml", "'nifedipine'", "codes.0", "malformed ATC code 'C8CA5'"],
    ),
    ("red_flags.yaml", no_action, ["red_flags.yaml", "'suspected_dvt'", "'action'", "required"]),
    ("red_flags.yaml", no_urgency, ["red_flags.yaml", "'suspected_dvt'", "'urgency'", "required"]),
    (
        "red_flags.yaml",
        unknown_finding_in_rule,
        ["red_flags.yaml", "'suspected_dvt'", "when", "unknown finding 'swollen_toe'"],
    ),
    ("points.yaml", misspelt_field, ["points.yaml", "'GB34'", "pinyn", "Extra inputs"]),
]


@pytest.mark.parametrize(
    ("file_name", "edit", "fragments"), CASES, ids=[c[1].__name__ for c in CASES]
)
def test_it_names_file_entry_and_field(
    tmp_path: Path, file_name: str, edit: Edit, fragments: list[str]
) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(broken(tmp_path, file_name, edit))
    assert any(all(f in p for f in fragments) for p in info.value.problems), info.value.problems


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    (data / "patterns.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match="patterns.yaml: file is missing"):
        load_kb(data)


def test_invalid_yaml_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    (data / "advice.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="advice.yaml: not valid YAML"):
        load_kb(data)


def test_changing_content_changes_the_version(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    before = load_kb(data).version
    with (data / "sources.yaml").open("a", encoding="utf-8") as f:
        f.write("\n# a comment changes the bytes\n")
    assert load_kb(data).version != before
