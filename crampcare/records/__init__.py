"""Persistence: Django models and migrations for clinics, users, patients, intakes,
assessments and plans; the hash-chained audit log. No clinical rules live here."""
