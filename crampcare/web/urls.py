from __future__ import annotations

from django.urls import path

from crampcare.web import api, pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("login", pages.login_view, name="login"),
    path("logout", pages.logout_view, name="logout"),
    path("api/v1/", api.api.urls),
]

handler400 = "crampcare.web.errors.bad_request"
handler403 = "crampcare.web.errors.permission_denied"
handler404 = "crampcare.web.errors.not_found"
handler500 = "crampcare.web.errors.server_error"
