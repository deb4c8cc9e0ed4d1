"""Local wall-clock times: what a typed time means on the nights the clocks change.

A time that does not exist (spring) is moved forward by the gap; one that happens twice
(autumn) is the first, unless the second was asked for; a session's end is its start plus
the length typed, on the clock.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from guidance_portal.local_time import moment, resolve, span

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = ZoneInfo("UTC")


def test_a_time_in_the_spring_gap_is_moved_forward_by_the_gap():
    assert moment(datetime(2027, 3, 28, 2, 30), BRUSSELS) == datetime(
        2027, 3, 28, 1, 30, tzinfo=UTC
    )
    resolved = resolve(datetime(2027, 3, 28, 2, 30), BRUSSELS)

    assert resolved.at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert resolved.on_the_clock == datetime(2027, 3, 28, 3, 30)
    assert resolved.moved and "03:30" in resolved.note()


def test_a_time_that_happens_twice_in_autumn_is_the_first_unless_the_second_is_asked():
    wall = datetime(2027, 10, 31, 2, 30)

    first, second = moment(wall, BRUSSELS), moment(wall.replace(fold=1), BRUSSELS)

    assert first == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert second == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    resolved = resolve(wall, BRUSSELS)
    assert resolved.ambiguous and not resolved.moved and resolved.note()


def test_an_ordinary_time_is_itself_and_says_nothing():
    wall = datetime(2027, 6, 1, 10, 0)
    resolved = resolve(wall, BRUSSELS)

    assert resolved.at == datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
    assert not resolved.moved and not resolved.ambiguous and resolved.note() == ""


def test_the_end_follows_a_moved_start_by_the_length_typed():
    start, end = span(datetime(2027, 3, 28, 2, 30), datetime(2027, 3, 28, 3, 30), BRUSSELS)

    assert end - start.at == timedelta(hours=1)
    assert end == datetime(2027, 3, 28, 2, 30, tzinfo=UTC)  # 04:30 summer time


def test_an_end_chosen_before_the_second_of_two_times_still_follows_the_start():
    wall = datetime(2027, 10, 31, 2, 30, fold=1)

    start, end = span(wall, datetime(2027, 10, 31, 2, 50), BRUSSELS)

    assert start.at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert end == datetime(2027, 10, 31, 1, 50, tzinfo=UTC)
