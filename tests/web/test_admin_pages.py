"""The clinic admin's pages: users (invite with a link shown once, deactivate and reactivate,
role, password reset, sign out everywhere, the account changes), the audit log with its filters
and pages, and a patient's access log and its printable version. On both databases."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from crampcare.clinic import audit_log, invitations
from crampcare.records.models import ApiToken, AuditEntry, Invitation, User
from tests.world import PASSWORD, World, token_for

NEW = "quartz otter lantern 1987"
# an audit log row: when, who, action, record
ROW = re.compile(
    r'<tr id="entry-\d+">\s*<td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>\s*<td>([^<]*)</td>'
)


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def link_on(page: bytes) -> str:
    found = re.search(rb'id="invitation-url"[^>]*value="https?://[^/]+(/invitation/[^"]+)"', page)
    assert found, "the page shows the link"
    return found.group(1).decode()


def test_the_users_page_lists_the_clinic_and_no_other(world: World) -> None:
    as_user(world.alice).get("/")  # a sign-in of Alice's (force_login sets last_login)
    page = as_user(world.adam).get("/admin/users")
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("adam", "alice", "fran"):
        assert f">{name}" in text
    assert "bert" not in text and "bella" not in text  # Birch's users
    assert "Practitioner" in text and "Front desk" in text and "LIC-alice" in text
    assert 'href="/admin/users"' in text and 'href="/account"' in text  # the top bar's links


def test_an_invitation_is_shown_once_and_sets_the_users_own_password(world: World) -> None:
    admin = as_user(world.adam)
    form = {"username": "petra", "role": "practitioner", "licence_number": "LIC-9"}
    page = admin.post("/admin/users", form)
    assert page.status_code == 200 and b"shown only now" in page.content
    path = link_on(page.content)
    assert path.removeprefix("/invitation/") not in admin.get("/admin/users").content.decode()
    petra = User.objects.get(username="petra")
    assert petra.clinic_id == world.adam.clinic_id and petra.confirmed_at is None
    stored = Invitation.objects.get(user=petra)
    assert stored.token_hash == invitations.token_hash(path.removeprefix("/invitation/"))
    answer = Client().post(path, {"password": NEW, "password_again": NEW})
    assert answer.status_code == 302
    petra.refresh_from_db()
    assert petra.confirmed_at is not None and petra.check_password(NEW)
    changes = admin.get("/admin/users").content.decode()
    assert "User create" in changes and "Invitation accepted" in changes


@pytest.mark.parametrize(
    "form, field",
    [
        ({"username": "petra", "role": "practitioner"}, "licence_number"),
        ({"username": "ALICE", "role": "front_desk"}, "username"),
        ({"username": "p", "role": "front_desk"}, "username"),
        ({"username": "petra", "role": "owner"}, "role"),
    ],
    ids=["practitioner without licence", "taken in another case", "too short", "unknown role"],
)
def test_a_refused_invitation_names_the_field_and_makes_nobody(
    world: World, form: dict[str, str], field: str
) -> None:
    before = User.objects.count()
    page = as_user(world.adam).post("/admin/users", form)
    assert page.status_code == 422 and b'id="errors"' in page.content
    assert re.search(rf"<li>{field.replace('_', ' ').capitalize()}: ", page.content.decode())
    assert User.objects.count() == before and b"invitation-url" not in page.content


def test_an_admin_cannot_invite_themselves_again(world: World) -> None:
    world.adam.email = "adam@willow.example"
    world.adam.save(update_fields=["email"])
    form = {
        "username": "adam2",
        "role": "practitioner",
        "licence_number": "L",
        "email": "adam@willow.example",
    }
    page = as_user(world.adam).post("/admin/users", form)
    assert page.status_code == 403 and not User.objects.filter(username="adam2").exists()


def test_deactivate_ends_sessions_and_tokens_and_reactivate_lets_them_back(world: World) -> None:
    alice = as_user(world.alice)
    raw = token_for(world.alice)
    admin = as_user(world.adam)
    answer = admin.post(f"/admin/users/{world.alice.pk}/deactivate")
    assert answer.status_code == 302 and answer["Location"] == "/admin/users?done=deactivated"
    assert b"Deactivated" in admin.get("/admin/users?done=deactivated").content
    assert alice.get("/").status_code == 302  # the session ended
    assert ApiToken.objects.get(key_hash__isnull=False, user=world.alice).revoked_at is not None
    assert admin.post(f"/admin/users/{world.alice.pk}/reactivate").status_code == 302
    assert User.objects.get(pk=world.alice.pk).is_active
    assert Client().post("/login", {"username": "alice", "password": PASSWORD}).status_code == 302
    assert (
        Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/auth/me").status_code == 401
    )
    assert admin.post(f"/admin/users/{world.alice.pk}/reactivate").status_code == 409  # active


def test_a_role_change_to_clinical_asks_for_a_new_confirmation(world: World) -> None:
    admin = as_user(world.adam)
    page = admin.post(
        f"/admin/users/{world.fran.pk}/role", {"role": "practitioner", "licence_number": "LIC-F"}
    )
    assert page.status_code == 200 and b"confirm the account again" in page.content
    link_on(page.content)
    fran = User.objects.get(pk=world.fran.pk)
    assert fran.role == "practitioner" and fran.confirmed_at is None
    back = admin.post(f"/admin/users/{world.fran.pk}/role", {"role": "front_desk"})
    assert back.status_code == 302 and back["Location"] == "/admin/users?done=role"
    assert b"Role change" in admin.get("/admin/users").content


def test_an_admin_cannot_change_their_own_role(world: World) -> None:
    page = as_user(world.adam).post(
        f"/admin/users/{world.adam.pk}/role", {"role": "practitioner", "licence_number": "L"}
    )
    assert page.status_code == 403
    assert User.objects.get(pk=world.adam.pk).role == "clinic_admin"


def test_a_password_reset_shows_a_link_never_a_password(world: World) -> None:
    alice = as_user(world.alice)
    page = as_user(world.adam).post(f"/admin/users/{world.alice.pk}/reset-password")
    assert page.status_code == 200 and b"password is reset" in page.content
    path = link_on(page.content)
    assert alice.get("/").status_code == 302  # signed out everywhere
    assert Client().post("/login", {"username": "alice", "password": PASSWORD}).status_code != 302
    assert Client().post(path, {"password": NEW, "password_again": NEW}).status_code == 302
    assert Client().post("/login", {"username": "alice", "password": NEW}).status_code == 302


def test_an_admin_signs_a_user_out_everywhere(world: World) -> None:
    alice = as_user(world.alice)
    token_for(world.alice)
    answer = as_user(world.adam).post(f"/admin/users/{world.alice.pk}/sign-out-everywhere")
    assert answer["Location"] == "/admin/users?done=signed_out"
    assert alice.get("/").status_code == 302
    assert not ApiToken.objects.filter(user=world.alice, revoked_at__isnull=True).exists()


def test_another_clinics_user_is_404_and_unchanged(world: World) -> None:
    for action in ("deactivate", "reset-password", "sign-out-everywhere", "role"):
        answer = as_user(world.adam).post(
            f"/admin/users/{world.bert.pk}/{action}", {"role": "front_desk"}
        )
        assert answer.status_code == 404, action
    bert = User.objects.get(pk=world.bert.pk)
    assert bert.is_active and bert.role == "practitioner" and bert.confirmed_at is not None


# --- the audit log -------------------------------------------------------------------------


def test_the_audit_log_shows_the_clinics_entries_and_filters_them(world: World) -> None:
    as_user(world.alice).get(f"/patients/{world.ellen['id']}")
    admin = as_user(world.adam)
    page = admin.get("/admin/audit").content.decode()
    assert "audit-entries" in page and str(world.ellen["id"]) in page
    assert str(world.otto["id"]) not in page  # Birch's patient
    only = admin.get("/admin/audit", {"user": "ALICE", "action": "read", "record_type": "patient"})
    rows = ROW.findall(only.content.decode())
    assert rows and {(who, action) for _, who, action, _ in rows} == {("alice", "read")}
    by_patient = admin.get("/admin/audit", {"patient_id": str(world.nadia["id"])}).content.decode()
    assert str(world.nadia["id"]) in by_patient and str(world.ellen["id"]) not in by_patient
    nothing = admin.get("/admin/audit", {"date_from": "2001-01-01", "date_to": "2001-01-02"})
    assert b'id="no-entries"' in nothing.content


def test_the_audit_log_is_paged_by_entry_so_new_entries_shift_nothing(
    world: World, monkeypatch: Any
) -> None:
    monkeypatch.setattr(audit_log, "PAGE_SIZE", 3)
    admin = as_user(world.adam)
    first = admin.get("/admin/audit").content.decode()
    older = re.search(r'href="/admin/audit\?before=(\d+)" rel="next"', first)
    assert len(ROW.findall(first)) == 3 and older and 'rel="first"' not in first
    second = admin.get("/admin/audit", {"before": older.group(1)}).content.decode()
    assert 'rel="first"' in second and len(ROW.findall(second)) == 3
    shown = [int(m) for m in re.findall(r'<tr id="entry-(\d+)">', first + second)]
    everything = AuditEntry.objects.filter(clinic_id=world.adam.clinic_id).order_by("-pk")
    # each page's read is written after it (the two newest): the second page went on where the
    # first ended although an entry was written in between
    assert shown == list(everything.values_list("pk", flat=True)[2:8])


@pytest.mark.parametrize(
    "query, field",
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2026-02-02", "date_to": "2026-01-01"}, "date_to"),
        ({"before": "²"}, "before"),
        ({"before": "9" * 5000}, "before"),
        ({"action": "x" * 21}, "action"),
        ({"patient_id": "a\x00b"}, "patient_id"),
    ],
    ids=["not a date", "to before from", "unicode digit", "5000 digits", "too long", "NUL"],
)
def test_bad_filters_are_named_not_a_500(world: World, query: dict[str, str], field: str) -> None:
    page = as_user(world.adam).get("/admin/audit", query)
    assert page.status_code in {404, 422} and b"Traceback" not in page.content
    if page.status_code == 422:
        assert f"<li>{field}: " in page.content.decode()


def test_reading_the_audit_log_is_audited_with_filter_names_only(world: World) -> None:
    as_user(world.adam).get("/admin/audit", {"user": "alice", "patient_id": "secret-ish"})
    entry = AuditEntry.objects.filter(record_type="audit_log").latest("pk")
    assert entry.actor == "adam" and entry.detail == {
        "filters": ["patient_id", "user"],
        "before": None,
    }


# --- a patient's access log ----------------------------------------------------------------


def test_the_access_log_names_who_saw_the_patient(world: World) -> None:
    world.alice.first_name, world.alice.last_name = "Alice", "Marsh"
    world.alice.save(update_fields=["first_name", "last_name"])
    as_user(world.alice).get(f"/patients/{world.ellen['id']}")
    for user in (world.alice, world.adam):
        page = as_user(user).get(f"/patients/{world.ellen['id']}")
        assert b'id="access-log-link"' in page.content
    log = as_user(world.adam).get(f"/patients/{world.ellen['id']}/access-log")
    text = log.content.decode()
    assert log.status_code == 200 and "Alice Marsh" in text and "Practitioner" in text
    assert "Opened" in text and str(world.nadia["id"]) not in text
    printed = as_user(world.alice).get(f"/patients/{world.ellen['id']}/access-log/print")
    assert printed.status_code == 200
    assert b"Who has seen your record" in printed.content and b"Alice Marsh" in printed.content
    assert AuditEntry.objects.filter(
        record_type="access_log", patient_id=str(world.ellen["id"]), detail__printable=True
    ).exists()


def test_the_front_desk_and_other_clinics_do_not_see_the_access_log(world: World) -> None:
    url = f"/patients/{world.ellen['id']}/access-log"
    assert as_user(world.fran).get(url).status_code == 403
    assert (
        b'id="access-log-link"'
        not in as_user(world.fran).get(f"/patients/{world.ellen['id']}").content
    )
    assert as_user(world.bert).get(url).status_code == 404
    assert as_user(world.bert).get(url + "/print").status_code == 404
    denied = AuditEntry.objects.filter(action="denied", record_type="access_log").get()
    assert denied.actor == "fran" and denied.patient_id == str(world.ellen["id"])


NASTY = ["9" * 5000, "1e309", "²", "a\x00b", "x" * 100_000, "[" * 10_000, " " * 12]


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_no_value_in_the_admin_and_account_forms_gives_a_server_error(
    world: World, value: str
) -> None:
    admin, alice = as_user(world.adam), as_user(world.alice)

    def users() -> list[tuple[str, str, bool, str]]:
        rows = User.objects.exclude(username="petra")  # a short odd licence number is one
        return sorted(rows.values_list("username", "role", "is_active", "password"))

    before = users()
    answers = [
        admin.post("/admin/users", {k: value for k in ("username", "role", "email", "first_name")}),
        admin.post(
            "/admin/users", {"username": "petra", "role": "practitioner", "licence_number": value}
        ),
        admin.post(f"/admin/users/{world.fran.pk}/role", {"role": value, "licence_number": value}),
        admin.get("/admin/audit", {name: value for name in audit_log.FILTERS}),
        admin.get("/admin/audit", {"before": value}),
        admin.get(f"/patients/{world.ellen['id']}/access-log", {"before": value}),
        alice.post(
            "/account/password",
            {"current_password": value, "new_password": value, "new_password_again": value},
        ),
    ]
    assert [a.status_code for a in answers if a.status_code >= 500] == []
    assert users() == before
