"""The two validators every exported Bundle must pass: the ``fhir.resources`` R4B models (the
default models are R5, which reject R4) and the official FHIR R4 JSON schema (vendored under
tests/fhir/schema, checked with ``jsonschema``'s draft-06 validator as the schema declares)."""

from __future__ import annotations

import functools
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_ZIP = Path(__file__).parent / "schema" / "fhir.schema.json.zip"


@functools.cache
def r4_schema_validator() -> jsonschema.Draft6Validator:
    with zipfile.ZipFile(SCHEMA_ZIP) as archive:
        schema = json.loads(archive.read("fhir.schema.json"))
    assert schema["$schema"] == "http://json-schema.org/draft-06/schema#"
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    return jsonschema.Draft6Validator(schema)


def schema_errors(resource: dict[str, Any]) -> list[str]:
    """The R4 schema's complaints about ``resource``. The schema's root is a oneOf over every
    resource type, whose errors say little; each entry is checked against its own type too."""
    validator = r4_schema_validator()
    found = []
    for entry in resource.get("entry", []):
        kind = entry["resource"]["resourceType"]
        own = {"$ref": f"#/definitions/{kind}", "definitions": validator.schema["definitions"]}
        for error in jsonschema.Draft6Validator(own).iter_errors(entry["resource"]):
            found.append(f"{kind}.{'.'.join(map(str, error.absolute_path))}: {error.message}")
    if not found and not validator.is_valid(resource):
        found.append("the Bundle does not validate against the R4 schema's root")
    return found


def validate_twice(bundle: dict[str, Any]) -> None:
    """Fail with every problem either validator finds."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)  # raises with the paths of what is wrong
    problems = schema_errors(bundle)
    assert not problems, "\n".join(problems)
