"""The cramp diary's use cases: links (a token of 256 bits, stored only as its hash, expiring and
revocable; every kind of bad token the same NotFound; guesses throttled per address), entries
(one per patient per day, a database constraint also under parallel requests on PostgreSQL; bad
values refused by field, changing nothing), corrections audited by field name, never values."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from crampcare.clinic import diary
from crampcare.clinic.errors import Conflict, Forbidden, Invalid, NotFound, Throttled
from crampcare.records.models import AuditEntry, DiaryEntry, DiaryGuess, DiaryLink
from tests.parallel import in_parallel, postgres_only
from tests.world import World

TODAY = dt.date(2026, 11, 27)
IP = "198.51.100.7"


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def entry(days_ago: int = 0, **values: Any) -> dict[str, Any]:
    return {
        "date": day(days_ago),
        "cramps": 3,
        "worst_severity": 6,
        "typical_duration_minutes": 2,
        "sleep_disturbance": 4,
        "regions": ["calf"],
        **values,
    }


def token_of(link: dict[str, Any]) -> str:
    return str(link["url"]).rsplit("/", 1)[1]


@pytest.fixture
def token(world: World) -> str:
    return token_of(diary.create_link(world.alice, world.ellen["id"]))


# --- links -----------------------------------------------------------------------------------


def test_a_link_holds_a_256_bit_token_that_is_stored_only_as_its_hash(world: World) -> None:
    made = diary.create_link(world.alice, world.ellen["id"], base_url="https://clinic.example")
    assert made["url"].startswith("https://clinic.example/diary/")
    token = token_of(made)
    assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 bits >= 128
    link = DiaryLink.objects.get(pk=made["id"])
    assert link.token_hash == diary.token_hash(token) and token not in link.token_hash
    stored = json.dumps(list(DiaryLink.objects.values()), default=str)
    audits = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert token not in stored and token not in audits
    assert AuditEntry.objects.filter(action="create", record_type="diary_link").count() == 1


def test_a_link_lasts_90_days_by_default_or_as_set(world: World, settings: Any) -> None:
    made = diary.create_link(world.alice, world.ellen["id"])
    assert abs(made["expires_at"] - timezone.now() - dt.timedelta(days=90)) < dt.timedelta(
        minutes=1
    )
    settings.DIARY_LINK_DAYS = 30
    made = diary.create_link(world.alice, world.ellen["id"])
    assert abs(made["expires_at"] - timezone.now() - dt.timedelta(days=30)) < dt.timedelta(
        minutes=1
    )
    with pytest.raises(Invalid) as refused:
        diary.create_link(world.alice, world.ellen["id"], days=0)
    assert refused.value.errors[0][0] == "days"


def test_two_links_never_share_a_token(world: World) -> None:
    tokens = {token_of(diary.create_link(world.alice, world.ellen["id"])) for _ in range(20)}
    assert len(tokens) == 20


def _expired(token: str) -> None:
    DiaryLink.objects.filter(token_hash=diary.token_hash(token)).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


def _revoked(world: World, token: str) -> None:
    link = DiaryLink.objects.get(token_hash=diary.token_hash(token))
    diary.revoke_link(world.alice, link.id)


BAD_TOKENS = {
    "guessed": lambda w, t: "A" * 43,
    "malformed": lambda w, t: "not a token",
    "far too long": lambda w, t: t * 50,
    "one character changed": lambda w, t: ("B" if t[0] != "B" else "C") + t[1:],
    "expired": lambda w, t: (_expired(t), t)[1],
    "revoked": lambda w, t: (_revoked(w, t), t)[1],
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_every_bad_token_gets_the_same_not_found(world: World, token: str, kind: str) -> None:
    bad = BAD_TOKENS[kind](world, token)
    with pytest.raises(NotFound) as viewing:
        diary.patient_view(bad, IP, TODAY)
    with pytest.raises(NotFound) as posting:
        diary.patient_entry(bad, entry(), TODAY, IP)
    assert str(viewing.value) == str(posting.value) == diary.MISSING
    assert DiaryEntry.objects.count() == 0
    assert DiaryGuess.objects.filter(ip=IP).count() == 2


def test_another_patients_token_opens_only_that_patients_diary(world: World, token: str) -> None:
    nadia = token_of(diary.create_link(world.alice, world.nadia["id"]))
    diary.patient_entry(nadia, entry(), TODAY, IP)
    assert diary.patient_view(token, IP, TODAY)["entries"] == []
    assert DiaryEntry.objects.get().patient_id == world.nadia["id"]


def test_wrong_tokens_are_throttled_per_address(world: World, token: str, settings: Any) -> None:
    settings.DIARY_GUESS_MAX, settings.DIARY_GUESS_WINDOW_SECONDS = 3, 600
    for _ in range(3):
        with pytest.raises(NotFound):
            diary.patient_view("A" * 43, IP, TODAY)
    with pytest.raises(Throttled) as throttled:
        diary.patient_view(token, IP, TODAY)  # even the right token: a 429 tells nothing
    assert 590 <= throttled.value.retry_after <= 600
    assert diary.patient_view(token, "203.0.113.9", TODAY)["entries"] == []  # another address
    DiaryGuess.objects.update(at=timezone.now() - dt.timedelta(seconds=601))
    assert diary.patient_view(token, IP, TODAY)["entries"] == []  # the window moved on


def test_a_right_token_is_not_counted_as_a_guess(world: World, token: str) -> None:
    for _ in range(30):
        diary.patient_view(token, IP, TODAY)
    assert DiaryGuess.objects.count() == 0


def test_revoking_is_audited_and_listed(world: World, token: str) -> None:
    link = DiaryLink.objects.get()
    diary.revoke_link(world.alice, link.id)
    diary.revoke_link(world.alice, link.id)  # again: changes nothing
    assert AuditEntry.objects.filter(action="revoke", record_type="diary_link").count() == 1
    listed = diary.list_links(world.alice, world.ellen["id"])
    assert [(x["id"], x["state"]) for x in listed] == [(link.id, "revoked")]


# --- entries ---------------------------------------------------------------------------------


def test_the_patient_logs_a_day_and_a_second_post_replaces_it(world: World, token: str) -> None:
    first = diary.patient_entry(token, entry(1), TODAY, IP)
    assert first["replaced"] is False and first["entry"]["source"] == "patient"
    again = diary.patient_entry(token, entry(1, cramps=5, regions=["calf", "foot"]), TODAY, IP)
    assert again["replaced"] is True and again["entry"]["id"] == first["entry"]["id"]
    got = DiaryEntry.objects.get()
    assert (got.cramps, got.regions) == (5, ["calf", "foot"])
    correction = AuditEntry.objects.get(action="correct", record_type="diary_entry")
    assert correction.detail["fields"] == ["cramps", "regions"] and correction.actor == "system"
    link_id = str(DiaryLink.objects.get().id)
    assert correction.detail == {
        "via": "diary link",
        "link_id": link_id,
        "date": day(1),
        "fields": ["cramps", "regions"],
    }


def test_the_patient_page_lists_the_last_14_days(world: World, token: str) -> None:
    for days_ago in (0, 13, 14, 30):
        diary.patient_entry(token, entry(days_ago), TODAY, IP)
    shown = diary.patient_view(token, IP, TODAY)
    assert [e["date"].isoformat() for e in shown["entries"]] == [day(0), day(13)]
    assert shown["clinic"] == "Willow"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        pytest.param({"date": day(-1)}, "date", "is in the future", id="tomorrow"),
        pytest.param({"date": day(61)}, "date", "only the last 60 days", id="61 days ago"),
        pytest.param({"date": "27/11/2026"}, "date", "valid date", id="not an ISO date"),
        pytest.param({"cramps": -1}, "cramps", "greater than or equal to 0", id="cramps -1"),
        pytest.param({"cramps": 201}, "cramps", "less than or equal to 200", id="cramps 201"),
        pytest.param({"cramps": 2.5}, "cramps", "valid integer", id="half a cramp"),
        pytest.param({"cramps": "3"}, "cramps", "valid integer", id="cramps as text"),
        pytest.param({"cramps": None}, "cramps", "valid integer", id="cramps missing"),
        pytest.param({"worst_severity": 11}, "worst_severity", "less than or equal to 10", id="11"),
        pytest.param({"sleep_disturbance": -1}, "sleep_disturbance", "greater", id="sleep -1"),
        pytest.param(
            {"typical_duration_minutes": 1441},
            "typical_duration_minutes",
            "less than or equal to 1440",
            id="longer than a day",
        ),
        pytest.param({"regions": ["elbow"]}, "regions[0]", "is not a region", id="unknown region"),
        pytest.param({"mood": "good"}, "mood", "Extra inputs", id="an unknown key"),
    ],
)
def test_a_bad_entry_names_its_field_and_changes_nothing(
    world: World, token: str, values: dict[str, Any], field: str, message: str
) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(Invalid) as refused:
        diary.patient_entry(token, entry(**values), TODAY, IP)
    assert [f for f, _ in refused.value.errors] == [field]
    assert message in refused.value.errors[0][1]
    if "60 days" not in message:  # practitioners may enter older days (a paper diary)
        with pytest.raises(Invalid):
            diary.add_entry(world.alice, world.ellen["id"], entry(**values), today=TODAY)
    assert DiaryEntry.objects.count() == 0 and AuditEntry.objects.count() == before


def test_a_practitioner_may_enter_older_days_but_not_one_taken(world: World) -> None:
    made = diary.add_entry(world.alice, world.ellen["id"], entry(200), today=TODAY)
    assert made["source"] == "practitioner" and made["link_id"] is None
    with pytest.raises(Conflict) as taken:
        diary.add_entry(world.alice, world.ellen["id"], entry(200, cramps=1), today=TODAY)
    assert taken.value.errors[0][0] == "date"
    assert DiaryEntry.objects.get().cramps == 3


def test_a_correction_is_audited_with_the_fields_changed_never_values(world: World) -> None:
    made = diary.add_entry(world.alice, world.ellen["id"], entry(2), today=TODAY)
    got = diary.correct_entry(world.alice, made["id"], {"cramps": 7, "worst_severity": 6})
    assert got["cramps"] == 7 and got["updated_by"] == "alice"
    audit = AuditEntry.objects.get(action="correct")
    assert audit.detail == {"date": day(2), "fields": ["cramps"]}
    diary.correct_entry(world.alice, made["id"], {"cramps": 7})  # nothing changes: no entry
    assert AuditEntry.objects.filter(action="correct").count() == 1
    with pytest.raises(Invalid) as refused:
        diary.correct_entry(world.alice, made["id"], {"cramps": None, "date": day(3)})
    assert [f for f, _ in refused.value.errors] == ["date"]
    with pytest.raises(Invalid) as emptied:
        diary.correct_entry(world.alice, made["id"], {"cramps": None})
    assert [f for f, _ in emptied.value.errors] == ["cramps"]
    assert DiaryEntry.objects.get().cramps == 7


def test_reading_the_entries_is_audited_with_their_ids(world: World, token: str) -> None:
    diary.patient_entry(token, entry(0), TODAY, IP)
    listed = diary.entries(world.alice, world.ellen["id"])
    audit = AuditEntry.objects.filter(action="list", record_type="diary_entry", actor="alice")
    assert audit.get().detail == {"ids": [str(listed[0]["id"])]}


@pytest.mark.parametrize(
    ("who", "error"),
    [pytest.param("fran", Forbidden, id="front desk"), pytest.param("adam", Forbidden, id="admin")]
    + [pytest.param("bert", NotFound, id="another clinic's practitioner")],
)
def test_only_the_clinics_practitioners_reach_the_diary(world: World, who: str, error: Any) -> None:
    actor = world.user(who)
    made = diary.add_entry(world.alice, world.ellen["id"], entry(1), today=TODAY)
    link = diary.create_link(world.alice, world.ellen["id"])
    calls = [
        lambda: diary.create_link(actor, world.ellen["id"]),
        lambda: diary.revoke_link(actor, link["id"]),
        lambda: diary.list_links(actor, world.ellen["id"]),
        lambda: diary.entries(actor, world.ellen["id"]),
        lambda: diary.add_entry(actor, world.ellen["id"], entry(2), today=TODAY),
        lambda: diary.correct_entry(actor, made["id"], {"cramps": 9}),
    ]
    for call in calls:
        with pytest.raises(error):
            call()
    assert DiaryEntry.objects.get().cramps == 3 and DiaryLink.objects.get().revoked_at is None


def test_the_database_refuses_impossible_values_and_a_second_entry_for_a_day(
    world: World,
) -> None:
    base = {"patient_id": world.ellen["id"], "source": "patient", "cramps": 1}
    for bad in (
        {"cramps": 201},
        {"worst_severity": 11},
        {"sleep_disturbance": -1},
        {"source": "x"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            DiaryEntry.objects.create(**{**base, "date": TODAY, **bad})
    DiaryEntry.objects.create(**base, date=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        DiaryEntry.objects.create(**base, date=TODAY)


@postgres_only
def test_parallel_posts_for_one_day_make_one_entry(committed_world: World) -> None:
    world = committed_world
    token = token_of(diary.create_link(world.alice, world.ellen["id"]))
    calls = [
        lambda n=n: diary.patient_entry(token, entry(0, cramps=n), TODAY, IP) for n in range(8)
    ]
    results = in_parallel(calls)
    assert all(isinstance(r, dict) for r in results), results
    assert sorted(r["replaced"] for r in results) == [False] + [True] * 7
    assert DiaryEntry.objects.count() == 1


@postgres_only
def test_parallel_practitioner_entries_for_one_day_make_one(committed_world: World) -> None:
    world = committed_world
    calls = [
        lambda: diary.add_entry(world.alice, world.ellen["id"], entry(1), today=TODAY)
        for _ in range(6)
    ]
    results = in_parallel(calls)
    assert sum(isinstance(r, dict) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, dict))
    assert DiaryEntry.objects.count() == 1
