"""The practice view end to end on a small world (both databases): which patients count, the
figures with their n, the roles (front desk refused, the admin sees no names), clinic isolation,
the audit, the CSV, and a query count that does not grow with the patients."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crampcare import services
from crampcare.clinic import demo, outcomes, practice
from crampcare.clinic.errors import Forbidden
from crampcare.core.practice import CSV_HEADER
from crampcare.records.models import AuditEntry, DiaryEntry, Patient, TreatmentSession, User
from tests.clinic.course_world import record_session
from tests.clinic.practice_world import add_diary, add_patient, add_plan, add_sessions, small_clinic
from tests.world import World


@pytest.fixture
def clinic(world: World) -> dict[str, Any]:
    return small_clinic(world)


def test_the_figures_of_a_small_clinic(world: World, clinic: dict[str, Any]) -> None:
    report = practice.practice_outcomes(world.alice)
    assert report["patients"] == 4
    overall = report["responders"]["overall"]
    assert (overall["patients"], overall["n"], overall["not_evaluable"]) == (4, 2, 2)
    assert overall["responder_25"]["count"] == 1 and overall["responder_25"]["percent"] == 50.0
    assert overall["responder_50"]["count"] == 1
    assert overall["small"] and "n is small" in overall["responder_25"]["note"]

    by_presentation = {r["group"]: r for r in report["responders"]["by_presentation"]}
    assert set(by_presentation) == {"nocturnal_leg_cramps", "cramp_spasm_unspecified"}
    assert by_presentation["nocturnal_leg_cramps"]["patients"] == 3
    assert by_presentation["cramp_spasm_unspecified"]["n"] == 0

    by_protocol = {r["group"]: r for r in report["responders"]["by_protocol"]}
    assert "BL40+BL57+GB34+LR3" in by_protocol  # Ellen and Kay: the same points, sorted
    assert by_protocol["BL40+BL57+GB34+LR3"]["patients"] == 2
    assert by_protocol["BL40+GB34+LR3"]["responder_25"]["count"] == 0  # Iris, BL57 removed

    every, complete = report["sessions_per_course"]
    assert (every["n"], every["median"], every["min"], every["max"]) == (4, 4.5, 2, 12)
    assert (complete["n"], complete["median"]) == (1, 12.0)

    events = report["adverse_events"]
    assert (events["sessions"], events["events"], events["serious"]) == (23, 2, 1)
    assert (events["per_100_sessions"], events["serious_per_100_sessions"]) == (8.7, 4.3)

    adherence = report["diary_adherence"]  # Ellen, Iris and Kay are in an active course
    assert (adherence["n"], adherence["count"], adherence["percent"]) == (3, 2, 66.7)
    assert [p["patient_id"] for p in report["without_recent_diary"]] == [clinic["kay"]]


def test_a_newer_plan_without_sessions_takes_the_patient_out(
    world: World, clinic: dict[str, Any]
) -> None:
    """The course is the newest plan (decision 24): a new plan starts again from nothing."""
    add_plan(world, world.alice, world.assessment)
    report = practice.practice_outcomes(world.alice)
    assert report["patients"] == 3
    assert report["adverse_events"]["sessions"] == 23  # the sessions still happened


def test_an_open_session_is_not_a_done_session(world: World, clinic: dict[str, Any]) -> None:
    record_session(world, clinic["ellen_plan"], 0, status="open")
    every = practice.practice_outcomes(world.alice)["sessions_per_course"][0]
    assert every["max"] == 12 and every["median"] == 4.5


def test_the_admin_sees_the_figures_but_no_names(world: World, clinic: dict[str, Any]) -> None:
    report = practice.practice_outcomes(world.adam)
    assert report["names_shown"] is False and report["without_recent_diary"] is None
    assert report["diary_adherence"]["count"] == 2
    text = repr(report)
    assert "Kay" not in text and str(clinic["kay"]) not in text


def test_the_front_desk_is_refused_and_the_refusal_audited(world: World) -> None:
    with pytest.raises(Forbidden):
        practice.practice_outcomes(world.fran)
    with pytest.raises(Forbidden):
        practice.practice_csv(world.fran)
    assert AuditEntry.objects.filter(actor="fran", action="denied").count() == 2


def test_another_clinic_counts_only_its_own(world: World, clinic: dict[str, Any]) -> None:
    report = practice.practice_outcomes(world.bert)
    assert report["patients"] == 1
    assert report["adverse_events"]["sessions"] == 2
    assert report["diary_adherence"]["count"] == 1
    otto = report["responders"]["overall"]  # his baseline from the intake: 2 a week, now 21
    assert (otto["n"], otto["responder_25"]["count"]) == (1, 0)
    assert report["without_recent_diary"] == []


def test_each_read_and_export_is_audited_with_the_patients_named(
    world: World, clinic: dict[str, Any]
) -> None:
    practice.practice_outcomes(world.alice)
    practice.practice_csv(world.alice)
    read, export = AuditEntry.objects.filter(record_type="practice_outcomes").order_by("seq")
    assert (read.action, read.actor) == ("read", "alice")
    assert read.detail == {"patients": 4, "named": [str(clinic["kay"])]}
    assert export.action == "export" and export.detail["named"] == []


def test_the_csv_has_its_header_and_one_row_per_figure(
    world: World, clinic: dict[str, Any]
) -> None:
    rows = list(csv.reader(io.StringIO(practice.practice_csv(world.alice))))
    assert tuple(rows[0]) == CSV_HEADER
    body = [dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]]
    adherence = next(r for r in body if r["section"] == "diary adherence")
    assert (adherence["n"], adherence["count"], adherence["value"]) == ("3", "2", "66.7")
    assert adherence["small_n"] == "yes"
    serious = next(r for r in body if r["section"] == "adverse events" and r["group"] == "serious")
    assert (serious["n"], serious["count"], serious["value"]) == ("23", "1", "4.3")
    assert "Kay" not in "".join(",".join(r) for r in rows)


def test_an_empty_clinic_says_there_is_nothing_to_count(world: World) -> None:
    report = practice.practice_outcomes(world.alice)
    assert report["patients"] == 0
    assert report["sessions_per_course"][0]["median"] is None
    assert report["adverse_events"]["per_100_sessions"] is None
    assert report["diary_adherence"]["percent"] is None


def test_the_queries_do_not_grow_with_the_patients(world: World, clinic: dict[str, Any]) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            practice.practice_outcomes(world.alice)
        return len(captured)

    before = queries()
    for n in range(5):
        a = add_patient(world, world.alice, f"More{n}")
        add_sessions(world, add_plan(world, world.alice, a), [20, 13, 6])
        add_diary(a["patient_id"], range(0, 40), 1)
    assert queries() == before


def test_the_demo_clinic_has_diaries_and_practice_figures(db: Any) -> None:
    """The finished course has a diary before and during treatment showing improvement (a 50 %
    responder), the course in progress a short diary against its intake baseline; built on
    either database."""
    demo.build(services.knowledge_base())
    mei = User.objects.get(username="demo-practitioner")
    olivia = Patient.objects.get(family_name="Hartmann")
    result = outcomes.outcomes(mei, olivia.id)
    assert result["baseline"]["source"] == "diary" and result["baseline"]["days"] == 21
    assert result["responder_50"] is True
    assert result["pain"]["clinically_important"] is True
    first = TreatmentSession.objects.filter(patient=olivia).order_by("date")[0]
    assert DiaryEntry.objects.filter(patient=olivia, date__lt=first.date).count() >= 14
    peter = outcomes.outcomes(mei, Patient.objects.get(family_name="Nakamura").id)
    assert peter["baseline"]["source"] == "intake"
    assert (peter["responder_25"], peter["responder_50"]) == (True, False)

    report = practice.practice_outcomes(User.objects.get(username="demo-admin"))
    overall = report["responders"]["overall"]
    assert (report["patients"], overall["n"], overall["responder_25"]["count"]) == (4, 2, 2)
    assert report["sessions_per_course"][1]["n"] == 1  # Olivia's course is complete
    assert report["adverse_events"]["serious"] == 1  # Rosa's fainting
    adherence = report["diary_adherence"]  # Peter, Rosa and Samuel are in an active course
    assert (adherence["n"], adherence["count"]) == (3, 1)


def test_diary_windows_read_in_many_small_queries_give_the_same_figures(
    world: World, clinic: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = practice.practice_outcomes(world.alice)["responders"]
    monkeypatch.setattr(practice, "WINDOWS", 1)
    monkeypatch.setattr(practice, "PATIENTS", 1)
    with CaptureQueriesContext(connection) as split:
        assert practice.practice_outcomes(world.alice)["responders"] == whole
    diary_reads = [q for q in split.captured_queries if "records_diaryentry" in q["sql"]]
    assert len(diary_reads) >= 4  # two windows each for Ellen and Iris, one query each
