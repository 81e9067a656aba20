"""Fuzzing the API from its own OpenAPI description: no input gives a 5xx.

Schemathesis generates requests for every operation (bodies, queries and paths, valid and not)
from the published description; each is sent, signed in as a practitioner (an admin for
/users), through Django's test client to the application. Path parameters are pointed at real
records, so that bodies reach the use cases rather than stopping at a 404.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings

from crampcare.web.api import api
from tests.world import World, token_for

EXAMPLES = 25  # per operation and run; both databases together stay within the time budget
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.config.generation.update(
    modes=list(schemathesis.GenerationMode), allow_x00=True, database="none"
)


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


def send(case: Any, token: str) -> Any:
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
    return client.generic(kw["method"], path, data, content_type=content_type)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case: Any, ids: dict[str, Any]) -> None:
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name]
    world: World = ids["world"]
    user = world.adam if case.path.startswith("/api/v1/users") else world.alice
    response = send(case, token_for(user))
    assert response.status_code < 500, (case.method, case.path, response.content[:500])
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert body["ok"] is False and body["status"] == response.status_code
