"""The intake contract ``crampcare.intake/1``: its typed form and its validation.

``parse_intake(raw, kb, today)`` checks structure, ranges and every vocabulary id against the
knowledge base. It either returns an ``Intake`` or raises ``InvalidIntake`` listing every problem,
each with its field path and what is valid. Nothing is assessed from an invalid intake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crampcare.kb.loader import KnowledgeBase

SCHEMA_ID = "crampcare.intake/1"

MEDICATION_SYSTEMS = {
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
    "http://www.whocc.no/atc": "ATC",
}
CONDITION_SYSTEMS = {
    "http://snomed.info/sct": "SNOMED CT",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://id.who.int/icd/release/11/mms": "ICD-11",
}


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Patient(Strict):
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    birth_date: dt.date | None = None
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    pregnant: bool = False
    pregnancy_weeks: Annotated[int, Field(ge=1, le=44)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Patient:
        if self.age is None and self.birth_date is None:
            raise ValueError("give age or birth_date")
        if self.pregnancy_weeks is not None and not self.pregnant:
            raise ValueError("pregnancy_weeks needs pregnant: true")
        return self


class Complaint(Strict):
    kind: str
    regions: Annotated[tuple[str, ...], Field(min_length=1, max_length=14)]
    side: str
    nocturnal: bool = False
    episodes_per_week: Annotated[float, Field(ge=0, le=200)] | None = None
    worst_severity: Annotated[int, Field(ge=0, le=10)] | None = None
    typical_duration_minutes: Annotated[float, Field(ge=0, le=1440)] | None = None
    weeks_since_onset: Annotated[float, Field(ge=0, le=5200)] | None = None
    triggers: tuple[str, ...] = ()


class Tcm(Strict):
    tongue: tuple[str, ...] = ()
    pulse: tuple[str, ...] = ()
    signs: tuple[str, ...] = ()


class CodedItem(Strict):
    system: str
    code: Annotated[str, Field(min_length=1, max_length=40)]
    display: str | None = None


class LabResult(Strict):
    test: str | None = None
    loinc: str | None = None
    value: Annotated[float, Field(allow_inf_nan=False)]
    unit: Annotated[str, Field(min_length=1, max_length=30)]
    # the reporting laboratory's own range, in the same unit: preferred to the kb's default
    reference_low: float | None = None
    reference_high: float | None = None
    # the day the sample was taken (ISO date); undated results count as current, marked undated
    date: dt.date | None = None

    @model_validator(mode="after")
    def _one_name(self) -> LabResult:
        if (self.test is None) == (self.loinc is None):
            raise ValueError("give exactly one of test or loinc")
        if (
            self.reference_low is not None
            and self.reference_high is not None
            and self.reference_low > self.reference_high
        ):
            raise ValueError("reference_low is above reference_high")
        return self


FreeText = Annotated[str, Field(min_length=1, max_length=200)]


class History(Strict):
    conditions: tuple[FreeText | CodedItem, ...] = ()
    medications: tuple[FreeText | CodedItem, ...] = ()
    devices: tuple[str, ...] = ()
    labs: tuple[LabResult, ...] = ()
    bleeding_disorder: bool = False
    first_acupuncture: bool = False
    needle_phobia: bool = False


class IntakeDocument(Strict):
    """The intake document as written (before vocabulary checks)."""

    schema_: Literal["crampcare.intake/1"] = Field(alias="schema")
    patient: Patient
    complaint: Complaint
    findings: tuple[str, ...] = ()
    tcm: Tcm = Tcm()
    history: History = History()

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


@dataclass(frozen=True)
class Intake:
    """A valid intake, with the facts that need ``today`` or the knowledge base resolved."""

    document: IntakeDocument
    age: int
    labs: tuple[tuple[str, float, LabResult], ...]  # (test id, value in canonical unit, raw)
    today: dt.date  # the date the intake is assessed on: dates in the record are read against it


class InvalidIntake(Exception):
    """Every problem of an intake, as (field path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        lines = "\n".join(f"  {path}: {msg}" for path, msg in errors)
        super().__init__(f"the intake is invalid ({len(errors)} problem(s)):\n{lines}")


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "CodedItem", "function-after[_one_name(), LabResult]"):
            continue
        else:
            out += ("." if out else "") + ("schema" if part == "schema_" else str(part))
    return out or "(document)"


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = IntakeDocument
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part if part != "schema" else "schema_")
        if field is None:
            return []
        annotation = field.annotation
        candidates = getattr(annotation, "__args__", (annotation,))
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            inner = [a for c in candidates for a in getattr(c, "__args__", ())]
            nested = [c for c in inner if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return []
        model = nested[0]
    return sorted(f.alias or name for name, f in model.model_fields.items())


def _structure_errors(exc: ValidationError) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = _path(loc)
        if err["type"] == "extra_forbidden":
            valid = ", ".join(_allowed_keys(loc))
            msg = f"unknown key; valid keys here: {valid}"
        elif err["type"] == "literal_error" and path == "schema":
            msg = f"must be {SCHEMA_ID!r}"
        elif err["type"] == "missing":
            msg = "required"
        elif err["type"] in ("model_type", "model_attributes_type") and path.startswith("history."):
            msg = "give a name (text) or {system, code[, display]}"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        if (path, msg) not in {(p, m) for p, m in errors} and not (
            path in seen and "history." in path
        ):
            errors.append((path, msg))
            seen.add(path)
    return errors


VOCAB_FIELDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("complaint", "kind"), "complaint_kinds"),
    (("complaint", "regions"), "regions"),
    (("complaint", "side"), "sides"),
    (("complaint", "triggers"), "triggers"),
    (("findings",), "findings"),
    (("tcm", "tongue"), "tongue"),
    (("tcm", "pulse"), "pulse"),
    (("tcm", "signs"), "tcm_signs"),
    (("history", "devices"), "devices"),
)


def _vocab_errors(raw: Mapping[str, Any], kb: KnowledgeBase) -> list[tuple[str, str]]:
    """Unknown vocabulary ids, read from the raw document so that they are reported together
    with any structural problem."""
    errors: list[tuple[str, str]] = []
    for keys, vocab in VOCAB_FIELDS:
        value: Any = raw
        for key in keys:
            value = value.get(key) if isinstance(value, Mapping) else None
        valid = kb.vocab_ids[vocab]
        path = ".".join(keys)
        items = (
            [(path, value)]
            if isinstance(value, str)
            else (
                [(f"{path}[{i}]", v) for i, v in enumerate(value)]
                if isinstance(value, list)
                else []
            )
        )
        for where, item in items:
            if isinstance(item, str) and item not in valid:
                errors.append((where, f"unknown id {item!r}; valid: {', '.join(sorted(valid))}"))
    return errors


def _age(patient: Patient, today: dt.date, errors: list[tuple[str, str]]) -> int:
    if patient.birth_date is None:
        return patient.age or 0
    born = patient.birth_date
    if born > today:
        errors.append(("patient.birth_date", f"is after today ({today.isoformat()})"))
        return 0
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age > 120:
        errors.append(("patient.birth_date", "gives an age over 120"))
    if patient.age is not None and patient.age != age:
        errors.append(("patient.age", f"is {patient.age} but birth_date gives {age}"))
    return age


def _labs(
    history: History, kb: KnowledgeBase, today: dt.date, errors: list[tuple[str, str]]
) -> tuple[tuple[str, float, LabResult], ...]:
    labs = {lab.id: lab for lab in kb.vocab.labs}
    by_loinc = {c.loinc: lab.id for lab in kb.vocab.labs for c in lab.codes}
    out: list[tuple[str, float, LabResult]] = []
    for i, result in enumerate(history.labs):
        path = f"history.labs[{i}]"
        test_id = result.test if result.test is not None else by_loinc.get(result.loinc or "")
        if test_id is None:
            errors.append(
                (
                    f"{path}.loinc",
                    f"unknown LOINC code {result.loinc!r}; known: " + ", ".join(sorted(by_loinc)),
                )
            )
            continue
        lab = labs.get(test_id)
        if lab is None:
            errors.append(
                (f"{path}.test", f"unknown test {test_id!r}; valid: " + ", ".join(sorted(labs)))
            )
            continue
        factor = lab.conversions.get(result.unit)
        if factor is None:
            errors.append(
                (
                    f"{path}.unit",
                    f"unknown unit {result.unit!r} for {test_id}; valid: "
                    + ", ".join(sorted(lab.conversions)),
                )
            )
            continue
        if result.value < 0:
            errors.append((f"{path}.value", "must not be negative"))
            continue
        if result.date is not None and result.date > today:
            errors.append((f"{path}.date", f"is after today ({today.isoformat()})"))
            continue
        out.append((test_id, round(result.value * factor, 6), result))
    return tuple(out)


def _coded(
    items: tuple[str | CodedItem, ...],
    systems: Mapping[str, str],
    path: str,
    errors: list[tuple[str, str]],
) -> None:
    for i, item in enumerate(items):
        if isinstance(item, CodedItem) and item.system not in systems:
            valid = ", ".join(f"{uri} ({name})" for uri, name in systems.items())
            errors.append((f"{path}[{i}].system", f"unknown code system; valid: {valid}"))


def parse_intake(raw: Any, kb: KnowledgeBase, today: dt.date) -> Intake:
    """Validate a raw intake document (a mapping from JSON or YAML) against the contract."""
    if not isinstance(raw, Mapping):
        raise InvalidIntake([("(document)", "an intake is a mapping with the key schema first")])
    vocab_errors = _vocab_errors(raw, kb)
    try:
        doc = IntakeDocument.model_validate(raw)
    except ValidationError as exc:
        structural = _structure_errors(exc)
        named = {path for path, _ in structural}
        raise InvalidIntake(structural + [e for e in vocab_errors if e[0] not in named]) from None
    errors = list(vocab_errors)
    _coded(doc.history.medications, MEDICATION_SYSTEMS, "history.medications", errors)
    _coded(doc.history.conditions, CONDITION_SYSTEMS, "history.conditions", errors)
    age = _age(doc.patient, today, errors)
    labs = _labs(doc.history, kb, today, errors)
    if doc.patient.pregnant and doc.patient.sex == "male":
        errors.append(("patient.pregnant", "is true but sex is male"))
    if errors:
        raise InvalidIntake(errors)
    return Intake(document=doc, age=age, labs=labs, today=today)
