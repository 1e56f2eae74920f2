"""App config for the programme pages."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "制度紹介ページ"
