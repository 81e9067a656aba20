"""Under parallel imports of one record the database decides (PostgreSQL): the patient's
record identity is unique per clinic, so four imports at once give one patient."""

from __future__ import annotations

from pathlib import Path

from crampcare.clinic import fhir_import
from crampcare.records.models import Patient
from tests.parallel import in_parallel, postgres_only
from tests.world import World

pytestmark = postgres_only
PACEMAKER = Path(__file__).parent / "fixtures" / "pacemaker.json"


def test_parallel_imports_of_one_record_give_one_patient(committed_world: World) -> None:
    world = committed_world
    target = fhir_import.Target(world.alice, world.alice.clinic_id, True)

    def run() -> object:
        return fhir_import.import_paths(target, [str(PACEMAKER)], world.kb)

    outcomes = in_parallel([run] * 4)
    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert len({o[0]["patient_id"] for o in outcomes}) == 1  # type: ignore[index]
    assert Patient.objects.filter(family_name="Aalto").count() == 1
