"""A per-client limit on pre-consultation submissions, kept in the cache."""

import hashlib

from django.conf import settings
from django.core.cache import cache

from core.client import client_address

WINDOW_SECONDS = 3600


def client_key(request):
    """A cache key for the client address; the address itself is hashed, not stored."""
    address = client_address(request)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"consultation-submissions:{digest}"


def take_submission_slot(request):
    """Count one submission from this client; False when its hourly allowance is spent.

    A fixed one-hour window starting at the client's first submission.
    """
    key = client_key(request)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # The entry expired between add and incr.
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count <= settings.CONSULTATION_SUBMISSIONS_PER_HOUR
