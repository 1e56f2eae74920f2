"""Real server processes for the tests that need them (faults, scale-out): gunicorn
under production settings behind a balancer, and any process started in its own
process group, so that stopping it stops everything it started."""

import contextlib
import os
import secrets
import signal
import socket
import ssl
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


# --- HAProxy running deploy/haproxy.cfg (the scale-out test and `make bench`). ----------

HAPROXY = "/usr/sbin/haproxy"
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"


def self_signed_certificate(folder):
    """A key and certificate for 127.0.0.1: (the file HAProxy takes, with both; the
    certificate alone, for clients to trust)."""
    key, certificate = folder / "key.pem", folder / "certificate.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    bundle = folder / "haproxy.pem"
    bundle.write_bytes(certificate.read_bytes() + key.read_bytes())
    return bundle, certificate


def write_errorfile(env, path):
    """The site's 503 page as HAProxy's errorfile, made under the app servers' settings."""
    subprocess.run(
        [PYTHON, "manage.py", "write_errorfile", str(path), "-v0"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return Path(path).read_bytes()


def start_haproxy(*, folder, bind, apps, errorfile):
    """HAProxy in the foreground with deploy/haproxy.cfg, terminating TLS on ``bind`` in
    front of ``apps`` (two "host:port"). Returns the process, its control socket and
    an SSL context that trusts its certificate."""
    bundle, certificate = self_signed_certificate(folder)
    control = folder / "haproxy.sock"
    process = start(
        [HAPROXY, "-f", str(HAPROXY_CONFIG), "-db"],
        env={
            **os.environ,
            "KOURYU_BIND": bind,
            "KOURYU_CERTIFICATE": str(bundle),
            "KOURYU_ERRORFILE_503": str(errorfile),
            "KOURYU_HAPROXY_SOCKET": str(control),
            "KOURYU_APP1": apps[0],
            "KOURYU_APP2": apps[1],
        },
        log=folder / "haproxy.log",
    )
    return process, control, ssl.create_default_context(cafile=str(certificate))


def balancer_states(control):
    """Each app server's state as HAProxy sees it ("UP" or "DOWN"), from its control socket."""
    with socket.socket(socket.AF_UNIX) as client:
        client.connect(str(control))
        client.sendall(b"show servers state app\n")
        reply = b""
        while chunk := client.recv(65536):
            reply += chunk
    states = {}
    for line in reply.decode().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "app":
            states[fields[3]] = "UP" if fields[5] == "2" else "DOWN"
    return states
