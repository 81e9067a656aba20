"""The practice view's two reads, as plain SQL that runs the same on SQLite and PostgreSQL
(``crampcare.clinic.practice`` decides what they mean).

- ``courses``: one row per patient's course (the newest plan, decision 24) with a done session:
  the plan's stored facts, its sessions' count and first and last dates grouped by plan in the
  same statement, and whether the patient keeps a diary, has an entry in the recent days or a
  booking ahead. The newest plan is found once, by an anti-join that the index
  ``plan_newest`` answers from the index alone; the sessions are grouped from the index
  ``session_plan_summary`` (plan, status, date) without reading a session row.
- ``window_counts``: the diary days logged and their cramps in each patient's baseline and
  current window, by a join of the diary to the windows given as a ``VALUES`` list (the
  ``diary_entry_day_unique`` index reads each window as one range), not a filter of ids.

Django's ORM builds both more slowly than the database runs them (a filter of 2,000 ids costs
more to build than to run; a ``GROUP BY`` of the annotated plan sorts every joined column), so
they are written out here, with every value passed as a parameter.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from crampcare.core.course import DONE_STATUSES
from crampcare.records.booking_models import Booking, BookingStatus
from crampcare.records.diary_models import DiaryEntry
from crampcare.records.models import Patient, TreatmentPlan, TreatmentSession

WINDOW_COLUMNS = 4  # parameters a window: patient, key, first and last day


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))


def courses(
    clinic_id: int, since: dt.date, today: dt.date, now: dt.datetime
) -> list[tuple[Any, ...]]:
    """(patient id, given name, family name, sessions max, presentation, protocol, intake
    episodes per week, sessions done, first session date, last session date, keeps a diary,
    diary entry from ``since`` to ``today``, booked after ``now``) for each patient's newest
    plan of the clinic with a session done. The first and last dates are of every session of
    the plan, done or not (as ``core.course`` reads them)."""
    plan, session, patient = _table(TreatmentPlan), _table(TreatmentSession), _table(Patient)
    diary, booking, date = _table(DiaryEntry), _table(Booking), _q("date")
    done = ", ".join(["%s"] * len(DONE_STATUSES))
    sql = f"""
        SELECT p.patient_id, pt.given_name, pt.family_name, p.sessions_max, p.presentation,
            p.protocol, p.intake_episodes_per_week, s.done, s.first_day, s.last_day,
            EXISTS (SELECT 1 FROM {diary} d WHERE d.patient_id = p.patient_id),
            EXISTS (SELECT 1 FROM {diary} d WHERE d.patient_id = p.patient_id
                AND d.{date} >= %s AND d.{date} <= %s),
            EXISTS (SELECT 1 FROM {booking} b WHERE b.patient_id = p.patient_id
                AND b.status = %s AND b.starts_at > %s)
        FROM {plan} p
        JOIN {patient} pt ON pt.id = p.patient_id
        JOIN (
            SELECT plan_id, COUNT(CASE WHEN status IN ({done}) THEN 1 END) AS done,
                MIN({date}) AS first_day, MAX({date}) AS last_day
            FROM {session}
            WHERE plan_id IN (
                SELECT cp.id FROM {plan} cp JOIN {patient} cpt ON cpt.id = cp.patient_id
                WHERE cpt.clinic_id = %s
            )
            GROUP BY plan_id
        ) s ON s.plan_id = p.id
        WHERE pt.clinic_id = %s AND s.done > 0
        AND NOT EXISTS (
            SELECT 1 FROM {plan} q WHERE q.patient_id = p.patient_id
            AND (q.created_at > p.created_at OR (q.created_at = p.created_at AND q.id > p.id))
        )
    """
    ops = connection.ops
    params = [
        ops.adapt_datefield_value(since),
        ops.adapt_datefield_value(today),
        BookingStatus.BOOKED.value,
        ops.adapt_datetimefield_value(now),
        *sorted(DONE_STATUSES),
        clinic_id,
        clinic_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (_uuid(r[0]), *r[1:8], _day(r[8]), _day(r[9]), bool(r[10]), bool(r[11]), bool(r[12]))
        for r in rows
    ]


def _uuid(value: Any) -> uuid.UUID:
    """A key as the database returns it (a UUID, or SQLite's 32 hex digits) as a UUID."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _day(value: Any) -> dt.date:
    """A date as the database returns it (a date, or SQLite's ISO text) as a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


Window = tuple[dt.date, dt.date]  # first and last day, both included


def window_counts(
    windows: Iterable[tuple[Any, int, Window]], *, per_query: int, patients_per_query: int
) -> dict[tuple[Any, int], tuple[int, int]]:
    """(days logged, their cramps) in each (patient, key, window) given, keyed by (patient,
    key); a window with no entry (or empty: its first day after its last) is left out. A
    statement takes at most ``per_query`` windows of at most ``patients_per_query`` patients
    (and fewer if the database takes fewer parameters)."""
    diary, date = _table(DiaryEntry), _q("date")
    patient_id = Patient._meta.pk
    assert patient_id is not None
    ops = connection.ops
    keyed: dict[Any, Any] = {}
    rows: list[list[Any]] = []
    for patient, key, (low, high) in windows:
        if low <= high:
            db_id = patient_id.get_db_prep_value(patient, connection)
            keyed[db_id] = patient
            rows.append(
                [db_id, key, ops.adapt_datefield_value(low), ops.adapt_datefield_value(high)]
            )
    out: dict[tuple[Any, int], tuple[int, int]] = {}
    size = min(per_query, _parameter_limit() // WINDOW_COLUMNS)
    for chunk in _chunks(rows, size, patients_per_query):
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        sql = f"""
            WITH w (patient, k, low, high) AS (VALUES {values})
            SELECT w.patient, w.k, COUNT(*), SUM(d.cramps) FROM w
            JOIN {diary} d ON d.patient_id = w.patient
                AND d.{date} >= w.low AND d.{date} <= w.high
            GROUP BY w.patient, w.k
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [v for row in chunk for v in row])
            for db_id, key, days, cramps in cursor.fetchall():
                out[keyed[db_id], int(key)] = (int(days), int(cramps or 0))
    return out


def _parameter_limit() -> int:
    """The parameters a statement may hold: SQLite's is read from the library (Django's
    figure of 999 is older than SQLite 3.32's 32,766); PostgreSQL's is 65,535."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return 65_535


def _chunks(rows: Sequence[list[Any]], size: int, patients: int) -> Iterable[Sequence[list[Any]]]:
    """``rows`` (a patient's together) cut into runs of at most ``size`` rows and
    ``patients`` patients."""
    start, seen = 0, set[Any]()
    for i, row in enumerate(rows):
        if i - start >= size or (row[0] not in seen and len(seen) >= patients):
            yield rows[start:i]
            start, seen = i, set[Any]()
        seen.add(row[0])
    if start < len(rows):
        yield rows[start:]
