"""Reading FHIR R4 JSON as a stream of resources: Bundles entry by entry (ijson: one entry in
memory at a time, however large the file), single resources, and NDJSON bulk exports line by
line (orjson per line). Folders are searched for ``*.json`` and ``*.ndjson`` files.

Broken JSON is reported as an issue, not raised: an NDJSON line that cannot be read is skipped
and the next one read; in a Bundle, what came before the break is kept and the rest cannot be.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from crampcare.fhir.issues import Issue, issue

SUFFIXES = (".json", ".ndjson")


@dataclass
class Reading:
    """The resources of one stream, read lazily; ``issues`` fills as it is read."""

    name: str
    stream: IO[bytes]
    ndjson: bool
    issues: list[Issue] = field(default_factory=list)

    def resources(self) -> Iterator[tuple[Any, str]]:
        """(resource, where) pairs; ``where`` is a FHIRPath-like location for issues."""
        if self.ndjson:
            yield from self._lines()
            return
        try:
            kind = _top_level_type(self.stream)
        except ijson.JSONError as exc:
            self.issues.append(issue("fatal", "structure", self.name, f"not JSON: {exc}"))
            return
        self.stream.seek(0)
        if kind == "Bundle":
            yield from self._entries()
        elif kind is None:
            self.issues.append(
                issue("fatal", "structure", self.name, "no resourceType: not a FHIR resource")
            )
        else:
            try:
                yield orjson.loads(self.stream.read()), kind
            except orjson.JSONDecodeError as exc:
                self.issues.append(issue("fatal", "structure", self.name, f"not JSON: {exc}"))

    def _entries(self) -> Iterator[tuple[Any, str]]:
        i = -1
        try:
            for i, entry in enumerate(ijson.items(self.stream, "entry.item", use_float=True)):
                where = f"Bundle.entry[{i}]"
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if resource is None:
                    self.issues.append(
                        issue("warning", "required", where, "entry without resource")
                    )
                    continue
                yield resource, f"{where}.resource"
        except ijson.JSONError as exc:
            self.issues.append(
                issue(
                    "fatal",
                    "structure",
                    f"Bundle.entry[{i + 1}]",
                    f"the file stops being valid JSON after {i + 1} entries ({exc}): the rest "
                    "is not read",
                )
            )

    def _lines(self) -> Iterator[tuple[Any, str]]:
        for number, line in enumerate(self.stream, start=1):
            if not line.strip():
                continue
            try:
                resource = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                self.issues.append(
                    issue("error", "structure", f"line {number}", f"not JSON: {exc}: skipped")
                )
                continue
            kind = resource.get("resourceType") if isinstance(resource, dict) else None
            yield resource, f"line {number}: {kind or 'resource'}"


def _top_level_type(stream: IO[bytes]) -> str | None:
    """The document's top-level resourceType (usually its first key: read no further)."""
    for prefix, event, value in ijson.parse(stream):
        if prefix == "resourceType" and event == "string":
            return str(value)
    return None


def is_ndjson(name: str) -> bool:
    return name.lower().endswith(".ndjson")


def expand(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, Issue]]]:
    """The files to read: each file named, and each ``*.json``/``*.ndjson`` under each folder
    named (sorted). Paths that do not exist are reported."""
    files: list[Path] = []
    missing: list[tuple[str, Issue]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append((str(raw), issue("fatal", "not-found", str(raw), "no such file")))
    return files, missing
