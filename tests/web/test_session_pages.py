"""The session pages, the treatment rooms and the patient page's course, through Django's test
client: each page renders for the practitioner, is refused to the front desk (403) and to
another clinic (404); a refusal shows its reason; bad input gets a message, never a 500."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from crampcare.clinic import plans, sessions
from tests.world import World


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return unescape(response.content.decode())


def _plan(world: World) -> dict[str, Any]:
    ids = [p["code"] for p in world.assessment["result"]["points"]]
    return plans.create_plan(world.alice, world.assessment["id"], {"accepted": ids}, world.kb)


def _start(world: World) -> tuple[Client, dict[str, Any], str]:
    plan = _plan(world)
    client = client_for(world.alice)
    r = client.post("/sessions/start", {"patient_id": world.ellen["id"], "plan_id": plan["id"]})
    assert r.status_code == 302 and re.fullmatch(r"/sessions/[0-9a-f-]{36}", r["Location"])
    return client, plan, r["Location"]


def _session(world: World, url: str) -> dict[str, Any]:
    return sessions.get_session(world.alice, url.rsplit("/", 1)[1], world.kb)


def test_a_session_starts_from_the_plan_pre_filled_with_its_points(world: World) -> None:
    client, plan, url = _start(world)
    page = html(client.get(url))
    planned = [p["code"] for p in plan["points"] if p["decision"] != "removed"]
    for i, code in enumerate(planned):
        assert f'name="points[{i}].code" value="{code}"' in page
    assert 'id="urgency-banner"' in page and "Needle in +1" in page and "Needle out +1" in page
    assert "All needles in — start timer" in page
    assert 'data-timer data-session-id="' in page and 'data-min-seconds="900"' in page


def test_the_plan_and_patient_pages_offer_to_start_a_session(world: World) -> None:
    plan = _plan(world)
    client = client_for(world.alice)
    assert 'action="/sessions/start"' in html(client.get(f"/plans/{plan['id']}"))
    patient = html(client.get(f"/patients/{world.ellen['id']}"))
    assert 'id="start-session"' in patient and "Course of sessions" in patient


def test_a_refused_start_shows_the_reason(world: World) -> None:
    client = client_for(world.alice)
    r = client.post("/sessions/start", {"patient_id": world.ellen["id"]})  # no plan yet
    assert r.status_code == 409 and "record the plan first" in html(r)
    r = client.post("/sessions/start", {"patient_id": "not-a-uuid"})
    assert r.status_code == 422 and "Patient_id: Input should be a valid UUID" in html(r)


def test_needles_are_counted_and_a_close_with_a_needle_still_in_is_refused(world: World) -> None:
    client, _, url = _start(world)
    for which in ("inserted", "inserted", "removed"):
        assert client.post(f"{url}/needles", {"which": which, "delta": "1"}).status_code == 302
    page = html(client.get(url))
    assert '<output id="count-in" aria-live="polite">2</output>' in page
    assert "1 needle still in." in page
    r = client.post(f"{url}/close")
    assert r.status_code == 409 and 'id="refusal"' in html(r)
    assert _session(world, url)["status"] == "open"


def test_bad_input_is_named_and_stores_nothing(world: World) -> None:
    client, _, url = _start(world)
    before = _session(world, url)["document"]
    r = client.post(url, {"points[0].code": "LI4", "points[0].depth_mm": "deep"})
    assert r.status_code == 422
    assert 'id="error-summary"' in html(r)
    assert _session(world, url)["document"]["points"] == before["points"]
    r = client.post(f"{url}/needles", {"which": "sideways", "delta": "2"})
    assert r.status_code == 422 and "which" in html(r)
    r = client.post(f"{url}/adverse-events", {"kind": "fainting", "severity": "awful"})
    assert r.status_code == 422 and "severity" in html(r)


@pytest.mark.parametrize(
    ("user", "status"),
    [("fran", 403), ("adam", 403), ("bert", 404)],
    ids=["front desk", "admin", "other clinic"],
)
def test_only_the_clinics_practitioners_see_a_session(world: World, user: str, status: int) -> None:
    _, _, url = _start(world)
    other = client_for(world.user(user))
    assert other.get(url).status_code == status
    assert other.post(f"{url}/needles", {"which": "inserted", "delta": "1"}).status_code == status
    rooms = other.get("/rooms")
    if status == 403:
        assert rooms.status_code == 403
    else:  # their own clinic's rooms, without this clinic's patient
        assert rooms.status_code == 200 and "Ayres" not in html(rooms)
    assert _session(world, url)["needles"]["inserted"] == 0


def test_the_treatment_rooms_list_open_sessions_with_their_timers(world: World) -> None:
    client, _, url = _start(world)
    client.post(f"{url}/needles", {"which": "inserted", "delta": "1"})
    client.post(f"{url}/retention", {"action": "start"})
    page = html(client.get("/rooms"))
    assert "Ellen Ayres" in page and f'href="{url}"' in page
    assert re.search(r'data-started-at="\d{4}-\d\d-\d\dT', page)
    partial = html(client.get("/rooms", headers={"HX-Request": "true"}))
    assert partial.lstrip().startswith('<div id="rooms"') and "Ellen Ayres" in partial


def _point_form(session: dict[str, Any]) -> dict[str, str]:
    """The record form as the page would post it for the session's current points."""
    form: dict[str, str] = {}
    for i, p in enumerate(session["document"]["points"]):
        form[f"points[{i}].code"] = p["code"]
        form[f"points[{i}].side"] = p["side"]
        form[f"points[{i}].region"] = p.get("region", "")
        form[f"points[{i}].stimulation"] = p.get("stimulation", "manual")
    return form


def test_a_catalogue_point_is_recorded_and_says_its_cautions_are_not_in_the_kb(
    world: World,
) -> None:
    client, _, url = _start(world)
    form = _point_form(_session(world, url))
    n = len(_session(world, url)["document"]["points"])
    added = {f"points[{n}].code": "ex-hn3", f"points[{n}].side": "midline"}
    r = client.post(url, {**form, **added})  # not in the plan: its reason is asked for
    assert r.status_code == 422
    assert "EXHN3 is not in the plan: say why it is needled" in html(r)
    assert f'aria-describedby="f-points-{n}-reason-error"' in html(r)
    r = client.post(url, {**form, **added, f"points[{n}].reason": "calming before sleep"})
    assert r.status_code == 302
    page = html(client.get(url))
    assert "EX-HN3 Yìntáng" in page
    assert "this point's cautions are not in the knowledge base" in page
    assert "EXHN3 added: calming before sleep" in page


def test_a_plan_point_left_out_needs_its_reason(world: World) -> None:
    client, _, url = _start(world)
    form = {**_point_form(_session(world, url)), "points[0].drop": "on"}
    r = client.post(url, form)  # drawn again after the needled points, its reason asked for
    last = len(_session(world, url)["document"]["points"]) - 1
    assert r.status_code == 422
    assert f'<a href="#f-points-{last}-reason">Point {last + 1}, reason:' in html(r)
    assert f'id="f-points-{last}-reason-error"' in html(r)
    first = _session(world, url)["document"]["points"][0]["code"]
    r = client.post(url, {**form, "points[0].reason": "bruised skin over the point"})
    assert r.status_code == 302
    assert first not in [p["code"] for p in _session(world, url)["document"]["points"]]
    page = html(client.get(url))
    assert "Plan point left out" in page and "bruised skin over the point" in page


def test_measures_and_the_soap_note_are_saved(world: World) -> None:
    client, _, url = _start(world)
    form = {
        **_point_form(_session(world, url)),
        "measures.pain_before": "7",
        "measures.pain_after": "3",
        "measures.global_change": "much_improved",
        "note.subjective": "Cramps twice this week.",
    }
    assert client.post(url, form).status_code == 302
    doc = _session(world, url)["document"]
    assert doc["measures"]["pain_before"] == 7 and doc["measures"]["pain_after"] == 3
    assert doc["measures"]["global_change"] == "much_improved"
    assert doc["note"]["subjective"] == "Cramps twice this week."
    page = html(client.get(url))
    assert 'value="7" checked' in page and 'value="much_improved" checked' in page
    r = client.post(url, {**form, "measures.pain_after": "11"})
    assert r.status_code == 422 and 'id="f-measures-pain-after-error"' in html(r)


def test_electrical_stimulation_is_disabled_where_the_assessment_rules_it_out(
    world: World,
) -> None:
    from crampcare.clinic import assessments, patients
    from tests.factories import make_intake
    from tests.world import person

    made = patients.create_patient(world.alice, person("Percy", "Pacer"))
    history = {**make_intake()["history"], "devices": ["pacemaker"]}
    a = assessments.create_assessment(
        world.alice, {"patient_id": made["id"], "intake": make_intake(history=history)}, world.kb
    )
    assert not a["result"]["electroacupuncture"]["allowed"]
    ids = [p["code"] for p in a["result"]["points"]]
    plans.create_plan(world.alice, a["id"], {"accepted": ids}, world.kb)
    client = client_for(world.alice)
    url = client.post("/sessions/start", {"patient_id": made["id"]})["Location"]
    page = html(client.get(url))
    assert 'id="electro-refused"' in page
    assert a["result"]["electroacupuncture"]["reason"] in page
    assert '<option value="electrical" disabled>Electrical (not allowed)</option>' in page
    electrical = {
        "points[0].stimulation": "electrical",
        "points[0].electrical.frequency_hz": "2",
        "points[0].electrical.intensity_ma": "1.5",
        "points[0].electrical.minutes": "20",
        "points[0].electrical.waveform": "dense_disperse",
    }
    r = client.post(url, {**_point_form(_session(world, url)), **electrical})
    assert r.status_code == 422 and "electrical stimulation is not allowed" in html(r)


def test_a_session_is_closed_signed_and_shown_with_its_addenda(world: World) -> None:
    from crampcare.records.models import TreatmentSession

    client, _, url = _start(world)
    sid = url.rsplit("/", 1)[1]
    client.post(f"{url}/lot", {"lot": "HW-1"})
    client.post(f"{url}/needles", {"which": "inserted", "delta": "1"})
    assert client.post(f"{url}/retention", {"action": "start"}).status_code == 302
    page = html(client.get(url))  # the timer is drawn from the stored start, after a reload too
    started = _session(world, url)["retention"]["started_at"]
    assert f'data-started-at="{started.isoformat()}"' in page
    earlier = started - dt.timedelta(minutes=20)  # the record keeps whole minutes
    TreatmentSession.objects.filter(pk=sid).update(retention_started_at=earlier)
    assert client.post(f"{url}/retention", {"action": "end"}).status_code == 302
    r = client.post(f"{url}/addenda", {"reason": "too early", "text": "x"})
    assert r.status_code == 409 and "not signed" in html(r)
    client.post(f"{url}/needles", {"which": "removed", "delta": "1"})
    assert client.post(f"{url}/close").status_code == 302
    assert client.post(f"{url}/sign").status_code == 302
    r = client.post(f"{url}/addenda", {"reason": "", "text": "the depth was 20 mm"})
    assert r.status_code == 422 and "reason" in html(r)
    r = client.post(f"{url}/addenda", {"reason": "depth mistyped", "text": "20 mm, not 25"})
    assert r.status_code == 302
    page = html(client.get(url))
    assert "Signed and locked" in page and "1 in, 1 out" in page and "HW-1" in page
    assert "depth mistyped" in page and "20 mm, not 25" in page and "alice" in page
    assert "Needle in +1" not in page  # nothing to change on a signed session


def test_a_serious_adverse_event_raises_a_banner_on_the_patient(world: World) -> None:
    client, _, url = _start(world)
    event = {"kind": "fainting", "severity": "severe", "action": "lay flat, legs raised"}
    assert client.post(f"{url}/adverse-events", event).status_code == 302
    assert "Fainting</strong>, severe" in html(client.get(url))
    page = html(client.get(f"/patients/{world.ellen['id']}"))
    assert 'id="serious-banner"' in page and "lay flat, legs raised" in page
    assert "Adverse event: fainting (severe, serious)" in page  # on the timeline too
    front_desk = html(client_for(world.fran).get(f"/patients/{world.ellen['id']}"))
    assert "serious-banner" not in front_desk and "fainting" not in front_desk.lower()


def test_the_front_desk_books_the_course_and_sees_no_clinical_content(world: World) -> None:
    _plan(world)
    client = client_for(world.fran)
    day = dt.date.today() + dt.timedelta(days=3)
    r = client.post(
        f"/patients/{world.ellen['id']}/bookings",
        {"sessions[0].starts_at": f"{day}T09:30", "sessions[1].starts_at": "next tuesday"},
    )
    assert r.status_code == 422 and "is not a date and time" in html(r)
    r = client.post(
        f"/patients/{world.ellen['id']}/bookings", {"sessions[0].starts_at": f"{day}T09:30"}
    )
    assert r.status_code == 302
    page = html(client.get(f"/patients/{world.ellen['id']}"))
    assert "Course of sessions" in page and "Session 1" in page and "09:30" in page
    assert "calendar.ics" in page
    assert "Timeline" not in page and "/sessions/" not in page and "Start session" not in page
    past = client.post(
        f"/patients/{world.ellen['id']}/bookings", {"sessions[0].starts_at": "2001-01-01T09:00"}
    )
    assert past.status_code == 422 and "in the past" in html(past)


@pytest.mark.parametrize(
    ("user", "linked"),
    [("alice", True), ("fran", False), ("adam", False)],
    ids=["practitioner", "front desk", "admin"],
)
def test_the_top_bar_links_the_treatment_rooms_for_practitioners_only(
    world: World, user: str, linked: bool
) -> None:
    page = html(client_for(world.user(user)).get("/"))
    assert ('href="/rooms"' in page) is linked
