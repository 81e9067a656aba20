from __future__ import annotations

from django.urls import path

from crampcare.web import (
    account_pages,
    admin_pages,
    api,
    diary_pages,
    document_pages,
    fhir_pages,
    pages,
    patient_pages,
    practice_pages,
    privacy_pages,
    rooms_pages,
    session_pages,
    workbench,
)
from crampcare.web.review_pages import decide as review_decide

urlpatterns = [
    path("", workbench.patient_list, name="home"),
    path("login", pages.login_view, name="login"),
    path("logout", pages.logout_view, name="logout"),
    path("invitation/<str:token>", pages.invitation_view, name="invitation"),
    path("patients/new", workbench.patient_new, name="patient-new"),
    path("patients/import-fhir", fhir_pages.import_fhir, name="fhir-import"),
    path("patients/<uuid:patient_id>", patient_pages.patient_detail, name="patient"),
    path("patients/<uuid:patient_id>/bookings", patient_pages.book, name="bookings"),
    path(
        "patients/<uuid:patient_id>/documents/<str:kind>.pdf",
        document_pages.document_download,
        name="patient-document",
    ),
    path("patients/<uuid:patient_id>/review", review_decide, name="review"),
    path("patients/<uuid:patient_id>/edit", workbench.patient_edit, name="patient-edit"),
    path("patients/<uuid:patient_id>/intake", workbench.intake, name="intake"),
    path("assessments/<uuid:assessment_id>", workbench.assessment_detail, name="assessment"),
    path("assessments/<uuid:assessment_id>/reassess", workbench.reassess, name="reassess"),
    path("assessments/<uuid:assessment_id>/plan", workbench.plan_new, name="plan-new"),
    path("plans/<uuid:plan_id>", workbench.plan_detail, name="plan"),
    path("sessions/start", session_pages.session_start, name="session-start"),
    path("sessions/<uuid:session_id>", session_pages.session_detail, name="session"),
    path("sessions/<uuid:session_id>/needles", session_pages.session_needles),
    path("sessions/<uuid:session_id>/lot", session_pages.session_lot),
    path("sessions/<uuid:session_id>/retention", session_pages.session_retention),
    path("sessions/<uuid:session_id>/contact", session_pages.session_contact),
    path("sessions/<uuid:session_id>/adverse-events", session_pages.session_adverse_event),
    path("sessions/<uuid:session_id>/close", session_pages.session_close),
    path("sessions/<uuid:session_id>/sign", session_pages.session_sign),
    path("sessions/<uuid:session_id>/addenda", session_pages.session_addendum),
    path("rooms", rooms_pages.rooms, name="rooms"),
    path("practice", practice_pages.practice_view, name="practice"),
    path("practice.csv", practice_pages.practice_csv, name="practice-csv"),
    path("patients/<uuid:patient_id>/diary", diary_pages.patient_diary_action, name="diary-panel"),
    path("diary/<str:token>", diary_pages.patient_diary, name="diary"),
    path("admin/users", admin_pages.users, name="admin-users"),
    path("admin/users/<int:user_id>/deactivate", admin_pages.deactivate),
    path("admin/users/<int:user_id>/reactivate", admin_pages.reactivate),
    path("admin/users/<int:user_id>/role", admin_pages.change_role),
    path("admin/users/<int:user_id>/reset-password", admin_pages.reset_password),
    path("admin/users/<int:user_id>/sign-out-everywhere", admin_pages.sign_out_everywhere),
    path("admin/audit", admin_pages.audit_view, name="admin-audit"),
    path("admin/retention", privacy_pages.retention_view, name="admin-retention"),
    path("patients/<uuid:patient_id>/export.zip", privacy_pages.export_download),
    path("patients/<uuid:patient_id>/erase", privacy_pages.erase_view, name="patient-erase"),
    path("patients/<uuid:patient_id>/access-log", admin_pages.access_log, name="access-log"),
    path("patients/<uuid:patient_id>/access-log/print", admin_pages.access_log_print),
    path("account", account_pages.account, name="account"),
    path("account/password", account_pages.change_password),
    path("account/sign-out-everywhere", account_pages.sign_out_everywhere),
    path("account/tokens/<int:token_id>/revoke", account_pages.revoke_token),
    path("api/v1/", api.api.urls),
]

handler400 = "crampcare.web.errors.bad_request"
handler403 = "crampcare.web.errors.permission_denied"
handler404 = "crampcare.web.errors.not_found"
handler500 = "crampcare.web.errors.server_error"
