"""How a routed request moves on at one bureau: a pure rule, no database."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RouteStatus(models.TextChoices):
    # Translatable: the applicant's status page shows them in English too.
    RECEIVED = "received", _("受付")
    CONSULTING = "consulting", _("事前相談中")
    ARRANGING = "arranging", _("受入調整中")
    ACCEPTED = "accepted", _("受入決定")
    DECLINED = "declined", _("見送り")
    WITHDRAWN = "withdrawn", _("取下げ")


# Forward one step at a time; a request can be declined or withdrawn while open.
_NEXT = {
    RouteStatus.RECEIVED: {RouteStatus.CONSULTING},
    RouteStatus.CONSULTING: {RouteStatus.ARRANGING},
    RouteStatus.ARRANGING: {RouteStatus.ACCEPTED},
}
CLOSED = frozenset({RouteStatus.ACCEPTED, RouteStatus.DECLINED, RouteStatus.WITHDRAWN})


def allowed_transitions(status):
    """The statuses a request at ``status`` may move to next (none once closed)."""
    if status in CLOSED:
        return set()
    return _NEXT[status] | {RouteStatus.DECLINED, RouteStatus.WITHDRAWN}


def can_move(current, new):
    """Whether a request may go from ``current`` to ``new`` (staying put is not a move)."""
    return new in allowed_transitions(current)


def add_business_days(start, days):
    """The date ``days`` working days (Monday to Friday) after ``start``.

    Public holidays are not counted out: the deadline is a reminder, and the
    table of Japanese holidays would need its own upkeep.
    """
    from datetime import timedelta

    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
