"""Open now / opens at / closed today, in Europe/Brussels time, across DST changes."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from centres.hours import Schedule
from centres.models import ExceptionalDay, OpeningSlot

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def weekly(*slots):
    return [OpeningSlot(weekday=d, opens=time(*o), closes=time(*c)) for d, o, c in slots]


# Monday and Tuesday 09:00-12:00 and 13:30-17:00.
SCHEDULE = weekly(
    (0, (9, 0), (12, 0)), (0, (13, 30), (17, 0)), (1, (9, 0), (12, 0)), (1, (13, 30), (17, 0))
)


def at(*args, tz=BRUSSELS):
    return datetime(*args, tzinfo=tz)


def test_open_now_until_the_end_of_the_period():
    status = Schedule(SCHEDULE, []).status(at(2026, 11, 23, 10, 0))  # a Monday
    assert status.is_open and status.label == "Open now, until 12:00"


def test_lunch_break_says_when_it_opens_again():
    status = Schedule(SCHEDULE, []).status(at(2026, 11, 23, 12, 30))
    assert not status.is_open and status.label == "Closed now, opens at 13:30"


def test_evening_points_to_tomorrow():
    status = Schedule(SCHEDULE, []).status(at(2026, 11, 23, 18, 0))
    assert status.label == "Closed now; opens tomorrow at 09:00"


def test_closed_day_points_to_the_next_opening():
    status = Schedule(SCHEDULE, []).status(at(2026, 11, 25, 10, 0))  # Wednesday
    assert status.label == "Closed today; opens monday at 09:00"


def test_exceptional_closure_overrides_the_week():
    closure = ExceptionalDay(date=date(2026, 11, 23), reason="Staff training")
    schedule = Schedule(SCHEDULE, [closure])
    status = schedule.status(at(2026, 11, 23, 10, 0))
    assert not status.is_open
    assert status.label.startswith("Closed today")
    assert schedule.on(date(2026, 11, 23)).exception == "Staff training"


def test_exceptional_opening_on_a_closed_day():
    opening = ExceptionalDay(date=date(2026, 11, 28), opens=time(10), closes=time(14))
    status = Schedule(SCHEDULE, [opening]).status(at(2026, 11, 28, 11, 0))  # Saturday
    assert status.is_open


@pytest.mark.parametrize(
    ("utc_moment", "expected_open"),
    [
        # Sunday 29 March 2026, 02:00 → 03:00 (UTC+2). Monday 30 March 08:30 local = 06:30 UTC.
        (at(2026, 3, 30, 6, 30, tz=UTC), False),
        (at(2026, 3, 30, 7, 30, tz=UTC), True),  # 09:30 local
        # Sunday 25 October 2026, 03:00 → 02:00 (UTC+1). Monday 26 October 09:30 = 08:30 UTC.
        (at(2026, 10, 26, 7, 30, tz=UTC), False),  # 08:30 local
        (at(2026, 10, 26, 8, 30, tz=UTC), True),
    ],
)
def test_status_is_right_across_daylight_saving_changes(utc_moment, expected_open):
    assert Schedule(SCHEDULE, []).status(utc_moment).is_open is expected_open


def test_no_hours_at_all_says_so():
    assert Schedule([], []).status(at(2026, 11, 23, 10)).label == "Opening hours not given"
