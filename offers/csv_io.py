"""CSV import and export of offers. The import validates every row and writes nothing when
any row is invalid; valid files create draft offers (a moderator publishes them)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _

from centres.models import Centre
from guidance_portal.validators import SingleLineCharField
from offers.models import Audience, Format, Offer, Theme

COLUMNS = [
    "centre", "title", "title_nl", "title_en", "summary", "format", "themes", "audiences",
    "delivery_mode", "booking_need", "is_free", "price", "age_min", "age_max", "external_url",
]  # fmt: skip
REQUIRED = {"centre", "title", "format"}


def _slugs(model, raw: str) -> list:
    slugs = [s.strip() for s in raw.replace(",", ";").split(";") if s.strip()]
    found = {term.slug: term for term in model.objects.filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise forms.ValidationError(_("unknown: %(slugs)s") % {"slugs": ", ".join(unknown)})
    return [found[s] for s in slugs]


class OfferRowForm(forms.Form):
    centre = forms.SlugField()
    title = SingleLineCharField(max_length=200)
    title_nl = SingleLineCharField(max_length=200, required=False)
    title_en = SingleLineCharField(max_length=200, required=False)
    summary = SingleLineCharField(max_length=300, required=False)
    format = forms.SlugField()
    themes = SingleLineCharField(required=False)
    audiences = SingleLineCharField(required=False)
    delivery_mode = forms.ChoiceField(
        choices=Offer._meta.get_field("delivery_mode").choices, required=False
    )
    booking_need = forms.ChoiceField(
        choices=Offer._meta.get_field("booking_need").choices, required=False
    )
    is_free = SingleLineCharField(required=False)
    price = forms.DecimalField(max_digits=7, decimal_places=2, min_value=0, required=False)
    age_min = forms.IntegerField(min_value=0, max_value=120, required=False)
    age_max = forms.IntegerField(min_value=0, max_value=120, required=False)
    external_url = forms.URLField(required=False, assume_scheme="https")

    def clean_centre(self) -> Centre:
        centre = Centre.objects.filter(slug=self.cleaned_data["centre"]).first()
        if centre is None:
            raise forms.ValidationError(_("no centre with this slug"))
        return centre

    def clean_format(self) -> Format:
        return _slugs(Format, self.cleaned_data["format"])[0]

    def clean_themes(self) -> list:
        return _slugs(Theme, self.cleaned_data["themes"])

    def clean_audiences(self) -> list:
        return _slugs(Audience, self.cleaned_data["audiences"])

    def clean(self) -> dict:
        cleaned = super().clean()
        free = (cleaned.get("is_free") or "1").strip().lower() in {"1", "true", "yes", "oui", "ja"}
        cleaned["is_free"] = free
        if not free and cleaned.get("price") is None:
            self.add_error("price", _("a paying offer needs a price"))
        low, high = cleaned.get("age_min"), cleaned.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("below the minimum age"))
        return cleaned


@dataclass
class ImportReport:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def read_rows(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = REQUIRED - set(reader.fieldnames or [])
        if missing:
            raise ValueError(
                _("missing column(s): %(columns)s") % {"columns": ", ".join(sorted(missing))}
            )
        for number, row in enumerate(reader, start=2):
            yield number, {key: (value or "").strip() for key, value in row.items() if key}


def validate(rows: Iterable[tuple[int, dict]]) -> ImportReport:
    report = ImportReport()
    for number, row in rows:
        form = OfferRowForm(row)
        if form.is_valid():
            report.rows.append(form.cleaned_data)
        else:
            for name, errors in form.errors.items():
                for error in errors:
                    report.errors.append(
                        _("line %(line)d: %(field)s: %(error)s")
                        % {"line": number, "field": name, "error": error}
                    )
    return report


@transaction.atomic
def write(report: ImportReport, progress=lambda rows: rows) -> int:
    assert report.is_valid
    for data in progress(report.rows):
        offer = Offer.objects.create(
            centre=data["centre"], title_fr=data["title"], title_nl=data["title_nl"] or None,
            title_en=data["title_en"] or None, summary_fr=data["summary"], format=data["format"],
            delivery_mode=data["delivery_mode"] or "on_site",
            booking_need=data["booking_need"] or "none", is_free=data["is_free"],
            price=data["price"], age_min=data["age_min"], age_max=data["age_max"],
            external_url=data["external_url"],
        )  # fmt: skip
        offer.themes.set(data["themes"])
        offer.audiences.set(data["audiences"])
    return len(report.rows)


def export_row(offer: Offer) -> list:
    return [
        offer.centre.slug, offer.title_fr, offer.title_nl or "", offer.title_en or "",
        offer.summary_fr or "", offer.format.slug, ";".join(t.slug for t in offer.themes.all()),
        ";".join(a.slug for a in offer.audiences.all()), offer.delivery_mode, offer.booking_need,
        int(offer.is_free), offer.price or "", offer.age_min or "", offer.age_max or "",
        offer.external_url,
    ]  # fmt: skip
