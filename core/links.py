"""Absolute addresses of the site, for mails that leave it (SITE_URL)."""

from django.conf import settings
from django.urls import reverse


def absolute_url(path):
    """``path`` on the site as staff and applicants reach it (SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


def admin_change_url(instance):
    """The absolute address of ``instance``'s change page in admin."""
    meta = instance._meta
    return absolute_url(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
    )
