"""The clinical core does no I/O and reads no clock: it imports only the standard library's pure
modules, pydantic, and crampcare.core / crampcare.kb."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "crampcare" / "core"
ALLOWED_ROOTS = {
    "__future__",
    "collections",
    "dataclasses",
    "datetime",
    "difflib",
    "enum",
    "functools",
    "itertools",
    "re",
    "typing",
    "typing_extensions",
    "pydantic",
    "crampcare",
}
ALLOWED_CRAMPCARE = (
    "crampcare.core",
    "crampcare.kb.schema",
    "crampcare.kb.loader",
    "crampcare.kb.index",
)
FORBIDDEN_CALLS = {"open", "print", "input"}


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_is_pure(path: Path) -> None:
    for name in imports(path):
        assert name.split(".")[0] in ALLOWED_ROOTS, f"{path.name} imports {name}"
        if name.startswith("crampcare"):
            assert name.startswith(ALLOWED_CRAMPCARE), f"{path.name} imports {name}"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS, f"{path.name} calls {node.func.id}"
        if isinstance(node, ast.Attribute) and node.attr in {"today", "now", "utcnow"}:
            assert not (
                isinstance(node.value, ast.Attribute | ast.Name)
                and getattr(node.value, "attr", getattr(node.value, "id", ""))
                in {"date", "datetime", "dt"}
            ), f"{path.name} reads the clock"
