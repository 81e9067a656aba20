"""The demo clinic's courses: a finished course, one in progress with its next sessions booked,
a serious adverse event (banner and practice count), an addendum; built on either database."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar

from crampcare import services
from crampcare.clinic import course, demo, outcomes, timeline
from crampcare.records.models import (
    Patient,
    ReviewDecision,
    SessionAddendum,
    TreatmentSession,
    User,
)


def test_the_demo_has_patients_with_courses(db: Any) -> None:
    demo.build(services.knowledge_base())
    mei = User.objects.get(username="demo-practitioner")
    desk = User.objects.get(username="demo-frontdesk")

    def pid(family: str) -> Any:
        return Patient.objects.get(family_name=family).id

    finished = course.course(mei, pid("Hartmann"))["course"]
    assert finished["done"] == finished["sessions"]["max"] == 12
    assert finished["complete"] and finished["next"] is None
    assert set(
        TreatmentSession.objects.filter(patient_id=pid("Hartmann")).values_list("status", flat=True)
    ) == {"locked"}

    # the finished course's reviews were decided as they came due; Peter's first is due now
    decided = ReviewDecision.objects.filter(patient_id=pid("Hartmann"))
    assert sorted(decided.values_list("key", "decision")) == [
        ("session:4", "continue"),
        ("session:8", "continue"),
    ]
    assert outcomes.review(mei, pid("Hartmann"))["due"] is False
    due = outcomes.review(mei, pid("Nakamura"))
    assert (due["due"], due["key"]) == (True, "session:4")

    going = course.course(desk, pid("Nakamura"))
    assert (going["course"]["done"], going["course"]["booked"]) == (3, 2)
    assert going["course"]["next"] == {"number": 4, "review": True}
    assert [b["session_number"] for b in going["bookings"]] == [4, 5]
    events = Calendar.from_ical(course.calendar(desk, pid("Nakamura"))).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "Acupuncture session 4 of 12",
        "Acupuncture session 5 of 12",
    ]

    banner = timeline.serious_events(mei, pid("Delgado"))
    assert banner["count"] == 1 and banner["events"][0]["kind"] == "fainting"
    assert timeline.serious_events(mei, pid("Nakamura"))["count"] == 0
    assert timeline.practice_counts(mei)["by_kind"] == [{"kind": "fainting", "count": 1}]

    addenda = SessionAddendum.objects.filter(session__patient_id=pid("Okoye"))
    assert [a.reason for a in addenda] == ["needle lot mistyped"]
    kinds = {i["kind"] for i in timeline.timeline(mei, pid("Okoye"))}
    assert {"session", "addendum", "plan", "assessment", "intake"} <= kinds

    # every demo session went through close and signature: its needles reconciled, lot given
    for s in TreatmentSession.objects.all():
        assert s.status == "locked" and s.signed_by_id == mei.id
        assert s.needles_inserted == s.needles_removed > 0 and s.needle_lot
    assert timeline.treatment_rooms(mei) == []
