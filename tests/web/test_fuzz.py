"""Fuzzing the API from its own OpenAPI description: no input gives a 5xx.

Schemathesis generates requests for every operation (bodies, queries and paths, valid and not)
from the published description; each is sent, signed in as a practitioner (an admin for
/users), through Django's test client to the application. Path parameters are pointed at real
records, so that bodies reach the use cases rather than stopping at a 404. A 4xx must change no
record.

Replayable: the run is seeded (``CRAMPCARE_FUZZ_SEED``, fixed by default, so every run and CI
sends the same requests), failing examples are saved in the example database under
``.hypothesis/`` and tried first on the next run, and a failure prints ``@reproduce_failure``.
The assertion names the failing request (method, path, body truncated), not the whole case.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from crampcare.web.api import api
from tests.world import World, token_for

# per operation and run, so that both databases stay within the suite's time budget; set
# CRAMPCARE_FUZZ_EXAMPLES higher for a deeper search (e.g. 500 with another seed, overnight)
EXAMPLES = int(os.environ.get("CRAMPCARE_FUZZ_EXAMPLES", "12"))
FUZZ_SEED = int(os.environ.get("CRAMPCARE_FUZZ_SEED", "20261127"))
SHOWN = 300  # characters of a failing request's body in the report


def example_database() -> DirectoryBasedExampleDatabase | None:
    """Failing examples, kept between runs (git-ignored) and replayed first. Under Hypothesis's
    CI profile (loaded when CI is set) runs are derandomized, which allows no database: every
    CI run sends the same requests, and a failure prints its reproduce blob."""
    if settings.default.derandomize:
        return None
    root = Path(__file__).resolve().parents[2]
    return DirectoryBasedExampleDatabase(str(root / ".hypothesis" / "examples"))


def describe(method: str, path: str, body: Any) -> str:
    """A failing request in one short line: method, path and the body truncated."""
    text = body if isinstance(body, str) else json.dumps(body, default=str, ensure_ascii=False)
    more = f"… ({len(text)} characters)" if len(text) > SHOWN else ""
    return f"{method} {path[:SHOWN]} {text[:SHOWN]!r}{more}"


def changes() -> tuple[int, ...]:
    """The records, and the audit entries of changes: what a refused request must not alter
    (a refusal may audit a read, or the refusal itself)."""
    from crampcare.records import models
    from crampcare.records.booking_models import Booking
    from crampcare.records.diary_models import DiaryEntry, DiaryLink

    kept = models.AuditEntry.objects.exclude(action__in=["read", "list", "denied"]).exclude(
        action__endswith="_failed"
    )
    tables = [models.Patient, models.Intake, models.Assessment, models.TreatmentPlan]
    tables += [models.TreatmentSession, models.User, Booking, DiaryEntry, DiaryLink]
    return (kept.count(), *(t.objects.count() for t in tables))


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.config.generation.update(modes=list(schemathesis.GenerationMode), allow_x00=True)
schema.config.seed = FUZZ_SEED


@pytest.fixture
def ids(world: World) -> dict[str, Any]:
    from crampcare.clinic import plans

    points = [p["code"] for p in world.assessment["result"]["points"]]
    plan = plans.create_plan(world.alice, world.assessment["id"], {"accepted": points}, world.kb)
    return {
        "patient_id": str(world.ellen["id"]),
        "intake_id": str(world.assessment["intake_id"]),
        "assessment_id": str(world.assessment["id"]),
        "plan_id": str(plan["id"]),
        "world": world,
    }


def send(case: Any, token: str) -> tuple[Any, str]:
    kw = case.as_transport_kwargs(
        base_url="http://testserver", headers={"Authorization": f"Bearer {token}"}
    )
    parts = urlsplit(kw["url"])
    query = urlencode(kw.get("params") or {}, doseq=True)
    path = parts.path + (f"?{query}" if query else "")
    headers = {k: str(v) for k, v in (kw.get("headers") or {}).items()}
    content_type = headers.pop("Content-Type", "application/json")
    if "json" in kw:
        data: Any = json.dumps(kw["json"])
    else:
        data = kw.get("data") or ""
    client = Client(headers=headers)
    client.raise_request_exception = False
    response = client.generic(kw["method"], path, data, content_type=content_type)
    return response, describe(kw["method"], path, data)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    database=example_database(),
    suppress_health_check=list(HealthCheck),
)
def test_no_input_gives_a_server_error(case: Any, ids: dict[str, Any]) -> None:
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name]
    world: World = ids["world"]
    user = world.adam if case.path.startswith("/api/v1/users") else world.alice
    before = changes()
    response, request = send(case, token_for(user))
    assert response.status_code < 500, f"{response.status_code} from {request}"
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert body["ok"] is False and body["status"] == response.status_code, request
        assert changes() == before, f"a refused request changed records: {request}"
