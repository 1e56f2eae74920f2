"""Real server processes for the tests that need them (faults, scale-out): gunicorn
under production settings behind a balancer, and any process started in its own
process group, so that stopping it stops everything it started."""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def database_url(params, *, host=None, port=None):
    """The URL of the test database (Django's settings_dict ``params``), reached at
    ``host``:``port`` when given (a proxy in front of it)."""
    credentials = quote(params["USER"] or "postgres")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"])
    host = host or params["HOST"] or "127.0.0.1"
    port = port or params["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{params['NAME']}"


def behind_balancer(**overrides):
    """The environment of an app server in production behind a TLS-terminating balancer
    (DATABASE_* variables of this process left out: the caller gives DATABASE_URL)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("DATABASE_")}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_HTTPS="true",
        DJANGO_BEHIND_PROXY="true",
        DJANGO_COLLECTED_STATIC="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        GUNICORN_ACCESS_LOG="/dev/null",
    )
    env.update(overrides)
    return env


def start(command, *, env, log, cwd=ROOT):
    """Start ``command`` in a process group of its own, its output appended to ``log``."""
    with open(log, "ab") as output:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_gunicorn(*, env, log, control_socket=None, nice=None):
    """gunicorn with config/gunicorn.py. Each server started by one user needs its own
    control socket (gunicorn 27 puts one per user in ~/.gunicorn by default), or none."""
    command = [GUNICORN, "-c", "config/gunicorn.py"]
    command += (
        ["--control-socket", str(control_socket)] if control_socket else ["--no-control-socket"]
    )
    command.append("config.wsgi")
    if nice is not None:
        command = ["nice", "-n", str(nice), *command]
    return start(command, env=env, log=log)


def stop(process, *, timeout=30):
    """Stop a process started here and everything in its group: TERM, then KILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    # Workers of a master that is gone already, or one that would not stop.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def kill(process):
    """SIGKILL to the whole group at once: a server that dies (its host lost), with no
    chance to finish what it was doing."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_until(check, *, process=None, timeout=30, describe=lambda: ""):
    """Call ``check`` until it answers true (errors count as false); fail with
    ``describe()`` when ``process`` ended first or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError):
            if check():
                return
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {describe()}")
        time.sleep(0.1)


def log_tail(log, characters=3000):
    return Path(log).read_text(errors="replace")[-characters:]
