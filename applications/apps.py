"""App config for pre-consultation requests and their notifications."""

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "事前相談"
