from __future__ import annotations

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "crampcare.records"
    label = "records"
    verbose_name = "crampcare records"
