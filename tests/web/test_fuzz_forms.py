"""Fuzzing the pages' forms: no field value gives a 5xx, and a refused form changes nothing.

Every POST form on the workbench's pages (patient, intake, plan, session record, needles, lot,
adverse events, addenda, diary panel and diary page, bookings, review...) is found by reading
the pages a practitioner sees, so a new form is fuzzed without a change here. Each example
posts the form's own hidden and default values with some fields replaced by values drawn by
Hypothesis: huge and Unicode digits, inf and NaN, deep nesting, NUL, very long and random text.

Replayable like the API fuzz test (tests/web/test_fuzz.py): a fixed seed, the example
database under .hypothesis/, and a failure reports the request (form, fields, values
truncated) and prints the ``@reproduce_failure`` blob.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.clinic.session_steps import plan_for, start
from tests.web.test_fuzz import EXAMPLES, FUZZ_SEED, changes, describe, example_database
from tests.world import World

FORM_EXAMPLES = 3 * EXAMPLES  # for all the forms together, per run (36 by default)

NASTY = [
    "9" * 30,
    "9" * 5000,
    "-" + "9" * 19,
    "1e309",
    "-1e309",
    "inf",
    "NaN",
    "²",
    "٣",
    "1_000",
    "0x10",
    "a\x00b",
    "[" * 100_000 + "]" * 100_000,
    '{"system": "x", "code": ' + "[" * 5000 + "]" * 5000 + "}",
    "x" * 100_001,
    "2026-02-30",
    "99999-12-31T25:61",
    "",
    " ",
]
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats().map(str),
)


class Forms(HTMLParser):
    """The POST forms of a page: action and (name, value) of each field, defaults kept."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page, self.forms, self.current = page, [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.current = (a.get("action") or self.page).split("#")[0], []
            self.forms.append(self.current)
        elif self.current and tag in {"input", "select", "textarea"} and a.get("name"):
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            if a["name"] != "csrfmiddlewaretoken":
                self.current[1].append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None


def _pages(world: World) -> list[str]:
    from crampcare.clinic import diary

    plan = plan_for(world)
    session = start(world)
    pid = world.ellen["id"]
    link = diary.create_link(world.alice, pid)
    return [
        "/patients/new",
        f"/patients/{pid}",
        f"/patients/{pid}/edit",
        f"/patients/{pid}/intake",
        f"/assessments/{world.assessment['id']}",
        f"/assessments/{world.assessment['id']}/plan",
        f"/plans/{plan['id']}",
        f"/sessions/{session['id']}",
        link["url"],
    ]


def _forms(client: Client, pages: list[str]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        parser = Forms(page)
        parser.feed(response.content.decode())
        for action, fields in parser.forms:
            key = f"{action} {sorted({n for n, _ in fields})}"
            if action not in {"/logout"} and key not in found:
                found[key] = fields
    return found


@pytest.fixture
def forms(world: World) -> tuple[Client, dict[str, list[tuple[str, str]]]]:
    client = Client()
    client.raise_request_exception = False
    client.force_login(world.alice)
    return client, _forms(client, _pages(world))


def test_every_form_of_the_pages_is_fuzzed(forms: Any) -> None:
    _, found = forms
    actions = {key.split(" ")[0].rsplit("/", 1)[-1] for key in found}
    expected = {"new", "edit", "intake", "plan", "bookings", "diary", "needles", "lot"}
    expected |= {"adverse-events", "contact", "retention", "close", "start"}
    assert expected <= actions, sorted(actions)


@seed(FUZZ_SEED)
@settings(
    max_examples=FORM_EXAMPLES,
    deadline=None,
    print_blob=True,
    database=example_database(),
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_no_form_value_gives_a_server_error(forms: Any, data: st.DataObject) -> None:
    client, found = forms
    key = data.draw(st.sampled_from(sorted(found)), label="form")
    fields = found[key]
    names = sorted({name for name, _ in fields} | {"unexpected"})  # and a field of no form
    chosen = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=6), label="values")
    post: dict[str, list[str]] = {}
    for name, value in fields:
        post.setdefault(name, []).append(value)
    for name, value in chosen.items():
        post[name] = [value]
    action = key.split(" ")[0]
    before = changes()
    response = client.post(action, post)
    request = describe("POST", action, {k: v[0] if len(v) == 1 else v for k, v in post.items()})
    assert response.status_code < 500, f"{response.status_code} from {request}"
    if response.status_code >= 400:
        assert changes() == before, f"a refused form changed records: {request}"
