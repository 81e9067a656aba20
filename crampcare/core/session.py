"""The session contract ``crampcare.session/1``: what was done in one treatment session.

``parse_session(raw, kb)`` checks structure, ranges, clock times, the order of the contact
intervals and every point code against the knowledge base. It either returns a frozen ``Session``
or raises ``InvalidSession`` listing every problem, each with its field path
(``points[1].electrical.frequency_hz``) and what is valid. The rules that need more than one
field (an ASHI point needs its region, the electrical block goes with electrical stimulation,
intervals in order) live in ``session_rules``; the needle reconciliation that closing and billing
need is ``needle_problems``.

Times are local clock times "HH:MM" on ``date``; a session does not cross midnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from crampcare.core import session_rules as rules
from crampcare.core.session_rules import Problems, clock, code_problem, normalise_code
from crampcare.kb.loader import KnowledgeBase

SCHEMA_ID: Final = "crampcare.session/1"

Clock = Annotated[
    str,
    BeforeValidator(clock),
    WithJsonSchema({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}),
]
Code = Annotated[str, BeforeValidator(normalise_code)]
Text = Annotated[str, Field(max_length=20000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]

StimulationId = Literal["manual", "electrical"]
AdverseKind = Literal[
    "fainting",
    "bleeding_bruising",
    "pain",
    "stuck_needle",
    "bent_needle",
    "broken_needle",
    "retained_needle",
    "lost_needle",
    "pneumothorax_symptoms",
    "other",
]
Severity = Literal["mild", "moderate", "severe"]
Position = Literal["prone", "supine", "side_lying", "seated"]
GlobalChange = Literal[
    "very_much_improved",
    "much_improved",
    "minimally_improved",
    "no_change",
    "minimally_worse",
    "much_worse",
    "very_much_worse",
]
# Decision (docs/design.md): a serious adverse event is a severe one, or one of these kinds
SERIOUS_KINDS: Final = frozenset(
    {"pneumothorax_symptoms", "broken_needle", "retained_needle", "lost_needle"}
)
NEEDLE_INCIDENTS: Final = frozenset({"retained_needle", "lost_needle"})


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Electrical(Strict):
    # plausibility bounds against typing errors, not clinical limits
    frequency_hz: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
    intensity_ma: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
    minutes: Annotated[float, Field(gt=0, le=240, allow_inf_nan=False)]
    waveform: Literal["continuous", "dense_disperse", "intermittent"]


class SessionPoint(Strict):
    code: Code
    side: Literal["left", "right", "both", "midline"]
    region: str | None = None  # ASHI points only, and required there
    depth_mm: Annotated[float, Field(gt=0, le=150, allow_inf_nan=False)] | None = None
    stimulation: StimulationId = "manual"
    electrical: Electrical | None = None  # required with electrical stimulation, else refused
    reason: Name | None = None  # why this point differs from the plan

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: str, info: ValidationInfo) -> str:
        kb = info.context.get("kb") if isinstance(info.context, Mapping) else None
        problem = code_problem(code, kb) if kb is not None else None
        if problem:
            raise ValueError(problem)
        return code

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str | None, info: ValidationInfo) -> str | None:
        kb = info.context.get("kb") if isinstance(info.context, Mapping) else None
        if region is not None and kb is not None and region not in kb.vocab_ids["regions"]:
            valid = ", ".join(sorted(kb.vocab_ids["regions"]))
            raise ValueError(f"unknown region {region!r}; valid: {valid}")
        return region

    @model_validator(mode="after")
    def _consistent(self) -> SessionPoint:
        rules.raise_if(rules.point_problems(self))
        return self


class Needles(Strict):
    inserted: Annotated[int, Field(ge=0, le=500)] = 0
    removed: Annotated[int, Field(ge=0, le=500)] = 0
    lot: Annotated[str, Field(min_length=1, max_length=80)] | None = None  # required to close


class Retention(Strict):
    start: Clock | None = None  # when the last needle was in
    end: Clock | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Retention:
        rules.raise_if(rules.retention_problems(self.start, self.end))
        return self


class Contact(Strict):
    """An interval of personal one-on-one contact (the practitioner in the room)."""

    start: Clock
    end: Clock
    electrical: bool = False  # electrical stimulation used during the interval
    reinsertion: bool = False  # needles re-inserted (dated at the start of the interval)

    @model_validator(mode="after")
    def _ordered(self) -> Contact:
        if rules.minutes(self.end) <= rules.minutes(self.start):
            rules.raise_if([("end", f"must be after start ({self.start})")])
        return self


class AdverseEvent(Strict):
    kind: AdverseKind
    severity: Severity
    action: Annotated[str, Field(min_length=1, max_length=2000)]
    description: Annotated[str, Field(max_length=2000)] | None = None  # required for other
    at: Clock | None = None

    @model_validator(mode="after")
    def _described(self) -> AdverseEvent:
        if self.kind == "other" and not self.description:
            rules.raise_if([("description", "required when kind is other")])
        return self


class RangeOfMotion(Strict):
    region: Literal["neck", "low_back", "upper_back"]
    movement: Literal[
        "flexion",
        "extension",
        "lateral_flexion_left",
        "lateral_flexion_right",
        "rotation_left",
        "rotation_right",
    ]
    degrees: Annotated[float, Field(ge=0, le=180, allow_inf_nan=False)]
    when: Literal["before", "after"]


class Measures(Strict):
    pain_before: Annotated[int, Field(ge=0, le=10)] | None = None
    pain_after: Annotated[int, Field(ge=0, le=10)] | None = None
    global_change: GlobalChange | None = None
    range_of_motion: tuple[RangeOfMotion, ...] = ()


class Note(Strict):
    subjective: Text = ""
    objective: Text = ""
    assessment: Text = ""
    plan: Text = ""


class Session(Strict):
    """A valid ``crampcare.session/1`` document."""

    schema_: Literal["crampcare.session/1"] = Field(alias="schema")
    date: Annotated[dt.date, BeforeValidator(rules.iso_date)]
    patient: Name | None = None  # billing groups by it: one initial code per patient per day
    plan_id: Name | None = None
    positions: tuple[Position, ...] = ()
    points: tuple[SessionPoint, ...] = ()
    needles: Needles = Needles()
    retention: Retention = Retention()
    contact: tuple[Contact, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    measures: Measures = Measures()
    note: Note = Note()

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, str_strip_whitespace=True
    )

    @field_validator("contact")
    @classmethod
    def _in_order(cls, contact: tuple[Contact, ...]) -> tuple[Contact, ...]:
        rules.raise_if(rules.contact_problems([(c.start, c.end) for c in contact]))
        return contact


class InvalidSession(Exception):
    """Every problem of a session document, as (field path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        lines = "\n".join(f"  {path}: {msg}" for path, msg in errors)
        super().__init__(f"the session is invalid ({len(errors)} problem(s)):\n{lines}")


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("["):
            out += part
        else:
            out += ("." if out else "") + ("schema" if part == "schema_" else part)
    return out or "(document)"


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = Session
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        annotation = field.annotation if field is not None else None
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return []
        model = nested[0]
    return sorted(f.alias or name for name, f in model.model_fields.items())


def _errors(exc: ValidationError) -> Problems:
    errors: Problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, rules.RuleProblems):
            errors.extend((_path((*loc, *field.split("."))), msg) for field, msg in cause.problems)
            continue
        path = _path(loc)
        if err["type"] == "extra_forbidden":
            msg = f"unknown key; valid keys here: {', '.join(_allowed_keys(loc))}"
        elif err["type"] == "literal_error" and path == "schema":
            msg = f"must be {SCHEMA_ID!r}"
        elif err["type"] == "missing":
            msg = "required"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        if (path, msg) not in errors:
            errors.append((path, msg))
    return errors


def parse_session(raw: Any, kb: KnowledgeBase) -> Session:
    """Validate a raw session document (a mapping from JSON or YAML) against the contract."""
    if not isinstance(raw, Mapping):
        raise InvalidSession([("(document)", "a session is a mapping with the key schema first")])
    try:
        return Session.model_validate(raw, context={"kb": kb})
    except ValidationError as exc:
        raise InvalidSession(_errors(exc)) from None


def is_serious(event: AdverseEvent) -> bool:
    """A serious adverse event: severe, or a kind that is serious whatever its severity."""
    return event.severity == "severe" or event.kind in SERIOUS_KINDS


def needle_problems(session: Session) -> Problems:
    """What stops the session from closing (and from billing): counts that differ without a
    retained or lost needle incident, and a missing needle lot."""
    needles = session.needles
    problems: Problems = []
    explained = any(e.kind in NEEDLE_INCIDENTS for e in session.adverse_events)
    counts = f"{needles.inserted} inserted, {needles.removed} removed"
    if needles.removed > needles.inserted:
        problems.append(("needles", f"{counts}: more removed than inserted; count again"))
    elif needles.removed < needles.inserted and not explained:
        problems.append(
            ("needles", f"{counts}: record a retained or lost needle incident, or count again")
        )
    if needles.lot is None:
        problems.append(("needles.lot", "required: record the needle lot number"))
    return problems
