"""When a duty's text is due for its periodic review by its bureau: pure date rules."""

import calendar
from datetime import date


def add_months(day, months):
    """The same day ``months`` calendar months later (or earlier, when negative).

    A day that the target month lacks becomes its last day: 31 January plus one
    month is 28 (or 29) February, as people count "one month later".
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due_on(confirmed_at, months):
    """The day a duty confirmed on ``confirmed_at`` falls due for review again."""
    return add_months(confirmed_at, months)


def is_due_for_review(confirmed_at, today, months):
    """Whether the interval has elapsed: due on the anniversary itself and after, and
    always when the bureau never confirmed the text (``confirmed_at`` None)."""
    return confirmed_at is None or review_due_on(confirmed_at, months) <= today


def latest_confirmation_due(today, months):
    """The last confirmation date that is due for review on ``today``.

    Every earlier date is due too and every later one is not, so a database can
    select the due duties with ``confirmed_at <= latest_confirmation_due(...)``;
    the tests check this agrees with ``is_due_for_review`` day by day. On the last
    day of a month, every day of the month ``months`` before is due, since the
    days that month has and this one lacks fall due on this last day.
    """
    earlier = add_months(today, -months)
    last_day_today = calendar.monthrange(today.year, today.month)[1]
    if today.day == last_day_today:
        return earlier.replace(day=calendar.monthrange(earlier.year, earlier.month)[1])
    return earlier
