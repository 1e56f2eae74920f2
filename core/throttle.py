"""Fixed-window limits per key, counted in the database (shared by every app server)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.models import RateCounter


@transaction.atomic
def take_allowance(*, key, limit, window_seconds, now=None):
    """Count one action under ``key``; False once ``limit`` actions were taken in the
    window that began with the first of them.

    The row is locked while it is counted, so concurrent requests on any server
    count one by one. Windows that ended are deleted on the way (a few rows at
    most per visitor), so the table stays the size of the last hour's visitors.
    """
    now = now or timezone.now()
    window = timedelta(seconds=window_seconds)
    RateCounter.objects.filter(window_ends_at__lte=now).exclude(key=key).delete()
    counter, _created = RateCounter.objects.select_for_update().get_or_create(
        key=key, defaults={"window_ends_at": now + window}
    )
    if counter.window_ends_at <= now:
        counter.count, counter.window_ends_at = 0, now + window
    counter.count += 1
    counter.save(update_fields=["count", "window_ends_at"])
    return counter.count <= limit
