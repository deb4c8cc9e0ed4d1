"""CSV import and export of centres.

The import validates every row first and writes nothing when any row is invalid; then it
creates or updates the centres, matched by slug, in one transaction.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from centres.models import (
    CENTRE_DESCRIPTION_LENGTH,
    LANGUAGE_CHOICES,
    Centre,
    CentreKind,
    Municipality,
    Network,
    PostalCode,
)
from guidance_portal.validators import MultiLineCharField, SingleLineCharField

EXPORT_COLUMNS = [
    "slug", "kind", "name", "name_nl", "name_en", "network", "parent", "street", "postcode",
    "municipality", "province", "latitude", "longitude", "website", "phone", "email",
    "languages", "is_free", "is_anonymous_possible", "is_active", "source_url",
]  # fmt: skip
REQUIRED_COLUMNS = {"kind", "name", "municipality"}
LANGUAGE_CODES = {code for code, _label in LANGUAGE_CHOICES}
TRUE = {"1", "true", "yes", "oui", "ja", "y"}


def export_row(centre: Centre) -> list:
    return [
        centre.slug, centre.kind, centre.name_fr, centre.name_nl or "", centre.name_en or "",
        centre.network.name if centre.network else "", centre.parent.slug if centre.parent else "",
        centre.street, centre.postcode, centre.municipality.name_fr,
        centre.municipality.province.name_fr, f"{centre.latitude:.5f}", f"{centre.longitude:.5f}",
        centre.website, centre.phone, centre.email, ";".join(centre.languages),
        int(centre.is_free), int(centre.is_anonymous_possible), int(centre.is_active),
        centre.source_url,
    ]  # fmt: skip


class CentreRowForm(forms.Form):
    kind = forms.ChoiceField(choices=CentreKind.choices)
    name = SingleLineCharField(max_length=200)
    name_nl = SingleLineCharField(max_length=200, required=False)
    name_en = SingleLineCharField(max_length=200, required=False)
    slug = forms.SlugField(max_length=200, required=False)
    network = SingleLineCharField(max_length=200, required=False)
    parent = SingleLineCharField(max_length=200, required=False)
    description = MultiLineCharField(max_length=CENTRE_DESCRIPTION_LENGTH, required=False)
    street = SingleLineCharField(max_length=200, required=False)
    postcode = forms.RegexField(regex=r"^\d{4}$", required=False)
    municipality = SingleLineCharField(max_length=100)
    latitude = forms.FloatField(min_value=49.4, max_value=51.6, required=False)
    longitude = forms.FloatField(min_value=2.5, max_value=6.5, required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    phone = SingleLineCharField(max_length=30, required=False)
    email = forms.EmailField(required=False)
    languages = SingleLineCharField(required=False)
    is_free = SingleLineCharField(required=False)
    is_anonymous_possible = SingleLineCharField(required=False)
    is_active = SingleLineCharField(required=False)
    source_url = forms.URLField(max_length=500, required=False, assume_scheme="https")

    def clean_municipality(self) -> Municipality:
        name = self.cleaned_data["municipality"].strip()
        found = list(
            Municipality.objects.filter(
                Q(name_fr__unaccent__iexact=name) | Q(name_nl__unaccent__iexact=name)
            ).select_related("province")[:2]
        )
        if len(found) != 1:
            raise forms.ValidationError(
                _("unknown municipality “%(name)s”") % {"name": name}
                if not found
                else _("“%(name)s” names several municipalities") % {"name": name}
            )
        return found[0]

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data["languages"].replace(",", ";")
        codes = [code.strip().lower() for code in raw.split(";") if code.strip()]
        unknown = sorted(set(codes) - LANGUAGE_CODES)
        if unknown:
            raise forms.ValidationError(
                _("unknown language code(s): %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return codes

    def clean(self) -> dict:
        cleaned = super().clean()
        municipality, postcode = cleaned.get("municipality"), cleaned.get("postcode")
        if municipality and postcode:
            point = PostalCode.objects.filter(code=postcode, municipality=municipality).first()
            if point is None:
                self.add_error(
                    "postcode",
                    _("%(code)s is not a postcode of %(municipality)s")
                    % {"code": postcode, "municipality": municipality},
                )
            cleaned["point"] = point
        for flag, default in (
            ("is_free", True),
            ("is_anonymous_possible", False),
            ("is_active", True),
        ):
            value = (cleaned.get(flag) or "").strip().lower()
            cleaned[flag] = default if value == "" else value in TRUE
        cleaned["slug"] = cleaned.get("slug") or slugify(cleaned.get("name", ""))[:200]
        return cleaned


@dataclass
class ImportReport:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors


def read_rows(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise ValueError(
                _("missing column(s): %(columns)s") % {"columns": ", ".join(sorted(missing))}
            )
        for number, row in enumerate(reader, start=2):
            yield number, {key: (value or "").strip() for key, value in row.items() if key}


def validate(rows: Iterable[tuple[int, dict]]) -> ImportReport:
    report = ImportReport()
    slugs: dict[str, int] = {}
    for number, row in rows:
        form = CentreRowForm(row)
        if not form.is_valid():
            for name, errors in form.errors.items():
                for error in errors:
                    report.errors.append(
                        _("line %(line)d: %(field)s: %(error)s")
                        % {"line": number, "field": name, "error": error}
                    )
            continue
        data = form.cleaned_data
        if data["slug"] in slugs:
            report.errors.append(
                _("line %(line)d: slug: “%(slug)s” already used on line %(other)d")
                % {"line": number, "slug": data["slug"], "other": slugs[data["slug"]]}
            )
            continue
        slugs[data["slug"]] = number
        data["line"] = number
        report.rows.append(data)
    known = set(Centre.objects.values_list("slug", flat=True)) | set(slugs)
    for data in report.rows:
        parent = data["parent"]
        if parent and parent not in known and slugify(parent) not in known:
            report.errors.append(
                _("line %(line)d: parent: no centre “%(parent)s” in the file or the register")
                % {"line": data["line"], "parent": parent}
            )
    return report


@transaction.atomic
def write(report: ImportReport, progress=lambda rows: rows) -> ImportReport:
    """Create or update every validated row. Run only on a valid report."""
    assert report.is_valid
    existing = set(Centre.objects.values_list("slug", flat=True))
    networks: dict[str, Network] = {}
    for data in progress(report.rows):
        network = None
        if data["network"]:
            slug = slugify(data["network"])[:50]
            network = (
                networks.get(slug)
                or Network.objects.get_or_create(
                    slug=slug, defaults={"name": data["network"], "name_fr": data["network"]}
                )[0]
            )
            networks[slug] = network
        municipality = data["municipality"]
        point = data.get("point")
        latitude = data["latitude"] or (point.latitude if point else municipality.latitude)
        longitude = data["longitude"] or (point.longitude if point else municipality.longitude)
        values = {
            "kind": data["kind"],
            "name_fr": data["name"],
            "name_nl": data["name_nl"] or None,
            "name_en": data["name_en"] or None,
            "network": network,
            "street": data["street"],
            "postcode": data["postcode"],
            "municipality": municipality,
            "latitude": latitude,
            "longitude": longitude,
            "website": data["website"],
            "phone": data["phone"],
            "email": data["email"],
            "languages": data["languages"],
            "is_free": data["is_free"],
            "is_anonymous_possible": data["is_anonymous_possible"],
            "is_active": data["is_active"],
            "source_url": data["source_url"],
        }
        if data["description"]:
            values["description_fr"] = data["description"]
        Centre.objects.update_or_create(slug=data["slug"], defaults=values)
        if data["slug"] in existing:
            report.updated += 1
        else:
            report.created += 1
    for data in report.rows:
        if data["parent"]:
            parent = Centre.objects.filter(
                Q(slug=data["parent"]) | Q(slug=slugify(data["parent"]))
            ).first()
            Centre.objects.filter(slug=data["slug"]).update(parent=parent)
    return report
