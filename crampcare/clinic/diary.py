"""The patient's cramp diary: private links, and one entry per patient per day.

Practitioners (``Can.CLINICAL``) create and revoke links, read the entries, add entries (for a
paper diary, say) and correct them. The patient needs no account: the link's token is the
credential. It is 256 bits from ``secrets.token_urlsafe(32)``, shown once in the response that
creates the link, and stored only as its SHA-256; a request finds its link by looking up that
hash, so no stored token is ever compared character by character. An unknown, malformed,
expired or revoked token gets one and the same ``NotFound``, and each such request from a client
address counts towards a throttle (``DIARY_GUESS_MAX`` per ``DIARY_GUESS_WINDOW_SECONDS``) that
answers 429 to everything from that address, valid tokens included, until the window moves on:
a 429 tells a guesser nothing. Audit entries name the link's id, never its token.

A patient's second entry for a date replaces the first (the page says so), audited as a
correction with the names of the fields that changed; a practitioner's second entry for a date is
refused (409: correct the entry instead), so that nobody overwrites an entry unawares.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import math
import re
import secrets
import uuid
from typing import Annotated, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import Field, StrictInt, ValidationError

from crampcare import services
from crampcare.clinic._common import stamp
from crampcare.clinic.access import Can, patient_for, record_for, records_of_patient, require
from crampcare.clinic.actor import Actor
from crampcare.clinic.errors import Conflict, Invalid, NotFound, Throttled, from_pydantic
from crampcare.clinic.schemas import Input, parse
from crampcare.records import audit
from crampcare.records.diary_models import (
    CRAMPS_MAX,
    DURATION_MAX_MINUTES,
    SCALE_MAX,
    DiaryEntry,
    DiaryGuess,
    DiaryLink,
    DiarySource,
)
from crampcare.records.models import Patient

log = logging.getLogger("crampcare.diary")

# How far back a patient may log through the link (practitioners may enter older days, e.g.
# from a paper diary). A Decision, not a sourced rule: long enough for a missed fortnight.
PATIENT_WINDOW_DAYS = 60
RECENT_DAYS = 14  # the patient's page lists the entries of the last 14 days
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32): 32 bytes, 43 characters
MISSING = "this diary link does not work: it may have expired or been stopped"
VALUES = ("cramps", "worst_severity", "typical_duration_minutes", "sleep_disturbance", "regions")

Count = Annotated[StrictInt, Field(ge=0, le=CRAMPS_MAX, description="cramps that day")]
Scale = Annotated[StrictInt, Field(ge=0, le=SCALE_MAX, description="0 (none) to 10 (worst)")]
Minutes = Annotated[StrictInt, Field(ge=0, le=DURATION_MAX_MINUTES)]
Regions = Annotated[list[str], Field(max_length=20, description="region ids of the kb")]


class DiaryEntryIn(Input):
    date: dt.date
    cramps: Count
    worst_severity: Scale | None = None
    typical_duration_minutes: Minutes | None = None
    sleep_disturbance: Scale | None = None
    regions: Regions = []


class DiaryEntryPatch(Input):
    """A correction: the fields given replace the entry's (the date stays; ``cramps`` may not
    be emptied)."""

    cramps: Count | None = None
    worst_severity: Scale | None = None
    typical_duration_minutes: Minutes | None = None
    sleep_disturbance: Scale | None = None
    regions: Regions | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link_dict(link: DiaryLink, now: dt.datetime | None = None) -> dict[str, Any]:
    live = link.expires_at > (now or timezone.now())
    state = "revoked" if link.revoked_at else "active" if live else "expired"
    return {
        "id": link.id,
        "patient_id": link.patient_id,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "state": state,
        **stamp(link),
    }


def entry_dict(entry: DiaryEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "patient_id": entry.patient_id,
        "date": entry.date,
        **{name: getattr(entry, name) for name in VALUES},
        "source": entry.source,
        "link_id": entry.link_id,
        **stamp(entry),
    }


def _check(values: dict[str, Any], today: dt.date, oldest: dt.date | None) -> list[tuple[str, str]]:
    """The rules pydantic cannot know: dates against today, regions against the kb."""
    problems: list[tuple[str, str]] = []
    day = values.get("date")
    if day is not None and day > today:
        problems.append(("date", f"{day.isoformat()} is in the future: log days that are over"))
    elif day is not None and oldest is not None and day < oldest:
        problems.append(
            ("date", f"only the last {PATIENT_WINDOW_DAYS} days can be logged here; ask the clinic")
        )
    known = services.knowledge_base().vocab_ids.get("regions", frozenset())
    for i, region in enumerate(values.get("regions") or []):
        if region not in known:
            problems.append(
                (f"regions[{i}]", f"{region!r} is not a region: one of {', '.join(sorted(known))}")
            )
    return problems


def validated(data: Any, today: dt.date, oldest: dt.date | None) -> dict[str, Any]:
    """A new entry's values, or ``Invalid`` naming every problem at once: the schema's (types,
    ranges) and the date's and regions' (``_check``), each field once."""
    try:
        values = _clean(DiaryEntryIn.model_validate(data).model_dump())
        problems: list[tuple[str, str]] = []
    except ValidationError as exc:
        problems = from_pydantic(exc.errors()).errors
        values = _readable(data)
    named = {field for field, _ in problems}
    problems += [(f, m) for f, m in _check(values, today, oldest) if f not in named]
    if problems:
        raise Invalid(problems)
    return values


def _readable(data: Any) -> dict[str, Any]:
    """The date and regions of a document the schema refused, where they can be read, so that
    their problems are named along with the others."""
    out: dict[str, Any] = {}
    if not isinstance(data, dict):
        return out
    with contextlib.suppress(ValueError):
        out["date"] = dt.date.fromisoformat(str(data.get("date")))
    regions = data.get("regions")
    if isinstance(regions, list) and all(isinstance(r, str) for r in regions):
        out["regions"] = regions
    return out


def _id(ident: object, what: str) -> uuid.UUID:
    """A record id from a form or a path; anything else is a record that does not exist."""
    try:
        return ident if isinstance(ident, uuid.UUID) else uuid.UUID(str(ident))
    except ValueError:
        raise NotFound(f"no {what} {str(ident)[:40]!r}") from None


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("regions") is not None:
        values["regions"] = list(dict.fromkeys(values["regions"]))  # once each, in order given
    return values


# --- links (practitioners) -------------------------------------------------------------------


def create_link(
    actor: Actor, patient_id: object, *, days: int | None = None, base_url: str = ""
) -> dict[str, Any]:
    """A new private link for the patient's diary. The token is in this response's ``url`` and
    nowhere else: only its hash is stored, and the audit entry names the link's id."""
    require(actor, Can.CLINICAL, "diary_link")
    lifetime = settings.DIARY_LINK_DAYS if days is None else days
    if not 1 <= lifetime <= 366:
        raise Invalid([("days", "a link lasts from 1 to 366 days")])
    with transaction.atomic():
        patient = patient_for(actor, patient_id)
        token = secrets.token_urlsafe(32)
        link = DiaryLink(
            patient=patient,
            token_hash=token_hash(token),
            expires_at=timezone.now() + dt.timedelta(days=lifetime),
        )
        link.stamp(actor, created=True)
        link.save(force_insert=True)
        audit.append(
            actor,
            "create",
            "diary_link",
            link.id,
            patient_id=patient.id,
            detail={"expires_at": link.expires_at.isoformat()},
        )
    return {"id": link.id, "url": f"{base_url}/diary/{token}", "expires_at": link.expires_at}


def revoke_link(actor: Actor, link_id: object) -> dict[str, Any]:
    """Stop a link at once. Revoking a revoked link changes nothing."""
    require(actor, Can.CLINICAL, "diary_link")
    with transaction.atomic():
        link = record_for(DiaryLink, actor, _id(link_id, "diary link"), "diary link")
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.stamp(actor)
            link.save(update_fields=["revoked_at", "updated_at", "updated_by"])
            audit.append(actor, "revoke", "diary_link", link.id, patient_id=link.patient_id)
    return link_dict(link)


def list_links(actor: Actor, patient_id: object) -> list[dict[str, Any]]:
    require(actor, Can.CLINICAL, "diary_link")
    now = timezone.now()
    rows = records_of_patient(DiaryLink, actor, patient_id, "diary_link", "-created_at")
    return [link_dict(link, now) for link in rows]


# --- entries (practitioners) -----------------------------------------------------------------


def entries(actor: Actor, patient_id: object) -> list[dict[str, Any]]:
    """Every diary entry of the patient, newest date first."""
    require(actor, Can.CLINICAL, "diary_entry")
    rows = records_of_patient(DiaryEntry, actor, patient_id, "diary_entry", "-date")
    return [entry_dict(e) for e in rows]


def add_entry(
    actor: Actor, patient_id: object, data: Any, *, today: dt.date | None = None
) -> dict[str, Any]:
    """Enter a day for the patient. A day that has an entry is refused: correct it instead."""
    require(actor, Can.CLINICAL, "diary_entry")
    values = validated(data, today or timezone.localdate(), None)
    day = values["date"]
    with transaction.atomic():
        patient = patient_for(actor, patient_id, lock=True)
        if DiaryEntry.objects.filter(patient=patient, date=day).exists():
            raise _taken(day)
        entry = DiaryEntry(patient=patient, source=DiarySource.PRACTITIONER, **values)
        entry.stamp(actor, created=True)
        try:
            with transaction.atomic():
                entry.save(force_insert=True)
        except IntegrityError:  # a parallel request entered the same day first
            raise _taken(day) from None
        audit.append(
            actor,
            "create",
            "diary_entry",
            entry.id,
            patient_id=patient.id,
            detail={"date": day.isoformat(), "fields": _given(values)},
        )
    return entry_dict(entry)


def _taken(day: dt.date) -> Conflict:
    return Conflict(f"the diary has an entry for {day.isoformat()}: correct that entry", "date")


def _given(values: dict[str, Any]) -> list[str]:
    return [name for name in VALUES if values.get(name) not in (None, [])]


def correct_entry(actor: Actor, entry_id: object, data: Any) -> dict[str, Any]:
    """Change some values of an entry. The audit entry names the fields changed, not values."""
    require(actor, Can.CLINICAL, "diary_entry")
    body: DiaryEntryPatch = parse(DiaryEntryPatch, data)
    values = _clean(body.model_dump(exclude_unset=True))
    problems = _check(values, timezone.localdate(), None)  # regions only: no date
    if "cramps" in values and values["cramps"] is None:
        problems.insert(0, ("cramps", "the number of cramps may not be empty (0 for none)"))
    if problems:
        raise Invalid(problems)
    with transaction.atomic():
        found = record_for(DiaryEntry, actor, _id(entry_id, "diary entry"), "diary entry")
        entry = DiaryEntry.objects.select_for_update().get(pk=found.pk)
        changed = _apply(entry, values, actor)
        if changed:
            audit.append(
                actor,
                "correct",
                "diary_entry",
                entry.id,
                patient_id=entry.patient_id,
                detail={"date": entry.date.isoformat(), "fields": changed},
            )
    return entry_dict(entry)


def _apply(entry: DiaryEntry, values: dict[str, Any], actor: Actor | None) -> list[str]:
    """Set the values that differ; return their names (saved with who and when)."""
    changed = [name for name, value in values.items() if getattr(entry, name) != value]
    for name in changed:
        setattr(entry, name, values[name])
    if changed:
        entry.stamp(actor)
        entry.save(update_fields=[*changed, "updated_at", "updated_by"])
    return changed


# --- the patient's side (the link's token is the credential) ---------------------------------


def _throttle(ip: str, now: dt.datetime) -> None:
    limit, window = settings.DIARY_GUESS_MAX, settings.DIARY_GUESS_WINDOW_SECONDS
    recent = DiaryGuess.objects.filter(ip=ip, at__gt=now - dt.timedelta(seconds=window))
    count = recent.count()
    if count >= limit:
        oldest = recent.order_by("at").values_list("at", flat=True)[count - limit]
        wait = (oldest + dt.timedelta(seconds=window) - now).total_seconds()
        raise Throttled(
            "too many wrong diary links from this address: try again later",
            max(1, math.ceil(wait)),
        )


def _miss(ip: str, now: dt.datetime) -> NotFound:
    window = dt.timedelta(seconds=settings.DIARY_GUESS_WINDOW_SECONDS)
    DiaryGuess.objects.filter(at__lte=now - window).delete()
    DiaryGuess.objects.create(ip=ip, at=now)
    log.info("diary: a request with a wrong link from %s", ip)
    return NotFound(MISSING)


def open_link(token: str, ip: str) -> DiaryLink:
    """The live link of ``token``, or ``NotFound`` (the same for unknown, malformed, expired
    and revoked tokens), or ``Throttled`` after too many wrong tokens from ``ip``."""
    now = timezone.now()
    _throttle(ip, now)
    link = None
    if TOKEN_PATTERN.fullmatch(token):
        link = (
            DiaryLink.objects.select_related("patient", "patient__clinic")
            .filter(token_hash=token_hash(token), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
    if link is None:
        raise _miss(ip, now)
    return link


def _by_link(link: DiaryLink, action: str, record_id: object, detail: dict[str, Any]) -> None:
    audit.append(
        None,
        action,
        "diary_entry",
        record_id,
        patient_id=link.patient_id,
        clinic_id=link.patient.clinic_id,
        detail={"via": "diary link", "link_id": str(link.id), **detail},
    )


def patient_view(token: str, ip: str, today: dt.date) -> dict[str, Any]:
    """What the patient's page shows: the clinic, the link's expiry, the last 14 days."""
    link = open_link(token, ip)
    since = today - dt.timedelta(days=RECENT_DAYS - 1)
    rows = list(DiaryEntry.objects.filter(patient_id=link.patient_id, date__gte=since))
    _by_link(link, "list", "", {"ids": [str(e.id) for e in rows]})
    return {
        "clinic": link.patient.clinic.name,
        "expires_at": link.expires_at,
        "entries": [entry_dict(e) for e in rows],
        "oldest": today - dt.timedelta(days=PATIENT_WINDOW_DAYS),
        "today": today,
    }


def patient_entry(token: str, data: Any, today: dt.date, ip: str) -> dict[str, Any]:
    """Log a day through the link. A second entry for a date replaces the first (``replaced``
    says so), audited with the names of the fields that changed."""
    link = open_link(token, ip)
    values = validated(data, today, today - dt.timedelta(days=PATIENT_WINDOW_DAYS))
    day = values.pop("date")
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=link.patient_id).first()  # one at a time
        entry = DiaryEntry.objects.filter(patient_id=link.patient_id, date=day).first()
        if entry is not None:
            changed = _apply(entry, values, None)
            if changed:
                _by_link(link, "correct", entry.id, {"date": day.isoformat(), "fields": changed})
            return {"entry": entry_dict(entry), "replaced": True}
        entry = DiaryEntry(
            patient_id=link.patient_id, date=day, source=DiarySource.PATIENT, link=link, **values
        )
        entry.stamp(None, created=True)
        entry.save(force_insert=True)
        _by_link(link, "create", entry.id, {"date": day.isoformat(), "fields": _given(values)})
    return {"entry": entry_dict(entry), "replaced": False}
