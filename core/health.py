"""Health: the load balancer's probes, and the full report for monitoring.

- ``/health/live/``: the process answers. No I/O at all.
- ``/health/ready/``: the database answers; the load balancer's probe. Fast when the
  database is away: at once while this process knows it unreachable (core.database),
  else within the connect timeout. Neither Redis nor the outbox is asked: a cache
  blip or a mail backlog must not take app servers out of rotation while pages serve.
- ``/health/``: every check the apps register (database, cache, outbox), for
  monitoring and alerts only; 503 when any fails.

The two probes are answered by ProbeMiddleware, before the middleware that could
read the cache (stored pages), the session or check the Host header: a balancer that
probes each server by its address need not be among ALLOWED_HOSTS.
"""

import time
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

# name -> a function returning {"ok": bool, ...}; filled by each app's AppConfig.ready.
_checks = {}


def register_check(name, check):
    """Add a check to /health/ under ``name``; it returns a dict with at least "ok"."""
    _checks[name] = check


def registered_checks():
    return dict(_checks)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def check_cache():
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    ok = cache.get(key) == "ok"
    cache.delete(key)
    return {"ok": ok}


def run_check(check):
    try:
        return check()
    except Exception as error:  # A check that cannot run is a failed check.
        return {"ok": False, "error": type(error).__name__}


@never_cache
def health(request):
    """200 when every check passes, else 503; each check reports on its own."""
    started = time.monotonic()
    report = {name: run_check(check) for name, check in _checks.items()}
    healthy = all(part["ok"] for part in report.values())
    report["status"] = "ok" if healthy else "unhealthy"
    report["seconds"] = round(time.monotonic() - started, 3)
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
def live(request):
    """200 while the process can answer at all."""
    return JsonResponse({"status": "alive"})


@never_cache
def ready(request):
    """200 when the database answers, else 503: whether to send this server traffic."""
    started = time.monotonic()
    database = run_check(check_database)
    report = {
        "status": "ready" if database["ok"] else "unavailable",
        "database": database,
        "seconds": round(time.monotonic() - started, 3),
    }
    return JsonResponse(report, status=200 if database["ok"] else 503)


PROBES = {"/health/live": live, "/health/ready": ready}


class ProbeMiddleware:
    """Answer GET and HEAD of /health/live/ and /health/ready/ (with or without the
    trailing slash) before the rest of the stack."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info.rstrip("/"))
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
