"""Record use cases: clinics, users, patients, intakes, assessments, treatment plans.

The web pages, the JSON API and the CLI all call these functions; they hold no SQL of their own
and no clinical rules (those are in ``crampcare.core``, reached through ``crampcare.services``).
Each function takes the acting user first, checks what that user may do, writes an audit entry
for every read and write of patient data, and returns plain JSON-ready data or raises one of
the errors in ``crampcare.clinic.errors``. Writes are atomic: a failure changes nothing.
"""
