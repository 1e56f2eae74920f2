"""/health/: a registry of checks, each app registering its own, and the view that runs them."""

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


@never_cache
def health(request):
    """200 when every check passes, else 503; each check reports on its own."""
    started = time.monotonic()
    report = {}
    for name, check in _checks.items():
        try:
            report[name] = check()
        except Exception as error:  # A check that cannot run is a failed check.
            report[name] = {"ok": False, "error": type(error).__name__}
    healthy = all(part["ok"] for part in report.values())
    report["status"] = "ok" if healthy else "unhealthy"
    report["seconds"] = round(time.monotonic() - started, 3)
    return JsonResponse(report, status=200 if healthy else 503)
