"""Small validating readers for settings taken from the environment."""

import os
from datetime import date, timedelta

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_UNSET = object()


def _raw(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"{name} must be set.")
        return None
    return value.strip()


def env_bool(name, default=_UNSET):
    """Read a boolean; anything but true/false/1/0/yes/no/on/off is an error."""
    value = _raw(name, default)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of true, false, 1, 0, yes, no, on, off."
    )


def env_int(name, default=_UNSET, *, minimum=None, maximum=None):
    """Read an integer, optionally bounded."""
    value = _raw(name, default)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ImproperlyConfigured(f"{name}={number} is outside {minimum}..{maximum}.")
    return number


def env_str(name, default=_UNSET):
    """Read a non-empty string."""
    value = _raw(name, default)
    return default if value is None else value


def env_choice(name, choices, default=_UNSET):
    """Read one of a fixed set of words."""
    value = _raw(name, default)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def env_list(name, default=_UNSET):
    """Read a comma-separated list, dropping blanks."""
    value = _raw(name, default)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_month_days(name, default=_UNSET):
    """Read days of the year as MM-DD, each alone or as a range MM-DD..MM-DD that may
    run over the new year (12-29..01-03); returns a frozenset of (month, day) pairs.
    The default is read the same way."""
    value = _raw(name, default)
    if value is None:
        value = default
    days = set()
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        first, separator, last = item.partition("..")
        start, end = _month_day(name, first), _month_day(name, last if separator else first)
        # Walk a leap year, so 02-29 is a valid day; a range past 12-31 wraps to 01-01.
        day, stop = date(2024, *start), date(2024, *end)
        while True:
            days.add((day.month, day.day))
            if day == stop:
                break
            day = day + timedelta(days=1) if day != date(2024, 12, 31) else date(2024, 1, 1)
    return frozenset(days)


def _month_day(name, text):
    try:
        month, day = (int(part) for part in text.strip().split("-"))
        date(2024, month, day)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}: {text.strip()!r} is not a day of the year as MM-DD (e.g. 12-29)."
        ) from None
    return month, day
