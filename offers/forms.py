"""Forms of the counsellors' space for offers and their sessions."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from centres.models import LANGUAGE_CHOICES, Centre, Municipality, PostalCode, Region
from guidance_portal.local_time import Resolved, WallClockField, span
from guidance_portal.query import PageField
from offers.models import Offer, OfferStatus, Session
from offers.models.session import MAX_DAYS_AHEAD
from offers.sanitize import clean_html

MAX_SERIES = 52


BOOKING_SETTINGS = ("max_places_per_booking", "booking_closes_hours", "reminder_hours_before")


class OfferForm(forms.ModelForm):
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=Centre.objects.none())
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple,
        required=False,
    )  # fmt: skip
    external_url = forms.URLField(label=_("External link"), required=False, assume_scheme="https")
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.filter(
            province__region__in=[Region.WALLONIA, Region.BRUSSELS]
        ).order_by("name"),
    )

    class Meta:
        model = Offer
        fields = [
            "centre", "title_fr", "title_nl", "title_en", "summary_fr", "summary_nl", "summary_en",
            "description_fr", "description_nl", "description_en", "themes", "audiences",
            "age_min", "age_max", "format", "delivery_mode", "uses_centre_address", "street",
            "postcode", "municipality", "is_free", "price", "price_note", "is_anonymous_possible",
            "booking_need", "max_places_per_booking", "booking_closes_hours",
            "reminder_hours_before", "languages", "accessibility_notes", "contact_email",
            "contact_phone", "external_url", "minimum_offer_categories",
        ]  # fmt: skip
        labels = {
            "title_fr": _("Title in French"),
            "title_nl": _("Title in Dutch"),
            "title_en": _("Title in English"),
            "summary_fr": _("Summary in French"),
            "summary_nl": _("Summary in Dutch"),
            "summary_en": _("Summary in English"),
            "description_fr": _("Description in French"),
            "description_nl": _("Description in Dutch"),
            "description_en": _("Description in English"),
        }
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "audiences": forms.CheckboxSelectMultiple,
            "minimum_offer_categories": forms.CheckboxSelectMultiple,
            "description_fr": forms.Textarea(attrs={"rows": 6}),
            "description_nl": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        centres = Centre.objects.editable_by(user).order_by("name")
        self.fields["centre"].queryset = centres
        if not self.instance.pk and not user.is_staff:
            only = list(centres[:2])
            if len(only) == 1:
                self.fields["centre"].initial = only[0]
        self.fields["title_fr"].required = True
        if self.instance.pk:
            self.fields["centre"].disabled = True
        for name in BOOKING_SETTINGS:  # optional: left empty, the offer keeps its value
            self.fields[name].required = False

    def _booking_setting(self, name: str) -> int:
        value = self.cleaned_data.get(name)
        if value is None:
            value = getattr(self.instance, name)
        return value

    def clean_max_places_per_booking(self) -> int:
        return self._booking_setting("max_places_per_booking")

    def clean_booking_closes_hours(self) -> int:
        return self._booking_setting("booking_closes_hours")

    def clean_reminder_hours_before(self) -> int:
        return self._booking_setting("reminder_hours_before")

    def clean(self) -> dict:
        cleaned = super().clean()
        age_min, age_max = cleaned.get("age_min"), cleaned.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            self.add_error("age_max", _("The maximum age must not be below the minimum age."))
        if (
            not cleaned.get("is_free")
            and cleaned.get("price") is None
            and not cleaned.get("price_note")
        ):
            self.add_error("price", _("Give the price, or a note about it, or tick “free”."))
        if not cleaned.get("uses_centre_address"):
            if not cleaned.get("municipality"):
                self.add_error(
                    "municipality", _("Give the municipality where the offer takes place.")
                )
            postcode, municipality = cleaned.get("postcode"), cleaned.get("municipality")
            if (
                postcode
                and municipality
                and not PostalCode.objects.filter(code=postcode, municipality=municipality).exists()
            ):
                self.add_error(
                    "postcode",
                    _("%(code)s is not a postcode of %(municipality)s.")
                    % {"code": postcode, "municipality": municipality},
                )
        for name in ("description_fr", "description_nl", "description_en"):
            if cleaned.get(name):
                cleaned[name] = clean_html(cleaned[name])
        return cleaned

    def revision_data(self) -> dict:
        """The edited values as JSON, for a pending edit of a published offer."""
        data = {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            if name in ("themes", "audiences", "minimum_offer_categories"):
                data[name] = sorted(item.pk for item in value)
            elif name in ("format", "municipality"):
                data[f"{name}_id"] = value.pk if value else None
            elif name == "price":
                data[name] = str(value) if value is not None else None
            elif name != "centre":
                data[name] = value
        return data


class OfferListForm(forms.Form):
    """The counsellors' list of their offers: its status filter and its page."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", ""), *OfferStatus.choices]
    )
    page = PageField()

    def filters(self) -> tuple[str, int]:
        """The status asked for (or all) and the page (or the first)."""
        self.is_valid()
        return self.cleaned_data.get("status") or "", self.cleaned_data.get("page") or 1


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class SessionTimeField(WallClockField):
    """When a new session starts or ends: from yesterday to ``MAX_DAYS_AHEAD`` days ahead."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", DateTimeInput())
        super().__init__(earliest_days=1, latest_days=MAX_DAYS_AHEAD, **kwargs)


class LocalSpanMixin:
    """``starts_at`` and ``ends_at``, typed on the local clock, become the moments meant.

    The cleaned values are aware (UTC); ``typed`` keeps what was typed and ``notes()`` says
    when a time typed does not exist or happens twice (see ``guidance_portal.local_time``).
    """

    def clean(self) -> dict:
        cleaned = super().clean()
        self.start: Resolved | None = None
        self.typed: tuple[datetime, datetime] | None = None
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", _("The session must end after it starts."))
            else:
                self.typed = (starts, ends)
                self.start, cleaned["ends_at"] = span(starts, ends)
                cleaned["starts_at"] = self.start.at
        return cleaned

    def notes(self) -> list[str]:
        note = self.start.note() if self.start else ""
        return [note] if note else []


class SessionForm(LocalSpanMixin, forms.ModelForm):
    """One session, from yesterday to ``MAX_DAYS_AHEAD`` days ahead."""

    class Meta:
        model = Session
        fields = ["starts_at", "ends_at", "capacity", "place", "online_url"]
        field_classes = {"starts_at": SessionTimeField, "ends_at": SessionTimeField}

    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")


class SeriesForm(SessionForm):
    """One session, repeated every week or every month for a number of times.

    Every date of a series keeps the wall-clock times typed (10:00 stays 10:00 across the
    change to summer time); a time that does not exist or happens twice on one of those days
    is resolved as ``local_time.moment`` says, and the end follows from the length typed.
    """

    repeat = forms.ChoiceField(
        label=_("Repeat"),
        choices=[("none", _("Once")), ("weekly", _("Every week")), ("monthly", _("Every month"))],
        initial="none",
    )
    occurrences = forms.IntegerField(
        label=_("Number of sessions"), min_value=1, max_value=MAX_SERIES, initial=1
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        self.starts: list[datetime] = []
        self.resolved: list[Resolved] = []
        repeat, count = cleaned.get("repeat"), cleaned.get("occurrences")
        if self.typed is None or repeat is None or count is None:
            return cleaned
        self.starts = _occurrences(self.typed[0], repeat, count if repeat != "none" else 1)
        last_day = self.fields["starts_at"].last_day()
        if self.starts and self.starts[-1].date() > last_day:
            within = len([s for s in self.starts if s.date() <= last_day])
            self.add_error(
                "occurrences",
                _(
                    "The last session would be on %(day)s: sessions are planned until "
                    "%(last)s at the latest. Choose %(count)d sessions or fewer."
                )
                % {
                    "day": date_format(self.starts[-1].date(), "SHORT_DATE_FORMAT"),
                    "last": date_format(last_day, "SHORT_DATE_FORMAT"),
                    "count": within,
                },
            )
        return cleaned

    def sessions(self, offer: Offer) -> list[Session]:
        """The sessions of the series, unsaved; ``notes()`` then says which times moved."""
        data = self.cleaned_data
        series = uuid.uuid4() if len(self.starts) > 1 else None
        typed_start, typed_end = self.typed
        self.resolved = []
        result = []
        for wall in self.starts:
            start, ends = span(wall, wall + (typed_end - typed_start))
            self.resolved.append(start)
            result.append(
                Session(
                    offer=offer, starts_at=start.at, ends_at=ends, capacity=data["capacity"],
                    place=data["place"], online_url=data["online_url"], series=series,
                )
            )  # fmt: skip
        return result

    def notes(self) -> list[str]:
        """After ``sessions()``: what to know about the times of the series' dates."""
        return [note for note in (start.note() for start in self.resolved) if note]


def _occurrences(first: datetime, repeat: str, count: int) -> list[datetime]:
    """The local wall-clock starts of a series (a monthly 31st skips shorter months)."""
    if repeat == "weekly":
        return [first + timedelta(weeks=index) for index in range(count)]
    if repeat == "monthly":
        starts = []
        for index in range(count):
            year, month = divmod(first.month - 1 + index, 12)
            try:
                starts.append(first.replace(year=first.year + year, month=month + 1))
            except ValueError:  # the 31st in a shorter month: that month has no session
                continue
        return starts
    return [first]


class SessionMoveForm(LocalSpanMixin, forms.Form):
    """A session's new date, typed on the local clock like a new session's."""

    starts_at = WallClockField(
        label=_("New start"), earliest_days=0, latest_days=MAX_DAYS_AHEAD, widget=DateTimeInput()
    )
    ends_at = WallClockField(
        label=_("New end"), earliest_days=0, latest_days=MAX_DAYS_AHEAD, widget=DateTimeInput()
    )
