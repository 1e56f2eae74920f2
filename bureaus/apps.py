"""App config for the bureau and duty catalogue."""

from django.apps import AppConfig


class BureausConfig(AppConfig):
    name = "bureaus"
    verbose_name = "局・業務内容例"
