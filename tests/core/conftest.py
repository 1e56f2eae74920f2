"""Fixtures of the production-hardening tests: HTTPS settings, Redis down or real, a
silent server, a proxy in front of PostgreSQL."""

import socket
import sys

import pytest
from django.db import connection

from core.database import breaker
from tests.conftest import free_port
from tests.core.support import REDIS_LOCATION, redis_answers, redis_cache
from tests.faultproxy import FaultProxy


@pytest.fixture(autouse=True)
def forget_outages():
    """Each test starts and ends with no database known unreachable (core.database):
    an outage a test caused on a port of its own would otherwise keep a thread
    retrying that port for the rest of the run."""
    breaker.reset()
    yield
    breaker.reset()


@pytest.fixture
def production(settings):
    """The HTTPS settings production runs with (the test environment has them off).

    SecurityMiddleware reads them when the client's handler loads its middleware,
    on the client's first request: a test makes that request after this fixture.
    """
    assert not settings.SECURE_SSL_REDIRECT
    assert settings.SECURE_HSTS_SECONDS == 0
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.fixture
def redis_down():
    with redis_cache(f"redis://127.0.0.1:{free_port()}/7") as backend:
        yield backend


@pytest.fixture
def real_redis():
    if not redis_answers():
        pytest.skip(f"no Redis answers at {REDIS_LOCATION} (CI runs one)")
    with redis_cache(REDIS_LOCATION) as backend:
        backend.clear()  # FLUSHDB of database 7 only.
        yield backend
        backend.clear()


@pytest.fixture
def hanging_server():
    """A TCP port that accepts connections and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


@pytest.fixture
def database_proxy():
    """A FaultProxy on loopback in front of the test database's PostgreSQL server."""
    if connection.vendor != "postgresql":
        pytest.skip("the proxy stands in front of a PostgreSQL server (CI runs one)")
    params = connection.settings_dict
    proxy = FaultProxy((params["HOST"] or "127.0.0.1", int(params["PORT"] or 5432)))
    yield proxy
    proxy.stop()


def pytest_terminal_summary(terminalreporter):
    """The figures the fault test measured (tests/core/test_faults.py), one per line."""
    faults = sys.modules.get("tests.core.test_faults")
    if faults and faults.FIGURES:
        terminalreporter.section("fault test figures")
        for line in faults.FIGURES:
            terminalreporter.write_line(line)
