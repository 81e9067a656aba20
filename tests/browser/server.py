"""The workbench as the browser tests see it: ``python -m tests.browser.server``.

A fresh SQLite database in ``CRAMPCARE_DATA_DIR`` (the caller passes a temporary directory),
migrated and filled with the named test world (tests/world.py: Alice the practitioner, Fran at
the front desk, ...), served by waitress on 127.0.0.1 and a free port. The first line printed
is ``READY http://127.0.0.1:PORT``.

``python -m tests.browser.server --demo`` serves the demo clinic instead, built as
``crampcare demo`` builds it (``crampcare.clinic.demo.build``); its users' random passwords are
replaced by the test world's ``PASSWORD`` so that the tests can sign in.
"""

from __future__ import annotations

import os
import sys
from typing import Any

# patients whose assessments carry a caution or a red flag (tests/browser/test_danger_first.py)
DANGER_PERSONAS = {
    ("Ada", "Warrick"): {"history": {"medications": ["warfarin 5 mg"]}},
    ("Percy", "Pacer"): {"history": {"devices": ["pacemaker"]}},
    ("Dora", "Vance"): {"findings": ["unilateral_calf_swelling"]},
}


def add_danger_personas(world: Any) -> None:
    from crampcare.clinic import assessments, patients
    from tests.factories import make_intake
    from tests.world import person

    for (given, family), sections in DANGER_PERSONAS.items():
        made = patients.create_patient(world.alice, person(given, family))
        history = {**make_intake()["history"], **sections.get("history", {})}
        intake = make_intake(**{**sections, "history": history})
        assessments.create_assessment(
            world.alice, {"patient_id": made["id"], "intake": intake}, world.kb
        )


def build_demo() -> None:
    from crampcare import services
    from crampcare.clinic import demo
    from crampcare.records.models import User
    from tests.world import PASSWORD

    demo.build(services.knowledge_base())
    for user in User.objects.filter(username__in=[u["username"] for u in demo.USERS]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def main() -> int:
    if "CRAMPCARE_DATA_DIR" not in os.environ or os.environ.get("DATABASE_URL"):
        print(
            "set CRAMPCARE_DATA_DIR to a temporary directory (and no DATABASE_URL)", file=sys.stderr
        )
        return 2
    from crampcare.web import boot

    boot.setup()
    from django.core.management import call_command
    from django.test import override_settings

    from tests.conftest import FAST_HASHERS

    # hashing is not under test in the browser: the world's users and every sign-in hash fast
    override_settings(PASSWORD_HASHERS=FAST_HASHERS).enable()

    call_command("migrate", interactive=False, verbosity=0)
    if "--demo" in sys.argv[1:]:
        build_demo()
    else:
        from tests.world import build_world

        add_danger_personas(build_world())
    import waitress

    from crampcare.web.wsgi import application

    server = waitress.create_server(
        application, host="127.0.0.1", port=0, threads=4, ident="crampcare-test"
    )
    print(f"READY http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
