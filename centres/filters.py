"""The directory's filters: every one lives in the URL and is checked before use."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from centres.models import LANGUAGE_CHOICES, Centre, CentreKind, PostalCode, Province, Region

DEFAULT_RADIUS_KM = 15
MAX_RADIUS_KM = 200
MAX_QUERY_LENGTH = 100


class DirectoryForm(forms.Form):
    """Validates ``near`` and ``radius`` together: an unknown place is a field error."""

    def clean_near(self) -> str:
        near = (self.cleaned_data.get("near") or "").strip()
        if near and not PostalCode.objects.matching(near).exists():
            raise forms.ValidationError(
                _("“%(place)s” is not a Belgian postcode or municipality we know."),
                params={"place": near[:40]},
                code="unknown_place",
            )
        return near


class CentreFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name"),
        method="filter_text",
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of centre"), choices=CentreKind.choices, empty_label=_("All kinds")
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province"),
        field_name="municipality__province",
        to_field_name="slug",
        queryset=Province.objects.filter(region__in=[Region.WALLONIA, Region.BRUSSELS]),
        empty_label=_("All provinces"),
    )
    municipality = django_filters.CharFilter(
        label=_("Municipality"), method="filter_municipality", max_length=MAX_QUERY_LENGTH
    )
    language = django_filters.ChoiceFilter(
        label=_("Language spoken"),
        choices=LANGUAGE_CHOICES,
        empty_label=_("Any language"),
        method="filter_language",
    )
    near = django_filters.CharFilter(
        label=_("Near (postcode or municipality)"),
        method="filter_near",
        max_length=MAX_QUERY_LENGTH,
    )
    radius = django_filters.NumberFilter(
        label=_("Within (km)"),
        method="filter_noop",
        min_value=1,
        max_value=MAX_RADIUS_KM,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_RADIUS_KM, "step": 1}),
    )

    class Meta:
        model = Centre
        fields = ["q", "kind", "province", "municipality", "language", "near", "radius"]
        form = DirectoryForm

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__unaccent__icontains=value)
            | Q(name_fr__unaccent__icontains=value)
            | Q(name_nl__unaccent__icontains=value)
        )

    def filter_municipality(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(municipality__name_fr__unaccent__iexact=value)
            | Q(municipality__name_nl__unaccent__iexact=value)
            | Q(postcode=value)
        )

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(languages__contains=[value])

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset  # radius is read by filter_near

    def filter_near(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        place = PostalCode.objects.matching(value).first()
        if place is None:
            return queryset
        radius = self.form.cleaned_data.get("radius") or DEFAULT_RADIUS_KM
        self.origin = place
        return queryset.near(place.latitude, place.longitude, float(radius))

    @property
    def radius_km(self) -> float:
        return float(self.form.cleaned_data.get("radius") or DEFAULT_RADIUS_KM)

    origin: PostalCode | None = None
