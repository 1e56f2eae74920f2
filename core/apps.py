"""App config of the base layer every other app stands on."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default = True
    verbose_name = "サイト共通"

    def ready(self):
        from core import health
        from core.models import InquiryWindow
        from core.revision import register_public_models

        register_public_models(InquiryWindow)
        health.register_check("database", health.check_database)
        health.register_check("cache", health.check_cache)


class SimpleHistoryConfig(AppConfig):
    """django-simple-history (the change history of content and requests), named in
    Japanese; core.history names its history models."""

    name = "simple_history"
    default = False
    verbose_name = "変更履歴"
