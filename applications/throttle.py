"""Per-visitor limits on the pre-consultation form: drafts saved, and requests sent.

Counted in the database (core.throttle), not the cache: with Redis down, a cache
counter answered "no count yet" and let every request through.
"""

import hashlib

from django.conf import settings

from core.client import client_address
from core.throttle import take_allowance

WINDOW_SECONDS = 3600


def visitor_key(request, action):
    """The limit's key for this visitor and action; the address is hashed, not stored."""
    address = client_address(request)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"consultation-{action}:{digest}"


def take_submission_slot(request):
    """Count one request sent from this visitor; False when the hour's allowance is spent."""
    return take_allowance(
        key=visitor_key(request, "submissions"),
        limit=settings.CONSULTATION_SUBMISSIONS_PER_HOUR,
        window_seconds=WINDOW_SECONDS,
    )


def take_draft_slot(request):
    """Count one step-1 POST (a draft saved or refused) from this visitor; False when
    the hour's allowance is spent."""
    return take_allowance(
        key=visitor_key(request, "drafts"),
        limit=settings.CONSULTATION_DRAFTS_PER_HOUR,
        window_seconds=WINDOW_SECONDS,
    )
