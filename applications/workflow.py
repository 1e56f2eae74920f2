"""How a routed request moves on, and the office calendar its dates count in: pure
rules, no database."""

from datetime import timedelta

import jpholiday
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


def is_working_day(day, *, closed_days=frozenset()):
    """Whether the metropolitan offices are open on ``day``: Monday to Friday, not a
    national holiday (jpholiday: the Public Holiday Act, substitute and citizens'
    holidays included) and not one of ``closed_days``, (month, day) pairs such as the
    year-end closure from 29 December to 3 January (settings.INQUIRY_CLOSED_DAYS)."""
    return (
        day.weekday() < 5
        and (day.month, day.day) not in closed_days
        and not jpholiday.is_holiday(day)
    )


def add_working_days(start, days, *, closed_days=frozenset()):
    """The date ``days`` working days after ``start`` (``start`` itself never counts;
    0 days gives ``start``, whatever day it is)."""
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, closed_days=closed_days):
            remaining -= 1
    return current


def latest_day_passed(today, days, *, closed_days=frozenset()):
    """The latest day D whose ``days`` working days have all passed before ``today``
    (add_working_days(D, days) < today): something that happened on D or earlier has
    waited more than ``days`` working days. Used for the escalation of reminders."""
    day = today - timedelta(days=1)
    while add_working_days(day, days, closed_days=closed_days) >= today:
        day -= timedelta(days=1)
    return day
