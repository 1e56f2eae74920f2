"""The office calendar the reply-by date and the escalation count in: working days are
Monday to Friday, less Japan's national holidays and the year-end closure (a setting).

The holidays of 2026 and 2027 are written out by hand from the Cabinet Office's
table, so that the rule is checked against the calendar, not against jpholiday alone.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from applications.workflow import add_working_days, is_working_day, latest_day_passed
from config.env import env_month_days

YEAR_END = frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)})

HOLIDAYS = {
    # 2026: a citizens' holiday (国民の休日) between 敬老の日 and 秋分の日, and a substitute
    # holiday (振替休日) for 憲法記念日 on a Sunday.
    date(2026, 1, 1), date(2026, 1, 12), date(2026, 2, 11), date(2026, 2, 23),
    date(2026, 3, 20), date(2026, 4, 29), date(2026, 5, 3), date(2026, 5, 4),
    date(2026, 5, 5), date(2026, 5, 6), date(2026, 7, 20), date(2026, 8, 11),
    date(2026, 9, 21), date(2026, 9, 22), date(2026, 9, 23), date(2026, 10, 12),
    date(2026, 11, 3), date(2026, 11, 23),
    # 2027: 春分の日 on a Sunday, so Monday 22 March is off.
    date(2027, 1, 1), date(2027, 1, 11), date(2027, 2, 11), date(2027, 2, 23),
    date(2027, 3, 21), date(2027, 3, 22), date(2027, 4, 29), date(2027, 5, 3),
    date(2027, 5, 4), date(2027, 5, 5), date(2027, 7, 19), date(2027, 8, 11),
    date(2027, 9, 20), date(2027, 9, 23), date(2027, 10, 11), date(2027, 11, 3),
    date(2027, 11, 23),
}  # fmt: skip


def every_day(first, last):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


TWO_YEARS = list(every_day(date(2026, 1, 1), date(2027, 12, 31)))


@pytest.mark.parametrize("closed_days", [frozenset(), YEAR_END], ids=["no closure", "year end"])
def test_every_day_of_2026_and_2027_is_a_working_day_exactly_when_the_calendar_says(
    closed_days,
):
    for day in TWO_YEARS:
        expected = (
            day.weekday() < 5 and day not in HOLIDAYS and (day.month, day.day) not in closed_days
        )
        assert is_working_day(day, closed_days=closed_days) is expected, day


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # The example: Wednesday 2027-04-28, five working days, past 昭和の日
        # (Thu 29) and Golden Week (Mon 3 to Wed 5 May).
        (date(2027, 4, 28), 5, date(2027, 5, 11)),
        (date(2027, 4, 28), 1, date(2027, 4, 30)),
        (date(2027, 4, 30), 1, date(2027, 5, 6)),
        (date(2026, 5, 1), 1, date(2026, 5, 7)),  # 2026: the substitute holiday on Wed 6
        (date(2026, 9, 18), 1, date(2026, 9, 24)),  # the 2026 Silver Week, five days off
        (date(2027, 3, 19), 1, date(2027, 3, 23)),  # 春分の日's substitute on Monday
        (date(2026, 1, 9), 1, date(2026, 1, 13)),  # 成人の日
        (date(2026, 1, 9), 5, date(2026, 1, 19)),
        # The year-end closure, 29 December to 3 January.
        (date(2026, 12, 25), 1, date(2026, 12, 28)),
        (date(2026, 12, 28), 1, date(2027, 1, 4)),
        (date(2026, 12, 25), 5, date(2027, 1, 7)),
        (date(2026, 12, 30), 1, date(2027, 1, 4)),  # counted from inside the closure
        (date(2027, 12, 28), 1, date(2028, 1, 4)),
        # No days: the start itself, even a holiday.
        (date(2027, 5, 3), 0, date(2027, 5, 3)),
    ],
)
def test_add_working_days_over_holidays_golden_week_and_the_year_end(start, days, expected):
    assert add_working_days(start, days, closed_days=YEAR_END) == expected


def test_without_the_closure_setting_the_last_days_of_december_are_working_days():
    assert add_working_days(date(2026, 12, 28), 1, closed_days=frozenset()) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 31), 1, closed_days=frozenset()) == date(2027, 1, 4)


@pytest.mark.parametrize("days", range(1, 11))
def test_the_deadline_is_a_working_day_with_exactly_that_many_working_days_before_it(days):
    """For every start in two years: the result is a working day, and the working days
    after the start up to it are exactly ``days``."""
    for start in TWO_YEARS:
        end = add_working_days(start, days, closed_days=YEAR_END)
        assert end > start
        assert is_working_day(end, closed_days=YEAR_END)
        counted = sum(
            is_working_day(day, closed_days=YEAR_END)
            for day in every_day(start + timedelta(days=1), end)
        )
        assert counted == days, start


@pytest.mark.parametrize("days", [1, 3, 5])
def test_latest_day_passed_is_the_last_day_whose_working_days_all_passed(days):
    for today in TWO_YEARS:
        last = latest_day_passed(today, days, closed_days=YEAR_END)
        assert add_working_days(last, days, closed_days=YEAR_END) < today
        assert add_working_days(last + timedelta(days=1), days, closed_days=YEAR_END) >= today


# --- The setting: INQUIRY_CLOSED_DAYS. -----------------------------------------------


def test_the_default_closure_is_the_year_end(settings):
    assert settings.INQUIRY_CLOSED_DAYS == YEAR_END


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12-29..01-03", YEAR_END),
        ("12-29..12-31, 01-01..01-03", YEAR_END),
        ("08-13..08-15", {(8, 13), (8, 14), (8, 15)}),
        ("02-28..03-01", {(2, 28), (2, 29), (3, 1)}),
        ("05-01", {(5, 1)}),
        ("12-31,01-01,", {(12, 31), (1, 1)}),
    ],
)
def test_closed_days_are_read_as_days_and_ranges(monkeypatch, value, expected):
    monkeypatch.setenv("INQUIRY_CLOSED_DAYS", value)
    assert env_month_days("INQUIRY_CLOSED_DAYS", "") == expected


def test_closed_days_left_empty_take_the_default(monkeypatch):
    monkeypatch.setenv("INQUIRY_CLOSED_DAYS", " ")
    assert env_month_days("INQUIRY_CLOSED_DAYS", "12-29..01-03") == YEAR_END


@pytest.mark.parametrize("value", ["12/29", "13-01", "02-30", "12-29..", "year-end", "12-29..1"])
def test_a_malformed_closed_day_stops_start_up_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("INQUIRY_CLOSED_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match="INQUIRY_CLOSED_DAYS"):
        env_month_days("INQUIRY_CLOSED_DAYS", "")
