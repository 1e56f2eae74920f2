"""/health/: the database, the cache and the mail backlog, for load balancers."""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache


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


def check_outbox():
    from applications.models import Notification, NotificationState

    oldest = (
        Notification.objects.filter(state=NotificationState.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {
        "ok": age <= settings.HEALTH_MAX_OUTBOX_AGE_SECONDS,
        "oldest_pending_seconds": round(age),
    }


@never_cache
def health(request):
    """200 when every check passes, else 503; each check reports on its own."""
    started = time.monotonic()
    report = {}
    for name, check in (
        ("database", check_database),
        ("cache", check_cache),
        ("outbox", check_outbox),
    ):
        try:
            report[name] = check()
        except Exception as error:  # A check that cannot run is a failed check.
            report[name] = {"ok": False, "error": type(error).__name__}
    healthy = all(part["ok"] for part in report.values())
    report["status"] = "ok" if healthy else "unhealthy"
    report["seconds"] = round(time.monotonic() - started, 3)
    return JsonResponse(report, status=200 if healthy else 503)
