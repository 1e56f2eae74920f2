"""App config for the programme pages."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "制度紹介ページ"

    def ready(self):
        from core.revision import register_public_models
        from portal import models

        register_public_models(
            models.PageText,
            models.OverviewPoint,
            models.TrainingOpportunity,
            models.Benefit,
            models.Testimonial,
            models.Restriction,
            models.FaqEntry,
        )
