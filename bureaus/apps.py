"""App config for the bureau and duty catalogue."""

from django.apps import AppConfig


class BureausConfig(AppConfig):
    name = "bureaus"
    verbose_name = "局・業務内容例"

    def ready(self):
        from bureaus.models import Bureau, Duty, Theme
        from core.revision import register_public_models

        register_public_models(Theme, Bureau, Duty, Duty.themes.through)
