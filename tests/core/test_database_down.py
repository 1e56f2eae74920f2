"""The database down, hanging or dropping connections: a friendly 503 fast, on every
path, recovery without restart. The same with real processes: test_faults.py."""

import contextlib
import time

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, ProgrammingError, connection, transaction
from django.test import Client, RequestFactory

from core.database import breaker, means_unavailable, server_key
from staffauth.middleware import IdleSessionMiddleware
from tests.conftest import all_public_paths
from tests.core.support import (
    HYDROGEN,
    assert_friendly_503,
    assert_security_headers,
    database_behind,
    database_down,
    staff_session_cookie,
)

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_database_down_pages_get_a_friendly_503_quickly_and_service_resumes(
    client, tmp_path
):
    paths = all_public_paths()
    assert client.get("/").status_code == 200
    cache.clear()  # Nothing served from the page cache: every page needs the database.
    with database_down(tmp_path):
        for path in paths:
            started = time.monotonic()
            response = client.get(path)
            assert time.monotonic() - started < 3, path
            assert_friendly_503(response, path)
        health = client.get("/health/")
        assert health.status_code == 503
        report = health.json()
        # On PostgreSQL, the breaker refuses the connect without trying (core.database).
        assert report["database"]["ok"] is False
        assert report["database"]["error"] in {"OperationalError", "DatabaseUnreachable"}
        assert report["status"] == "unhealthy"
    # The database is back: no restart, the next request is served.
    assert client.get("/").status_code == 200
    assert client.get(HYDROGEN).status_code == 200
    assert client.get("/health/").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_503_page_carries_the_security_headers(client, production, tmp_path):
    with database_down(tmp_path):
        response = client.get("/", secure=True)
    assert_friendly_503(response, "/")
    assert_security_headers(response, "/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_server_that_hangs_costs_a_page_under_3_seconds(client, hanging_server):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server that could hang")
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = str(hanging_server)
    try:
        started = time.monotonic()
        response = client.get("/")
        elapsed = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert_friendly_503(response, "/")
    assert elapsed < 3
    assert client.get("/").status_code == 200


def wsgi_get(handler, path):
    """A request the way a WSGI server makes it: request_started and request_finished
    fire with Django's connection housekeeping (the test client skips it)."""
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    statuses = []
    response = handler(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()
    return int(statuses[0].split()[0])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_the_database_dropped_is_replaced_at_the_next_request():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite connections are never dropped by a server")
    import psycopg2

    handler = WSGIHandler()
    assert wsgi_get(handler, "/") == 200
    pid = connection.connection.get_backend_pid()
    params = connection.settings_dict
    with contextlib.closing(
        psycopg2.connect(
            dbname=params["NAME"],
            user=params["USER"],
            password=params["PASSWORD"],
            host=params["HOST"],
            port=params["PORT"],
        )
    ) as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    cache.clear()  # The page and the revision must come from the database.
    # The health check (CONN_HEALTH_CHECKS) finds the dead connection and replaces it.
    assert wsgi_get(handler, "/") == 200
    assert connection.connection.get_backend_pid() != pid
    assert wsgi_get(handler, "/health/") == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "path", ["/", "/shortlist/", "/en/shortlist/print/", "/admin/", "/admin/applications/inquiry/"]
)
def test_a_request_with_a_session_cookie_gets_the_friendly_503_too(
    production, django_user_model, tmp_path, path
):
    """The session is read in middleware (the staff checks in front of admin, the idle
    expiry), outside DatabaseUnavailableMiddleware: handler500 answers there."""
    production.STAFF_OTP_REQUIRED = True
    cookie = staff_session_cookie(django_user_model)
    # The test client re-raises what a middleware raised; a server answers with
    # whatever handler500 returns, and so does this client.
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = cookie
    assert client.get("/admin/", secure=True).status_code == 302  # To the TOTP step.
    with database_down(tmp_path):
        response = client.get(path, secure=True)
    assert_friendly_503(response, path)
    assert_security_headers(response, path)


def test_any_other_error_raised_in_a_middleware_still_gets_the_500_page(monkeypatch):
    def broken(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(IdleSessionMiddleware, "__call__", broken)
    response = Client(raise_request_exception=False).get("/privacy/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_a_failed_connect_pages_get_the_503_at_once_and_recover_within_the_window(
    client, settings, database_proxy
):
    settings.DATABASE_RETRY_SECONDS = 2
    with database_behind(database_proxy):
        assert client.get(HYDROGEN).status_code == 200
        cache.clear()
        database_proxy.black_hole()
        # The test client skips Django's per-request connection checks; a server's
        # worker finds the dropped connection and opens a new one (test_faults.py).
        connection.close()
        started = time.monotonic()
        first = client.get("/")
        first_seconds = time.monotonic() - started
        assert_friendly_503(first, "/")
        assert 1.5 < first_seconds < 3  # The 2 s connect timeout, once.
        attempts = database_proxy.accepted
        # Within the window no request tries to connect: each gets the 503 without
        # the connect timeout (their speed under load is measured in test_faults.py).
        while time.monotonic() - started < first_seconds + 1.5:
            begun = time.monotonic()
            response = client.get(HYDROGEN)
            assert time.monotonic() - begun < 1
            assert_friendly_503(response, HYDROGEN)
        assert database_proxy.accepted == attempts
        database_proxy.relay()
        returned = time.monotonic()
        # The first request after the window starts one attempt in the background
        # (and gets the 503 at once); the attempt closes the breaker.
        while client.get(HYDROGEN).status_code != 200:
            assert time.monotonic() - returned < settings.DATABASE_RETRY_SECONDS + 0.5
            time.sleep(0.02)
    assert time.monotonic() - returned < settings.DATABASE_RETRY_SECONDS + 0.5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_query_that_fails_opens_no_breaker_and_a_cancelled_one_is_a_500():
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout and the breaker are PostgreSQL's")
    server = server_key(connection.get_connection_params())
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    with pytest.raises(OperationalError) as cancelled:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(1)")
    assert not breaker.is_open(server)
    # A runaway query is a fault to fix, not the database being away: the 500 page
    # (logged as an error), not "try again later".
    assert not means_unavailable(cancelled.value)


@pytest.mark.django_db
def test_postgresql_connections_are_cut_when_their_server_goes_silent():
    if connection.vendor != "postgresql":
        pytest.skip("libpq's connection options")
    connection.ensure_connection()
    params = connection.connection.get_dsn_parameters()
    assert params["connect_timeout"] == "2"
    assert params["keepalives"] == "1"
    assert params["keepalives_idle"] == "5"
    assert params["keepalives_interval"] == "1"
    assert params["keepalives_count"] == "3"
    assert params["tcp_user_timeout"] == "5000"
