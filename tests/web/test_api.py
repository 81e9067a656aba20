"""The JSON API: the same use cases as the services, and one error shape for every error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from crampcare.records.models import Patient
from tests.factories import make_intake
from tests.world import PASSWORD, World, api, person


def body(response: Any) -> Any:
    return json.loads(response.content)


def post(client: Client, url: str, data: Any, **kw: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", **kw)


def assert_error_shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    data = body(response)
    assert set(data) == {"ok", "status", "error", "errors"}
    assert data["ok"] is False and data["status"] == status
    assert data["errors"] and all(set(e) == {"field", "message"} for e in data["errors"])
    joined = "; ".join(
        f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in data["errors"]
    )
    assert data["error"] == joined
    return data


def test_token_then_patients(world: World) -> None:
    client = Client()
    r = post(client, "/api/v1/auth/token", {"username": "fran", "password": PASSWORD})
    assert r.status_code == 201
    token = body(r)["token"]
    r = client.get("/api/v1/patients", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert {p["family_name"] for p in body(r)["items"]} == {"Ayres", "Bloom"}


def test_post_an_intake_get_the_assessment(world: World) -> None:
    client = api(world.alice)
    r = post(
        client,
        "/api/v1/assessments",
        {"patient_id": str(world.ellen["id"]), "intake": make_intake(findings=["fever"])},
    )
    assert r.status_code == 201, r.content
    a = body(r)
    assert a["intake_version"] == 2 and a["result"]["schema"] == "crampcare.assessment/1"
    again = client.get(f"/api/v1/assessments/{a['id']}")
    assert body(again)["result"] == a["result"]


def test_the_plan_round_trip(world: World) -> None:
    client = api(world.alice)
    ids = [p["code"] for p in world.assessment["result"]["points"]]
    r = post(
        client,
        f"/api/v1/assessments/{world.assessment['id']}/plans",
        {"accepted": ids[1:], "removed": [{"point": ids[0], "reason": "patient declined"}]},
    )
    assert r.status_code == 201, r.content
    plan = body(r)
    listed = body(client.get(f"/api/v1/patients/{world.ellen['id']}/plans"))
    assert [p["id"] for p in listed] == [plan["id"]]


@pytest.mark.parametrize(
    "method, url, data, status, field",
    [
        ("post", "/api/v1/patients", {"given_name": "A"}, 422, "family_name"),
        ("post", "/api/v1/patients", {**person("A", "B"), "sex": "x"}, 422, "sex"),
        ("post", "/api/v1/patients", "[1, 2]", 422, "(body)"),
        ("post", "/api/v1/patients", "{bad json", 400, "(body)"),
        ("post", "/api/v1/patients", '{"given_name": NaN}', 400, "(body)"),
        ("post", "/api/v1/patients", {**person("A", "B"), "phone": "\x00"}, 422, "phone"),
        (
            "post",
            "/api/v1/patients/{ellen}/intakes",
            {"document": make_intake(history={"conditions": ["gout\x00"]})},
            422,
            "document.history.conditions[0]",
        ),
        ("post", "/api/v1/patients", '{"given_name": "\\ud800"}', 422, "given_name"),
        ("get", "/api/v1/patients?limit=5000", None, 422, "limit"),
        ("get", "/api/v1/patients?limit=x", None, 422, "limit"),
        ("get", "/api/v1/patients/not-a-uuid", None, 422, "patient_id"),
        ("get", "/api/v1/patients/00000000-0000-4000-8000-000000000000", None, 404, ""),
        ("get", "/api/v1/nowhere", None, 404, ""),
        ("put", "/api/v1/patients", None, 405, ""),
        ("post", "/api/v1/assessments", {"intake_id": "x"}, 422, "intake_id"),
    ],
)
def test_every_error_has_one_shape_and_names_the_field(
    world: World, method: str, url: str, data: Any, status: int, field: str
) -> None:
    client = api(world.alice)
    count = Patient.objects.count()
    payload = data if isinstance(data, str) or data is None else json.dumps(data)
    url = url.format(ellen=world.ellen["id"])
    r = getattr(client, method)(url, payload, content_type="application/json")
    err = assert_error_shape(r, status)
    assert field in [e["field"] for e in err["errors"]]
    assert Patient.objects.count() == count


def test_unauthenticated_is_401_with_a_challenge(world: World) -> None:
    r = Client().get("/api/v1/patients")
    assert_error_shape(r, 401)
    assert r["WWW-Authenticate"].startswith("Bearer")
    r = Client(headers={"Authorization": "Bearer nonsense"}).get("/api/v1/patients")
    assert_error_shape(r, 401)


def test_a_server_error_has_the_shape_and_changes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crampcare.clinic import patients

    def boom(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(patients, "to_dict", boom)
    client = api(world.fran)
    client.raise_request_exception = False
    count = Patient.objects.count()
    r = post(client, "/api/v1/patients", person("Iris", "Dane"))
    data = assert_error_shape(r, 500)
    assert "boom" not in data["error"]
    assert Patient.objects.count() == count


def test_the_openapi_description_is_published(world: World) -> None:
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = body(r)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/assessments" in spec["paths"]
    assert {"BearerAuth", "SessionAuth"} <= set(spec["components"]["securitySchemes"]) or spec[
        "components"
    ]["securitySchemes"]


def test_reassess_is_200_when_nothing_changed(world: World) -> None:
    r = api(world.alice).post(f"/api/v1/assessments/{world.assessment['id']}/reassess")
    assert r.status_code == 200 and body(r)["id"] == str(world.assessment["id"])


def test_revoking_a_token(world: World) -> None:
    client = api(world.alice)
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_patient_list_carries_the_latest_urgency_and_needling_decision(world: World) -> None:
    r = api(world.alice).get("/api/v1/patients")
    assert r.status_code == 200
    rows = {p["given_name"]: p for p in body(r)["items"]}
    assert rows["Ellen"]["latest_assessment"] == {
        "id": str(world.assessment["id"]),
        "assessed_on": world.assessment["assessed_on"].isoformat(),
        "urgency": world.assessment["urgency"],
        "needling_allowed": world.assessment["needling_allowed"],
    }
    assert rows["Nadia"]["latest_assessment"] is None
    desk = {p["given_name"]: p for p in body(api(world.fran).get("/api/v1/patients"))["items"]}
    assert desk["Ellen"]["latest_assessment"] is None  # front desk: no clinical record
