"""Use cases: the only module the CLI and the web layer call.

Each function returns plain data (dicts and lists that serialise to JSON) or raises one of the
typed errors below, which every shell turns into a message that names the problem.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import TypeAdapter, ValidationError

from crampcare.clinic import input_limits
from crampcare.clinic.errors import ClinicError
from crampcare.core.assess import assess
from crampcare.core.contract import Assessment
from crampcare.core.intake import InvalidIntake
from crampcare.kb import cache as kb_cache
from crampcare.kb.loader import KnowledgeBase, KnowledgeBaseError
from crampcare.kb.lookup import Hit, resolve, search
from crampcare.kb.requirements import REQUIRED, missing
from crampcare.kb.schema import CataloguePoint, Condition, Medication, Pattern, Point, RedFlag

__all__ = [
    "InvalidIntake",
    "InvalidSession",
    "KnowledgeBaseError",
    "NotFound",
    "Unbillable",
    "UnreadableDocument",
    "assess_document",
    "bill_documents",
    "contract_schema",
    "kb_card",
    "kb_check",
    "kb_search",
    "knowledge_base",
    "read_document",
]


if TYPE_CHECKING:
    from crampcare.core.billing import Unbillable
    from crampcare.core.session import InvalidSession

# Sessions, billing and the contracts' schemas are imported when first used: ``crampcare
# assess`` runs in under 200 ms as a whole process, and they cost it about 15 ms.
_LAZY = {"InvalidSession": "crampcare.core.session", "Unbillable": "crampcare.core.billing"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class NotFound(Exception):
    """No entry has that name or code."""


class UnreadableDocument(Exception):
    """A document could not be read as JSON or YAML."""


@functools.cache
def _default_kb() -> KnowledgeBase:
    return kb_cache.load()


def knowledge_base(data_dir: Path | None = None) -> KnowledgeBase:
    """The knowledge base: the packaged one (loaded once per process) or one from ``data_dir``;
    either from the compiled cache when no data file changed (``crampcare.kb.cache``)."""
    return kb_cache.load(data_dir) if data_dir is not None else _default_kb()


# --- knowledge base ------------------------------------------------------------------------


def kb_check(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "kb_version": kb.version,
        "counts": kb.counts(),
        "required": {kind: list(ids) for kind, ids in REQUIRED.items()},
        "missing_required": missing(kb),
    }


def _sources(kb: KnowledgeBase, ids: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for sid in ids:
        src = kb.sources[sid]
        out.append(
            {
                "id": sid,
                "authors": src.authors,
                "title": src.title,
                "year": src.year,
                "kind": src.kind,
                "url": src.url,
                "doi": src.doi,
            }
        )
    return out


def _point_card(kb: KnowledgeBase, p: Point) -> dict[str, Any]:
    return {
        "type": "point",
        "id": p.code,
        "code": p.code,
        "pinyin": p.pinyin,
        "chinese": {"traditional": p.chinese_traditional, "simplified": p.chinese_simplified},
        "english": p.english,
        "meridian": p.meridian,
        "body_region": p.body_region,
        "location": p.location,
        "location_note": p.location_note,
        "depths": [d.model_dump() for d in p.depths],
        "depth_note": p.depth_note,
        "positions": list(p.positions),
        "positions_verification": p.positions_verification.value,
        "cautions": [
            {
                "kind": c.kind,
                "summary": c.summary,
                "verification": c.verification.value,
                "sources": list(c.sources),
            }
            for c in p.cautions
        ],
        "indications": [
            {"text": i.text, "verification": i.verification.value, "sources": list(i.sources)}
            for i in p.indications
        ],
        "verification": p.verification.value,
        "sources": _sources(
            kb,
            tuple(
                dict.fromkeys(
                    [
                        *p.sources,
                        *(s for c in p.cautions for s in c.sources),
                        *(s for i in p.indications for s in i.sources),
                        *(d.source for d in p.depths),
                    ]
                )
            ),
        ),
    }


def _catalogue_card(kb: KnowledgeBase, p: CataloguePoint) -> dict[str, Any]:
    """A point the kb only names: recordable, but its location, depth and cautions are not here."""
    return {
        "type": "catalogue_point",
        "id": p.code,
        "name": f"{p.display_code} {p.pinyin} {p.hanzi} ({p.english})",
        **p.model_dump(mode="json", exclude_none=True, exclude={"sources"}),
        "clinical_detail": "Location, depth, cautions and indications of this point are not in "
        "the knowledge base; it can be recorded, but crampcare does not check it for safety.",
        "sources": _sources(kb, p.sources),
    }


def kb_card(kb: KnowledgeBase, ident: str) -> dict[str, Any]:
    """A readable card for one entry, found by code, id, name, pinyin or brand."""
    hit = resolve(kb, ident)
    if hit is None:
        suggestions = [f"{h.kind} {h.id}" for h in search(kb, ident)[:5]]
        hint = f"; did you mean: {', '.join(suggestions)}" if suggestions else ""
        raise NotFound(
            f"no point, condition, pattern, medication or red flag named {ident!r}{hint}"
        )
    entry = hit.entry
    if isinstance(entry, Point):
        return _point_card(kb, entry)
    if isinstance(entry, CataloguePoint):
        return _catalogue_card(kb, entry)
    data = entry.model_dump(mode="json", by_alias=True, exclude_none=True)
    data = {"type": hit.kind, **data}
    if isinstance(entry, Medication):
        data["classes"] = [kb.medications[c].name for c in entry.member_of]
        data["members"] = [m.name for m in kb.members_of(entry.id)]
    if isinstance(entry, Condition | Pattern | Medication | RedFlag):
        data["sources"] = _sources(kb, entry.sources)
    return data


def _hit_row(h: Hit) -> dict[str, Any]:
    entry = h.entry
    codes = [c.code for c in getattr(entry, "codes", ())]
    return {"kind": h.kind, "id": h.id, "name": h.name, "matched": h.matched, "codes": codes}


def kb_search(kb: KnowledgeBase, text: str) -> list[dict[str, Any]]:
    return [_hit_row(h) for h in search(kb, text)]


# --- assessment ----------------------------------------------------------------------------


CONTRACTS = ("intake", "assessment", "session")


def contract_schema(name: str, kb: KnowledgeBase) -> dict[str, Any]:
    from crampcare.core.schemas import assessment_schema, intake_schema, session_schema

    """The JSON Schema of a contract (intake, assessment, session), generated from the code."""
    if name == "intake":
        return intake_schema(kb)
    if name == "assessment":
        return assessment_schema()
    if name == "session":
        return session_schema(kb)
    raise NotFound(f"no contract named {name!r}; valid: {', '.join(CONTRACTS)}")


def read_document(text: str, name: str = "intake") -> Any:
    """Parse a JSON or YAML document within the bounds of ``clinic.input_limits`` (finite and
    bounded numbers, limited nesting, no NUL). Raises ``UnreadableDocument`` naming the problem."""
    try:
        if name.endswith(".json") or text.lstrip().startswith("{"):
            return input_limits.load_json(text, name)
        data = yaml.safe_load(text)
    except ClinicError as exc:
        raise UnreadableDocument(f"{name}: {exc}") from None
    except RecursionError:
        raise UnreadableDocument(f"{name}: nests too deeply to read") from None
    except yaml.YAMLError as exc:
        detail = str(exc).replace("\n", " ")
        raise UnreadableDocument(f"{name}: not valid JSON or YAML ({detail})") from None
    problems = input_limits.document_problems(data)
    if problems:
        listed = "; ".join(f"{path}: {message}" for path, message in problems[:10])
        raise UnreadableDocument(f"{name}: {listed}")
    return data


def assess_document(raw: Any, kb: KnowledgeBase, today: dt.date) -> Assessment:
    """Assess one intake document. Raises ``InvalidIntake`` listing every problem."""
    return assess(raw, kb, today)


# --- billing -------------------------------------------------------------------------------


def _assessment(raw: Any, name: str) -> Assessment:
    if not isinstance(raw, dict) or raw.get("schema") != "crampcare.assessment/1":
        raise UnreadableDocument(f"{name}: not a crampcare.assessment/1 document")
    try:
        return TypeAdapter(Assessment).validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UnreadableDocument(
            f"{name}: not a valid crampcare.assessment/1 document ({where}: {first['msg']})"
        ) from None


def bill_documents(
    documents: list[tuple[str, Any]],
    kb: KnowledgeBase,
    assessment: tuple[str, Any] | None = None,
) -> dict[str, Any]:
    """The CPT lines for session documents given as (name, raw document).

    Raises ``InvalidSession`` with every problem of every document, each path led by the
    document's name; ``Unbillable`` when needle counts differ without an incident;
    ``UnreadableDocument`` for an assessment that is not one."""
    from crampcare.core.billing import bill
    from crampcare.core.session import InvalidSession, Session, parse_session

    sessions: list[Session] = []
    errors: list[tuple[str, str]] = []
    for name, raw in documents:
        try:
            sessions.append(parse_session(raw, kb))
        except InvalidSession as exc:
            errors += [(f"{name}: {path}", message) for path, message in exc.errors]
    if errors:
        raise InvalidSession(errors)
    checked = _assessment(assessment[1], assessment[0]) if assessment is not None else None
    return bill(sessions, checked, labels=[name for name, _ in documents])
