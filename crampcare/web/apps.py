from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "crampcare.web"
    label = "web"
    verbose_name = "crampcare web"
