"""Opening hours: is a centre open now, and when does it open next.

Hours are wall-clock times in Europe/Brussels. Comparing the local time of day with the
slots, on the local date, stays right across the DST changes (a slot 09:00–12:00 is 09:00 to
12:00 whatever the UTC offset that day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from centres.models import ExceptionalDay, OpeningSlot, Weekday

LOOKAHEAD_DAYS = 14


@dataclass(frozen=True)
class Period:
    opens: time
    closes: time


@dataclass(frozen=True)
class DayHours:
    day: date
    periods: tuple[Period, ...]
    exception: str | None = None  # reason, when the weekly hours do not apply

    @property
    def weekday_label(self) -> str:
        return Weekday(self.day.weekday()).label


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    label: str


class Schedule:
    """Weekly slots plus exceptional days, as fetched for one centre (no further queries)."""

    def __init__(self, slots: Iterable[OpeningSlot], exceptions: Iterable[ExceptionalDay]):
        self.weekly: dict[int, list[Period]] = {}
        for slot in slots:
            self.weekly.setdefault(slot.weekday, []).append(Period(slot.opens, slot.closes))
        self.exceptional: dict[date, list[ExceptionalDay]] = {}
        for exception in exceptions:
            self.exceptional.setdefault(exception.date, []).append(exception)

    def on(self, day: date) -> DayHours:
        exceptions = self.exceptional.get(day)
        if exceptions:
            reason = next((e.reason for e in exceptions if e.reason), "") or _("Exceptional hours")
            if any(e.is_closed for e in exceptions):
                return DayHours(day, (), reason)
            periods = sorted((Period(e.opens, e.closes) for e in exceptions), key=lambda p: p.opens)
            return DayHours(day, tuple(periods), reason)
        periods = sorted(self.weekly.get(day.weekday(), []), key=lambda p: p.opens)
        return DayHours(day, tuple(periods))

    def week(self, start: date) -> list[DayHours]:
        return [self.on(start + timedelta(days=offset)) for offset in range(7)]

    def status(self, moment: datetime) -> OpeningStatus:
        local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
        today, now = local.date(), local.time()
        hours = self.on(today)
        for period in hours.periods:
            if period.opens <= now < period.closes:
                return OpeningStatus(
                    True, _("Open now, until %(time)s") % {"time": hhmm(period.closes)}
                )
        for period in hours.periods:
            if now < period.opens:
                return OpeningStatus(
                    False, _("Closed now, opens at %(time)s") % {"time": hhmm(period.opens)}
                )
        if not self.weekly and not self.exceptional:
            return OpeningStatus(False, _("Opening hours not given"))
        label = _("Closed today") if not hours.periods else _("Closed now")
        for offset in range(1, LOOKAHEAD_DAYS + 1):
            later = self.on(today + timedelta(days=offset))
            if later.periods:
                start = hhmm(later.periods[0].opens)
                if offset == 1:
                    return OpeningStatus(
                        False,
                        _("%(closed)s; opens tomorrow at %(time)s")
                        % {"closed": label, "time": start},
                    )
                return OpeningStatus(
                    False,
                    _("%(closed)s; opens %(day)s at %(time)s")
                    % {"closed": label, "day": later.weekday_label.lower(), "time": start},
                )
        return OpeningStatus(False, label)


def hhmm(moment: time) -> str:
    return formats.time_format(moment, "H:i")
