"""Helpers the production-hardening tests share: the HTTPS headers, Redis and database outages."""

import contextlib
import io
import logging
import os
import re
import uuid

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import override_settings

from applications.forms import ConsultationForm
from applications.intake import submit_inquiry
from applications.models import NotificationState
from core.cache import ResilientRedisCache
from tests.applications.helpers import form_data
from tests.conftest import free_port

HSTS = "max-age=31536000; includeSubDomains; preload"
UNAVAILABLE_JA = "ただいまご利用いただけません"
UNAVAILABLE_EN = "Temporarily unavailable"
# A database of its own, flushed by these tests; .ci/run points it at a throwaway
# server when none runs on the usual port.
REDIS_LOCATION = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/7")
HYDROGEN = "/bureaus/environment/hydrogen-society/"


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response, path):
    assert response["Strict-Transport-Security"] == HSTS, path
    policy = response["Content-Security-Policy"]
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"], path
    assert directives["frame-ancestors"] == ["'none'"], path
    assert "unsafe-inline" not in policy, path
    assert "unsafe-eval" not in policy, path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["X-Frame-Options"] == "DENY", path
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"]), path


@contextlib.contextmanager
def redis_cache(location):
    """Point CACHES at ResilientRedisCache for the block.

    override_settings sends setting_changed, on which Django closes the caches and
    forgets every cache connection; ``django.core.cache.cache`` is a proxy to
    ``caches["default"]``, so the views, /health/ and the submission limit all follow.
    Leaving the block does the same with the test settings.
    """
    config = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "kouryu-test",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    config["pages"] = config["default"]
    with override_settings(CACHES=config):
        assert isinstance(caches["default"], ResilientRedisCache)
        assert cache._cache._servers == [location]
        yield caches["default"]
    assert isinstance(caches["default"], LocMemCache)


def redis_answers():
    import redis

    try:
        return redis.Redis.from_url(REDIS_LOCATION, socket_connect_timeout=0.25).ping()
    except redis.RedisError:
        return False


def submit_consultation(client, capture):
    response = client.post("/consultation/", form_data(client))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == "/consultation/confirm/"
    token = client.get("/consultation/confirm/").context["draft_digest"]
    with capture(execute=True):
        response = client.post("/consultation/confirm/", {"draft": token})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == "/consultation/done/"
    return response


@contextlib.contextmanager
def database_down(tmp_path):
    """Make the default database unreachable for the block, then bring it back.

    SQLite: the test database lives in memory and dies when its connection closes,
    so the connection is set aside (not closed) and NAME points under a directory
    that does not exist. PostgreSQL: the connection is closed and PORT points at a
    port nothing listens on. Either way the next query must open a connection, and
    fails with OperationalError.
    """
    saved = dict(connection.settings_dict)
    kept = None
    if connection.vendor == "sqlite":
        kept = connection.connection
        connection.connection = None
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    else:
        connection.close()
        connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            if connection.connection not in (None, kept):
                connection.connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            connection.connection = kept
        else:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            connection.close()


@contextlib.contextmanager
def database_behind(proxy):
    """Send the default connection (PostgreSQL) through ``proxy`` for the block."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["HOST"] = proxy.host
    connection.settings_dict["PORT"] = str(proxy.port)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def staff_session_cookie(django_user_model):
    """The session cookie of a signed-in staff member (no TOTP given yet)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = django_user_model.objects.create_user(
        "tanaka", "tanaka@kouryu.metro.tokyo.example", "pw-not-used-12", is_staff=True
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def assert_friendly_503(response, path):
    assert response.status_code == 503, path
    html = response.content.decode()
    assert UNAVAILABLE_JA in html, path
    assert UNAVAILABLE_EN in html, path
    assert response["Retry-After"] == "30", path
    assert response["Cache-Control"] == "no-store", path
    assert "ETag" not in response, path


@contextlib.contextmanager
def log_lines():
    """The lines the configured console handler (JSON, with request ids) writes."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    lines = []
    try:
        yield lines
    finally:
        handler.setStream(previous)
        lines.extend(stream.getvalue().splitlines())


def queue_a_consultation():
    """A submitted request whose mails are waiting in the outbox (none was delivered)."""
    form = ConsultationForm(form_data())
    assert form.is_valid(), form.errors
    submission = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=form.inquiry_answers(),
        bureaus=form.cleaned_data["bureaus"],
        duties=form.cleaned_data["duties"].select_related("bureau"),
    )
    assert submission.inquiry.notifications.filter(state=NotificationState.PENDING).count() == 3
    return submission.inquiry
