"""The search page's parameters: every one lives in the URL and is checked before use.

A parameter that cannot be used (an unknown theme, a negative radius, dates in the wrong
order) never breaks the page: it is corrected or ignored, and the page says so.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from centres.filters import DEFAULT_RADIUS_KM, MAX_RADIUS_KM
from centres.models import LANGUAGE_CHOICES, PostalCode, Province, Region
from guidance_portal.query import shown
from offers.models import Audience, DeliveryMode, Format, Theme
from offers.models.session import MAX_DAYS_AHEAD

MAX_QUERY_LENGTH = 200
MAX_RANGE_DAYS = 366


WHEN_CHOICES = [
    ("today", _("Today")),
    ("week", _("This week")),
    ("month", _("This month")),
]
SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("date", _("Next session")),
    ("distance", _("Distance")),
]


# The version changes with the shape of what is cached: a deploy never reads an old pickle.
VOCABULARIES_CACHE_KEY = "search:vocabularies:2"
VOCABULARIES_CACHE_SECONDS = 600


def _normal(near: str) -> str:
    return " ".join(near.split()).lower()


def _place_key(near: str) -> str:
    return "search:place:2:" + hashlib.sha256(_normal(near).encode()).hexdigest()[:32]


@dataclass
class Vocabularies:
    """The taxonomies the form offers, and the places asked for.

    Every search page needs them and they hardly change, so they are kept in the shared
    cache (Redis); saving or deleting a term, a province, a municipality or a postcode
    forgets them (``forget``). A place typed in "near" is cached beside them, stamped with
    their generation: a place cached before they were forgotten is read again.
    """

    themes: list[Theme]
    audiences: list[Audience]
    formats: list[Format]
    provinces: list[Province]
    generation: str = field(default_factory=lambda: secrets.token_hex(8))
    places: dict[str, PostalCode] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, near: str = "") -> Vocabularies:
        """From the cache (one round trip, with the place asked for), else the database."""
        place_key = _place_key(near) if near.strip() else None
        found = cache.get_many([VOCABULARIES_CACHE_KEY, *([place_key] if place_key else [])])
        vocabularies = found.get(VOCABULARIES_CACHE_KEY)
        if not isinstance(vocabularies, cls) or not hasattr(vocabularies, "generation"):
            vocabularies = cls.read()
            cache.set(VOCABULARIES_CACHE_KEY, vocabularies, VOCABULARIES_CACHE_SECONDS)
        vocabularies.places = {}
        generation, place = found.get(place_key, ("", None))
        if place is not None and generation == vocabularies.generation:
            vocabularies.places[_normal(near)] = place
        return vocabularies

    def place(self, near: str) -> PostalCode | None:
        """The postcode (with its municipality) for a code or a municipality's name."""
        text = _normal(near)
        if text not in self.places:
            place = PostalCode.objects.matching(text).first()
            if place is not None:
                entry = (self.generation, place)
                cache.set(_place_key(text), entry, VOCABULARIES_CACHE_SECONDS)
            self.places[text] = place
        return self.places[text]

    @classmethod
    def read(cls) -> Vocabularies:
        """From the database (four queries)."""
        return cls(
            themes=list(Theme.objects.all()),
            audiences=list(Audience.objects.all()),
            formats=list(Format.objects.all()),
            provinces=list(
                Province.objects.filter(region__in=[Region.WALLONIA, Region.BRUSSELS]).order_by(
                    "name"
                )
            ),
        )

    @staticmethod
    def forget() -> None:
        """Drop the cached copy now and again after commit (a page may have read it since)."""
        cache.delete(VOCABULARIES_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(VOCABULARIES_CACHE_KEY))


@dataclass(frozen=True)
class Period:
    """The days searched, and what was changed in the dates asked for to reach them."""

    start: date | None = None
    end: date | None = None
    swapped: bool = False  # the dates were in the wrong order
    over: bool = False  # the period asked for ended before today: dates are ignored
    too_far: bool = False  # it started after the last day a session can be planned
    shortened: bool = False  # it lasted more than MAX_RANGE_DAYS


def searched_period(date_from: date | None, date_to: date | None, today: date) -> Period:
    """The days to search for the dates a citizen asked for, always a bounded period.

    Only upcoming sessions are found and none is planned more than ``MAX_DAYS_AHEAD`` days
    ahead, so the period starts today at the earliest and on that last day at the latest,
    and it lasts ``MAX_RANGE_DAYS`` at most, whichever end was given: an end alone counts
    from today, a start alone runs for ``MAX_RANGE_DAYS``. Any date a form accepts (years 1
    to 9999) gives a period whose every day can be computed.
    """
    if date_from is None and date_to is None:
        return Period()
    swapped = bool(date_from and date_to and date_from > date_to)
    if swapped:
        date_from, date_to = date_to, date_from
    if date_to is not None and date_to < today:
        return Period(swapped=swapped, over=True)
    last_day = today + timedelta(days=MAX_DAYS_AHEAD)
    start = max(date_from or today, today)
    too_far = start > last_day
    start = min(start, last_day)
    end = start + timedelta(days=MAX_RANGE_DAYS - 1)
    shortened = date_to is not None and date_to > end
    if date_to is not None and not shortened:
        end = date_to
    return Period(start, end, swapped=swapped, too_far=too_far, shortened=shortened)


@dataclass
class Criteria:
    """What the citizen asked for, checked: the search selector's only input."""

    text: str = ""
    theme: Theme | None = None
    audience: Audience | None = None
    format: Format | None = None
    province: Province | None = None
    mode: str = ""
    free: bool = False
    anonymous: bool = False
    no_booking: bool = False
    when: str = ""
    date_from: date | None = None
    date_to: date | None = None
    language: str = ""
    place: PostalCode | None = None
    radius_km: int = DEFAULT_RADIUS_KM
    sort: str = ""
    notes: list[str] = field(default_factory=list)

    def dates(self, today: date) -> list[date] | None:
        """The days a session must fall on, or None when dates do not matter."""
        start, end = self.date_range(today)
        if start is None:
            return None
        return [start + timedelta(days=n) for n in range((end - start).days + 1)]

    def date_range(self, today: date) -> tuple[date | None, date | None]:
        if self.when == "today":
            return today, today
        if self.when == "week":
            return today, today + timedelta(days=6 - today.weekday())
        if self.when == "month":
            next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
            return today, next_month - timedelta(days=1)
        period = searched_period(self.date_from, self.date_to, today)
        return period.start, period.end

    @property
    def effective_sort(self) -> str:
        if self.sort == "distance" and self.place is None:
            return "relevance" if self.text else "date"
        if self.sort:
            return self.sort
        if self.place is not None:
            return "distance"
        return "relevance" if self.text else "date"

    @property
    def facet_count(self) -> int:
        return sum(
            bool(value)
            for value in (
                self.theme,
                self.audience,
                self.format,
                self.province,
                self.mode,
                self.free,
                self.anonymous,
                self.no_booking,
                self.when or self.date_from or self.date_to,
                self.language,
                self.place,
            )
        )


def _slug_choices(terms) -> list[tuple[str, str]]:
    return [("", "—"), *((term.slug, term.name) for term in terms)]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("What are you looking for?"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("For example: choose studies, CV workshop, job fair, nurse."),
    )
    near = forms.CharField(
        label=_("Near (postcode or municipality)"), required=False, max_length=100
    )
    radius = forms.IntegerField(
        label=_("Within (km)"),
        required=False,
        min_value=1,
        max_value=MAX_RADIUS_KM,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_RADIUS_KM, "step": 1}),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    # Facets: chosen through links with counts; kept in the form so that submitting the text
    # box keeps them and an unknown value is reported.
    theme = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    audience = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    format = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    province = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        required=False, choices=[("", ""), *DeliveryMode.choices], widget=forms.HiddenInput
    )
    free = forms.BooleanField(required=False, widget=forms.HiddenInput)
    anonymous = forms.BooleanField(required=False, widget=forms.HiddenInput)
    no_booking = forms.BooleanField(required=False, widget=forms.HiddenInput)
    when = forms.ChoiceField(
        required=False, choices=[("", ""), *WHEN_CHOICES], widget=forms.HiddenInput
    )
    language = forms.ChoiceField(
        required=False, choices=[("", ""), *LANGUAGE_CHOICES], widget=forms.HiddenInput
    )

    IGNORED = {
        "theme": _("The theme “%(value)s” does not exist: that filter was ignored."),
        "audience": _("The audience “%(value)s” does not exist: that filter was ignored."),
        "format": _("The format “%(value)s” does not exist: that filter was ignored."),
        "province": _("The province “%(value)s” does not exist: that filter was ignored."),
        "mode": _("“%(value)s” is not a way of taking part: that filter was ignored."),
        "when": _("“%(value)s” is not a period we know: that filter was ignored."),
        "language": _("“%(value)s” is not a language we know: that filter was ignored."),
        "radius": _(
            "The distance must be a whole number of km from 1 to %(max)d: %(default)d km is used."
        ),
        "date_from": _("“%(value)s” is not a date (use YYYY-MM-DD): it was ignored."),
        "date_to": _("“%(value)s” is not a date (use YYYY-MM-DD): it was ignored."),
        "sort": _("“%(value)s” is not a way of sorting: the default order is used."),
        "near": _(
            "“%(value)s” is not a Belgian postcode or municipality we know: "
            "the distance filter was ignored."
        ),
        "free": _("“%(value)s” is not a yes/no value: that filter was ignored."),
        "anonymous": _("“%(value)s” is not a yes/no value: that filter was ignored."),
        "no_booking": _("“%(value)s” is not a yes/no value: that filter was ignored."),
    }  # fmt: skip

    def __init__(self, data, vocabularies: Vocabularies, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.vocabularies = vocabularies
        self.fields["theme"].choices = _slug_choices(vocabularies.themes)
        self.fields["audience"].choices = _slug_choices(vocabularies.audiences)
        self.fields["format"].choices = _slug_choices(vocabularies.formats)
        self.fields["province"].choices = _slug_choices(vocabularies.provinces)
        self.truncated = False
        self.place: PostalCode | None = None

    def clean_q(self) -> str:
        text = " ".join((self.cleaned_data.get("q") or "").split())
        if len(text) > MAX_QUERY_LENGTH:
            self.truncated = True
            text = text[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0]
        return text

    def clean_near(self) -> str:
        near = (self.cleaned_data.get("near") or "").strip()
        self.place = self.vocabularies.place(near) if near else None
        if near and self.place is None:
            raise forms.ValidationError(
                _("“%(place)s” is not a Belgian postcode or municipality we know."),
                params={"place": near[:40]},
                code="unknown_place",
            )
        return near

    def criteria(self) -> Criteria:
        """The usable parameters, with a note for each one that was corrected or ignored."""
        self.is_valid()
        data = self.cleaned_data
        notes: list[str] = []
        for name in self.errors:
            raw = shown(self.data.get(name, ""))
            message = self.IGNORED.get(name)
            if message:
                notes.append(
                    str(message)
                    % {"value": raw, "max": MAX_RADIUS_KM, "default": DEFAULT_RADIUS_KM}
                )
        if self.truncated:
            notes.append(
                str(_("Your search was shortened to its first %(count)d characters."))
                % {"count": MAX_QUERY_LENGTH}
            )
        by_slug = {
            name: {term.slug: term for term in getattr(self.vocabularies, plural)}
            for name, plural in (
                ("theme", "themes"),
                ("audience", "audiences"),
                ("format", "formats"),
                ("province", "provinces"),
            )
        }
        period = searched_period(data.get("date_from"), data.get("date_to"), timezone.localdate())
        if not data.get("when"):  # a period chosen by name replaces the dates
            notes += _period_notes(period)
        return Criteria(
            text=data.get("q") or "",
            theme=by_slug["theme"].get(data.get("theme") or ""),
            audience=by_slug["audience"].get(data.get("audience") or ""),
            format=by_slug["format"].get(data.get("format") or ""),
            province=by_slug["province"].get(data.get("province") or ""),
            mode=data.get("mode") or "",
            free=bool(data.get("free")),
            anonymous=bool(data.get("anonymous")),
            no_booking=bool(data.get("no_booking")),
            when=data.get("when") or "",
            date_from=period.start,
            date_to=period.end,
            language=data.get("language") or "",
            place=self.place if data.get("near") else None,
            radius_km=data.get("radius") or DEFAULT_RADIUS_KM,
            sort=data.get("sort") or "",
            notes=notes,
        )


def _period_notes(period: Period) -> list[str]:
    notes = []
    if period.swapped:
        notes.append(str(_("The dates were in the wrong order: they have been swapped.")))
    if period.over:
        notes.append(str(_("That period is over: only upcoming sessions are shown.")))
    if period.too_far:
        notes.append(
            str(_("No session is planned after %(day)s: the search starts on that day."))
            % {"day": date_format(period.start, "SHORT_DATE_FORMAT")}
        )
    if period.shortened:
        notes.append(
            str(_("Dates are searched one year at most: the period was shortened to %(day)s."))
            % {"day": date_format(period.end, "SHORT_DATE_FORMAT")}
        )
    return notes
