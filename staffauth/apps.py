"""App configs of staff sign-in, and Japanese names for the sign-in apps it builds on.

django-axes and django-otp name their apps (and django-otp its device model) in
English that no catalogue translates; admin lists them by these names. INSTALLED_APPS
names the configs below for them.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class StaffAuthConfig(AppConfig):
    name = "staffauth"
    verbose_name = "職員のログイン"
    default = True


class AxesConfig(AxesAppConfig):
    """django-axes (the login lockout), named in Japanese."""

    default = False
    verbose_name = "ログインの試行とロックアウト"

    def ready(self):
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        # Admin names a record by its str() (titles, breadcrumbs, the checkbox of
        # each row); django-axes writes it in English, untranslatably.
        AccessAttempt.__str__ = lambda attempt: f"{attempt.username} のログインの試行"
        AccessLog.__str__ = lambda log: (
            f"{log.username} のログイン（{log.attempt_time:%Y-%m-%d %H:%M}）"
        )
        AccessFailureLog.__str__ = lambda failure: (
            f"{failure.username} のログイン失敗（{failure.attempt_time:%Y-%m-%d %H:%M}）"
        )


class OTPConfig(AppConfig):
    """django-otp's base app (no admin pages of its own), named in Japanese."""

    name = "django_otp"
    default = False
    verbose_name = "2 段階認証の基盤"


class TOTPConfig(TOTPAppConfig):
    """django-otp's TOTP devices (authenticator apps), named in Japanese."""

    default = False
    verbose_name = "2 段階認証（TOTP）"

    def ready(self):
        super().ready()
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # Only the names admin shows: migrations read Meta's original attributes,
        # which stay django-otp's, so no migration of its app follows.
        TOTPDevice._meta.verbose_name = "認証アプリの登録（TOTP）"
        TOTPDevice._meta.verbose_name_plural = "認証アプリの登録（TOTP）"
