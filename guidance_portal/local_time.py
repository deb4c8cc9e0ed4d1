"""Local wall-clock times as people type them, and the moments they mean.

A counsellor types "02:30" for the night the clocks go forward, when that time does not
exist in Brussels, or for the night they go back, when it happens twice. Django's form
fields refuse both; what a person means is the time moved forward by the gap (02:30 is
03:30 summer time) and, of two, the first (fold=0: still summer time). ``WallClockField``
reads the time as typed, ``moment`` gives the moment meant, and ``span`` gives a session's
start and end from what was typed, the end derived from the length typed, so a one-hour
session still lasts one hour when its start was moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def moment(wall: datetime, zone: tzinfo | None = None) -> datetime:
    """The moment (in UTC) a local wall-clock time means, in the zone (by default the current).

    A time in the gap of spring is read with the offset before the change (fold=0), which
    is the time moved forward by the gap once back on the clock; of an autumn time that
    happens twice, the first is taken unless ``wall.fold`` is 1. The result is in UTC on
    purpose: Python compares and subtracts two times of one zone on the clock, fold
    ignored, which is wrong on the night of autumn.
    """
    zone = zone or timezone.get_current_timezone()
    return wall.replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Resolved:
    """What a typed local time became, and why it is not simply that time."""

    wall: datetime  # as typed, naive
    at: datetime  # the moment meant, in UTC
    zone: tzinfo

    @property
    def on_the_clock(self) -> datetime:
        """The moment as the local clock shows it (naive, with its fold)."""
        return self.at.astimezone(self.zone).replace(tzinfo=None)

    @property
    def moved(self) -> bool:
        """The time typed does not exist (the clocks went forward): it was moved forward."""
        return self.on_the_clock.replace(fold=0) != self.wall.replace(fold=0)

    @property
    def ambiguous(self) -> bool:
        """The time typed happens twice (the clocks went back): the first was taken."""
        first = self.wall.replace(tzinfo=self.zone, fold=0)
        return not self.moved and first.utcoffset() != first.replace(fold=1).utcoffset()

    def note(self) -> str:
        """A sentence for the person who typed it, or "" when the time is what they typed."""
        values = {
            "day": date_format(self.wall.date(), "SHORT_DATE_FORMAT"),
            "typed": time_format(self.wall.time(), "H:i"),
            "used": time_format(self.on_the_clock.time(), "H:i"),
        }
        if self.moved:
            return (
                _(
                    "%(typed)s does not exist on %(day)s (the clocks go forward): "
                    "that session starts at %(used)s."
                )
                % values
            )
        if self.ambiguous:
            return (
                _(
                    "%(typed)s happens twice on %(day)s (the clocks go back): "
                    "that session starts at the first, in summer time."
                )
                % values
            )
        return ""


def resolve(wall: datetime, zone: tzinfo | None = None) -> Resolved:
    zone = zone or timezone.get_current_timezone()
    return Resolved(wall, moment(wall, zone), zone)


def span(starts: datetime, ends: datetime, zone: tzinfo | None = None) -> tuple[Resolved, datetime]:
    """A session's start, resolved, and its end (in UTC): the length typed after the start.

    The length is what the two typed times say (02:30 to 03:30 is one hour); the end is the
    start as the clock shows it once resolved, plus that length, so a start moved by the
    gap takes its end along (03:30 to 04:30) and a session over several days ends at the
    time typed on its last day.
    """
    start = resolve(starts, zone)
    length = ends.replace(fold=0) - starts.replace(fold=0)
    end = moment(start.on_the_clock.replace(fold=0) + length, start.zone)
    if end <= start.at:  # only when an offset typed chose the second of two times
        end = start.at + length
    return start, end


class WallClockField(forms.DateTimeField):
    """A date and time as typed, in local wall-clock time (a naive datetime), within bounds.

    ``earliest_days`` and ``latest_days`` bound the day, counted from today (the earliest
    may be None: no lower bound). Whatever is typed, the value is a time whose moment and
    every later computation within the bounds can be made: never a server error.
    """

    default_error_messages = {
        "too_early": gettext_lazy("Choose a day from %(day)s on."),
        "too_late": gettext_lazy("Choose a day until %(day)s at the latest."),
    }

    def __init__(self, *, earliest_days: int | None, latest_days: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.earliest_days, self.latest_days = earliest_days, latest_days

    def to_python(self, value) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            parsed = value
        else:
            text = str(value).strip()
            try:
                parsed = parse_datetime(text)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if parsed is None:  # the other accepted formats, through strptime
                parsed = BaseTemporalField.to_python(self, text)
        if timezone.is_aware(parsed):  # an offset was given: that moment, on the local clock
            try:
                parsed = timezone.localtime(parsed).replace(tzinfo=None)
            except OverflowError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return parsed

    def first_day(self) -> date | None:
        if self.earliest_days is None:
            return None
        return timezone.localdate() - timedelta(days=self.earliest_days)

    def last_day(self) -> date:
        return timezone.localdate() + timedelta(days=self.latest_days)

    def validate(self, value: datetime | None) -> None:
        super().validate(value)
        if value is None:
            return
        first, last = self.first_day(), self.last_day()
        if first is not None and value.date() < first:
            raise ValidationError(
                self.error_messages["too_early"],
                code="too_early",
                params={"day": date_format(first, "SHORT_DATE_FORMAT")},
            )
        if value.date() > last:
            raise ValidationError(
                self.error_messages["too_late"],
                code="too_late",
                params={"day": date_format(last, "SHORT_DATE_FORMAT")},
            )
