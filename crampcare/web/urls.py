from __future__ import annotations

from django.urls import path

from crampcare.web import api, pages, workbench

urlpatterns = [
    path("", workbench.patient_list, name="home"),
    path("login", pages.login_view, name="login"),
    path("logout", pages.logout_view, name="logout"),
    path("patients/new", workbench.patient_new, name="patient-new"),
    path("patients/<uuid:patient_id>", workbench.patient_detail, name="patient"),
    path("patients/<uuid:patient_id>/edit", workbench.patient_edit, name="patient-edit"),
    path("patients/<uuid:patient_id>/intake", workbench.intake, name="intake"),
    path("assessments/<uuid:assessment_id>", workbench.assessment_detail, name="assessment"),
    path("assessments/<uuid:assessment_id>/reassess", workbench.reassess, name="reassess"),
    path("assessments/<uuid:assessment_id>/plan", workbench.plan_new, name="plan-new"),
    path("plans/<uuid:plan_id>", workbench.plan_detail, name="plan"),
    path("api/v1/", api.api.urls),
]

handler400 = "crampcare.web.errors.bad_request"
handler403 = "crampcare.web.errors.permission_denied"
handler404 = "crampcare.web.errors.not_found"
handler500 = "crampcare.web.errors.server_error"
