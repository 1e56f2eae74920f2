"""The database down, hanging or dropping connections: a friendly 503 fast, recovery without restart."""

import contextlib
import time

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

from tests.conftest import all_public_paths
from tests.core.support import (
    HYDROGEN,
    assert_friendly_503,
    assert_security_headers,
    database_down,
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
        assert report["database"] == {"ok": False, "error": "OperationalError"}
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
