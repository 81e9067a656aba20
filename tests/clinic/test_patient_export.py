"""The patient record export (clinic/patient_export.py): the ZIP of Ellen's whole record holds
the files its index lists, the FHIR Bundle validates (fhir.resources R4B and the R4 schema), the
PDFs are PDFs, the JSON holds every table's rows, the CSVs hold the sessions and the diary; a
document that cannot be made is named with why. Practitioners only; audited."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest

from crampcare.cli import main
from crampcare.clinic import patient_export
from crampcare.clinic.errors import Forbidden, NotFound
from crampcare.records import patient_rows
from crampcare.records.models import AuditEntry
from tests.clinic.privacy_world import IDENTITY, full_record
from tests.fhir.validation import validate_twice
from tests.world import World, api

PDFS = {"letter-to-physician.pdf", "patient-handout.pdf", "superbill.pdf"}
ALWAYS = {
    "index.html",
    "patient-record.fhir.json",
    "patient-record.json",
    "sessions.csv",
    "diary.csv",
}


def _open(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive


@pytest.fixture
def exported(world: World) -> tuple[World, str, zipfile.ZipFile]:
    full_record(world)
    name, data = patient_export.export_zip(world.alice, world.ellen["id"], world.kb)
    return world, name, _open(data)


def test_the_zip_holds_every_file_and_the_index_lists_them(exported: Any) -> None:
    world, name, archive = exported
    assert name.startswith("patient-record-quokkaberg-") and name.endswith(".zip")
    assert set(archive.namelist()) == ALWAYS | PDFS
    index = archive.read("index.html").decode()
    for file in set(archive.namelist()) - {"index.html"}:
        assert f'href="{file}"' in index, file
    assert "Zelphira Quokkaberg" in index and "1957-08-23" in index
    assert "by alice" in index  # who exported it
    assert "could not be made" not in index


def test_the_bundle_validates_and_is_the_patients(exported: Any) -> None:
    world, _, archive = exported
    bundle = json.loads(archive.read("patient-record.fhir.json"))
    validate_twice(bundle)
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["name"][0]["family"] == IDENTITY["family_name"]
    assert sum(e["resource"]["resourceType"] == "Procedure" for e in bundle["entry"]) == 2


def test_the_pdfs_are_pdfs(exported: Any) -> None:
    _, _, archive = exported
    for name in PDFS:
        assert archive.read(name).startswith(b"%PDF-"), name


def test_the_json_holds_every_row_of_every_table(exported: Any) -> None:
    world, _, archive = exported
    record = json.loads(archive.read("patient-record.json"))
    assert record["format"] == "crampcare.patient-record/1"
    assert record["patient"]["phone"] == IDENTITY["phone"]
    for name, rows in patient_rows.rows(world.ellen["id"]):
        assert len(record["tables"][name]) == rows.count() > 0, name
    assert all("token_hash" not in link for link in record["tables"]["diary_links"])


def test_the_csvs_hold_the_sessions_and_the_diary(exported: Any) -> None:
    _, _, archive = exported
    sessions = list(csv.DictReader(io.StringIO(archive.read("sessions.csv").decode())))
    assert [s["status"] for s in sessions] == ["locked", "locked"]
    assert "BL57 left" in sessions[0]["points"] and sessions[0]["pain_before"] == "6"
    assert sessions[0]["addenda"] == "1" and sessions[1]["adverse_events"] == "1"
    diary = list(csv.DictReader(io.StringIO(archive.read("diary.csv").decode())))
    assert len(diary) == 7 and diary[0]["cramps"] == "2"
    assert diary[0]["date"] < diary[-1]["date"]  # oldest first


def test_the_export_is_audited_with_its_files(exported: Any) -> None:
    world, _, archive = exported
    entry = AuditEntry.objects.filter(record_type="patient_record").get()
    assert (entry.action, entry.actor, entry.patient_id) == (
        "export",
        "alice",
        str(world.ellen["id"]),
    )
    assert set(entry.detail["files"]) == set(archive.namelist())
    assert AuditEntry.objects.filter(record_type="fhir", action="export").exists()


def test_documents_that_cannot_be_made_are_named_with_why(world: World) -> None:
    # Ellen as the world has her: an assessment, no session yet: no superbill
    _, data = patient_export.export_zip(world.alice, world.ellen["id"], world.kb)
    archive = _open(data)
    assert "superbill.pdf" not in archive.namelist()
    assert {"letter-to-physician.pdf", "patient-handout.pdf"} <= set(archive.namelist())
    index = archive.read("index.html").decode()
    assert "could not be made" in index and "nothing to bill yet" in index
    assert len(list(csv.reader(io.StringIO(archive.read("sessions.csv").decode())))) == 1


def test_a_spreadsheet_formula_in_text_is_defused() -> None:
    assert patient_export._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert patient_export._cell("LOT-7") == "LOT-7"


@pytest.mark.parametrize(
    "who, expected",
    [("fran", Forbidden), ("adam", Forbidden), ("bert", NotFound)],
    ids=["front desk: 403", "clinic admin: 403", "another clinic's practitioner: 404"],
)
def test_who_may_export(world: World, who: str, expected: type[Exception]) -> None:
    with pytest.raises(expected):
        patient_export.export_zip(world.user(who), world.ellen["id"], world.kb)
    assert not AuditEntry.objects.filter(record_type="patient_record", action="export").exists()


def test_the_api_answers_a_zip_and_refuses_by_role(world: World) -> None:
    url = f"/api/v1/patients/{world.ellen['id']}/export.zip"
    got = api(world.alice).get(url)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    assert "attachment" in got["Content-Disposition"]
    assert "index.html" in _open(got.content).namelist()
    assert api(world.fran).get(url).status_code == 403
    assert api(world.bert).get(url).status_code == 404
    assert api(None).get(url).status_code == 401


def test_the_patient_page_offers_the_export_to_practitioners_only(world: World) -> None:
    from django.test import Client

    def page(user: Any) -> str:
        client = Client()
        client.force_login(user)
        return client.get(f"/patients/{world.ellen['id']}").content.decode()

    href = f"/patients/{world.ellen['id']}/export.zip"
    assert href in page(world.alice)
    assert href not in page(world.fran)
    client = Client()
    client.force_login(world.alice)
    got = client.get(href)
    assert got.status_code == 200 and got.content[:2] == b"PK"


def test_the_cli_writes_the_zip(world: World, tmp_path: Any, capsys: Any) -> None:
    out = tmp_path / "ellen.zip"
    assert (
        main(["export-patient", str(world.ellen["id"]), "--clinic", "Willow", "--out", str(out)])
        == 0
    )
    assert set(_open(out.read_bytes()).namelist()) >= ALWAYS
    assert str(out) in capsys.readouterr().out
    # never over an existing file; an unknown patient is exit 2, nothing written
    assert (
        main(["export-patient", str(world.ellen["id"]), "--clinic", "Willow", "--out", str(out)])
        == 2
    )
    other = tmp_path / "otto.zip"
    assert (
        main(["export-patient", str(world.otto["id"]), "--clinic", "Willow", "--out", str(other)])
        == 2
    )
    assert not other.exists() and list(tmp_path.iterdir()) == [out]
    entry = AuditEntry.objects.filter(record_type="patient_record").get()
    assert entry.actor == "system"
