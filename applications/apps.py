"""App config for pre-consultation requests and their notifications."""

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "事前相談"

    def ready(self):
        from applications.outbox import outbox_health
        from core.health import register_check

        register_check("outbox", outbox_health)
