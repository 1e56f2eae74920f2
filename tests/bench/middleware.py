"""Benchmark: what each middleware adds to a request, in microseconds.

Run by `make bench`. In one process, with production settings (HTTPS, HSTS,
CSP, TOTP for staff), the minimal view of case B (tests/bench/urls.py) is
called through the WSGI handler with the first k middleware of
settings.MIDDLEWARE, for every k; a middleware's cost is the time with it
minus the time without it. The visitor is anonymous and sends no cookie, as
on the public pages. Stacks are timed in turn, several rounds, keeping each
one's fastest round, so that a slow moment of the machine does not land on
one middleware.
"""

import io
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = int(os.environ.get("BENCH_MIDDLEWARE_REQUESTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_MIDDLEWARE_ROUNDS", "5"))


def configure():
    references = Path(tempfile.mkdtemp(prefix="kouryu-bench-"))
    (references / "home.html").write_bytes(b"<!doctype html><title>x</title>" * 300)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.bench.settings",
        DJANGO_DEBUG="false",
        DJANGO_HTTPS="true",
        DJANGO_ALLOWED_HOSTS="kouryu.example",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_LOG_LEVEL="WARNING",
        BENCH_REFERENCE_DIR=str(references),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def environ():
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/bench/reference/home/",
        "QUERY_STRING": "",
        "SERVER_NAME": "kouryu.example",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "kouryu.example",
        "HTTP_ACCEPT_LANGUAGE": "ja",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }


def seconds_per_request(handler):
    statuses = []

    def start_response(status, headers):
        statuses.append(status)

    started = time.perf_counter()
    for _ in range(REQUESTS):
        response = handler(environ(), start_response)
        b"".join(response)
        response.close()
    elapsed = time.perf_counter() - started
    assert set(statuses) == {"200 OK"}, set(statuses)
    return elapsed / REQUESTS


def main():
    configure()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    stack = list(settings.MIDDLEWARE)
    handlers = []
    for count in range(len(stack) + 1):
        with override_settings(MIDDLEWARE=stack[:count]):
            handlers.append(WSGIHandler())
    fastest = [float("inf")] * len(handlers)
    for _round in range(ROUNDS):
        for index, handler in enumerate(handlers):
            fastest[index] = min(fastest[index], seconds_per_request(handler))

    full = fastest[-1]
    print(
        f"minimal view, {REQUESTS} requests x {ROUNDS} rounds, fastest round, production settings"
    )
    print(f"{'middleware':<58}{'adds µs':>9}{'share':>8}")
    print(
        f"{'(the view and the WSGI handler alone)':<58}{fastest[0] * 1e6:>9.1f}{fastest[0] / full:>8.0%}"
    )
    for index, path in enumerate(stack, start=1):
        cost = fastest[index] - fastest[index - 1]
        print(f"{path:<58}{cost * 1e6:>9.1f}{cost / full:>8.0%}")
    print(f"{'full stack':<58}{full * 1e6:>9.1f}{1:>8.0%}")


if __name__ == "__main__":
    main()
