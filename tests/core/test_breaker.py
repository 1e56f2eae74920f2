"""The connect breaker on its own: when it opens, what it refuses, how it closes.

With a database behind it: test_database_down.py (in process) and test_faults.py
(gunicorn behind a proxy that the test closes, black-holes and freezes).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.database import ConnectBreaker, DatabaseUnreachable, means_unavailable

ROOT = Path(__file__).resolve().parents[2]

SERVER = ("db.example", "5432", "kouryu")


def never_called():
    raise AssertionError("no attempt expected")


@pytest.fixture
def breaker(settings):
    settings.DATABASE_RETRY_SECONDS = 0.4
    breaker = ConnectBreaker()
    yield breaker
    breaker.reset()  # Its retry threads end.


def wait_for(condition, seconds=2):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


class Attempts:
    """A probe that fails until told to succeed, noting when each attempt began."""

    def __init__(self, seconds=0.0):
        self.seconds = seconds
        self.started = []
        self.succeed = False

    def __call__(self):
        self.started.append(time.monotonic())
        time.sleep(self.seconds)
        if not self.succeed:
            raise OSError("refused")


def test_a_closed_breaker_lets_connects_through(breaker):
    breaker.before_connect(SERVER)
    assert not breaker.is_open(SERVER)


def test_a_failed_connect_refuses_the_next_ones_at_once_without_an_attempt(breaker):
    attempts = Attempts()
    breaker.connect_failed(SERVER, OSError("refused"), attempts)
    started = time.monotonic()
    for _ in range(1000):
        with pytest.raises(DatabaseUnreachable) as refused:
            breaker.before_connect(SERVER)
    assert time.monotonic() - started < 1
    assert attempts.started == []
    assert means_unavailable(refused.value)  # The friendly 503.
    # Another database is another matter.
    breaker.before_connect(("db.example", "5432", "other"))


def test_a_thread_retries_every_window_from_each_attempts_start_until_one_succeeds(
    breaker, settings
):
    settings.DATABASE_RETRY_SECONDS = 1
    attempts = Attempts(seconds=0.5)  # Slow failures, like a connect timeout.
    failed = time.monotonic()
    breaker.connect_failed(SERVER, OSError("refused"), attempts)
    # Concurrent failures (other threads' connects) start no other retries.
    breaker.connect_failed(SERVER, OSError("refused"), never_called)
    wait_for(lambda: len(attempts.started) == 2, seconds=4)
    assert 0.95 < attempts.started[0] - failed < 1.4
    # A window after the first attempt began (1 s), not after it failed (1.5 s).
    assert 0.95 < attempts.started[1] - attempts.started[0] < 1.4
    time.sleep(0.6)  # The second attempt has failed too.
    with pytest.raises(DatabaseUnreachable):
        breaker.before_connect(SERVER)
    attempts.succeed = True
    wait_for(lambda: not breaker.is_open(SERVER), seconds=4)
    assert len(attempts.started) == 3
    breaker.before_connect(SERVER)


def test_a_connect_that_succeeds_meanwhile_closes_it(breaker):
    attempts = Attempts()
    breaker.connect_failed(SERVER, OSError("refused"), attempts)
    breaker.connect_succeeded(SERVER)  # A connect begun before the failure.
    breaker.before_connect(SERVER)
    time.sleep(0.5)
    assert attempts.started == []  # Its retry thread has ended.


def test_a_window_of_zero_turns_it_off(breaker, settings):
    settings.DATABASE_RETRY_SECONDS = 0
    breaker.connect_failed(SERVER, OSError("refused"), never_called)
    assert not breaker.is_open(SERVER)
    breaker.before_connect(SERVER)


def database_settings(*preamble, **env):
    """The database settings a process would start with, from its environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="kouryu.example",
        DATABASE_URL="postgres://kouryu@db.example:5432/kouryu",
        DJANGO_SETTINGS_MODULE="config.settings",
        **env,
    )
    code = (
        f"{'; '.join(preamble) or 'pass'}; import django; django.setup(); "
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], repr(d['OPTIONS'].get('options')), settings.DATABASE_RETRY_SECONDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_gunicorn_workers_get_a_statement_timeout_below_their_own_and_commands_none():
    assert database_settings() == "core.backends.postgresql None 5"
    assert database_settings("import config.gunicorn") == (
        "core.backends.postgresql '-c statement_timeout=20s' 5"
    )
    assert database_settings("import config.gunicorn", GUNICORN_TIMEOUT="60") == (
        "core.backends.postgresql '-c statement_timeout=40s' 5"
    )
    assert database_settings(DATABASE_STATEMENT_TIMEOUT="3", DATABASE_RETRY_SECONDS="10") == (
        "core.backends.postgresql '-c statement_timeout=3s' 10"
    )
