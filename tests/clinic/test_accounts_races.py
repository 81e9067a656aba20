"""The account and assessment rules under parallel requests (PostgreSQL): each is a database
constraint or an atomic counter, so no interleaving of requests gets past it."""

from __future__ import annotations

from django.test import override_settings

from crampcare.clinic import accounts, assessments
from crampcare.clinic.errors import Conflict, Invalid, Throttled, Unauthenticated
from crampcare.records.models import Assessment, LoginFailure, User
from tests.factories import make_intake
from tests.parallel import in_parallel, postgres_only
from tests.world import World

pytestmark = postgres_only


def test_eight_parallel_assessments_of_one_intake_make_one_current(
    committed_world: World,
) -> None:
    world = committed_world
    intake = assessments.create_intake(
        world.alice, world.ellen["id"], {"document": make_intake()}, world.kb
    )

    def assess() -> object:
        return assessments.create_assessment(world.alice, {"intake_id": intake["id"]}, world.kb)

    outcomes = in_parallel([assess] * 8)
    made = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(made), len(refused)) == (1, 7), outcomes
    assert all(c.errors[0][0] == "intake_id" for c in refused)
    assert Assessment.objects.filter(intake_id=intake["id"], current=True).count() == 1


def test_parallel_reassessments_supersede_the_current_one_once(committed_world: World) -> None:
    world = committed_world
    Assessment.objects.filter(pk=world.assessment["id"]).update(kb_version="an older kb")

    def reassess() -> object:
        return assessments.reassess(world.alice, world.assessment["id"], world.kb)

    outcomes = in_parallel([reassess] * 6)
    made = [o for o in outcomes if isinstance(o, tuple) and o[1]]
    assert len(made) == 1 and all(isinstance(o, tuple | Conflict) for o in outcomes), outcomes
    intake_id = world.assessment["intake_id"]
    assert Assessment.objects.filter(intake_id=intake_id, current=True).count() == 1


def test_one_of_morgan_and_its_capitals_is_created(committed_world: World) -> None:
    world = committed_world
    names = ["morgan", "MORGAN", "Morgan", "mOrgan", "moRgan", "morGan", "morgAn", "morgaN"]

    def create(name: str) -> object:
        return accounts.create_user(world.adam, {"username": name, "role": "front_desk"})

    outcomes = in_parallel([lambda n=n: create(n) for n in names])
    refused = [o for o in outcomes if isinstance(o, Invalid)]
    assert sum(isinstance(o, dict) for o in outcomes) == 1 and len(refused) == 7, outcomes
    assert all(r.errors == [("username", accounts.NOT_AVAILABLE)] for r in refused)
    assert User.objects.filter(username__iexact="morgan").count() == 1


@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_DELAY_MAX_SECONDS=600)
def test_twelve_parallel_wrong_passwords_get_five_guesses(committed_world: World) -> None:
    def guess(i: int) -> object:
        return accounts.sign_in({"username": "alice", "password": f"guess {i}"}, f"10.1.0.{i}")

    outcomes = in_parallel([lambda i=i: guess(i) for i in range(12)])
    wrong = [o for o in outcomes if isinstance(o, Unauthenticated)]
    waiting = [o for o in outcomes if isinstance(o, Throttled)]
    assert (len(wrong), len(waiting)) == (5, 7), outcomes
    assert LoginFailure.objects.filter(username="alice").count() == 5
