"""Directory benchmark: about 1,000 centres, radius searches through the full Django stack.

Run with ``make bench``. Creates its centres in a throw-away test database and prints the
p50/p95 server time of the directory page with a "near" search, and of a centre page.
"""

from __future__ import annotations

import random

from bench.__main__ import measure

CENTRES = 1000


def create_centres(rng: random.Random, count: int) -> list:
    """``count`` centres of every kind spread over the municipalities of Wallonia and
    Brussels (the geography must be loaded)."""
    from django.utils.text import slugify

    from centres.models import Centre, CentreKind, Municipality, Region

    towns = list(
        Municipality.objects.filter(
            province__region__in=[Region.WALLONIA, Region.BRUSSELS], latitude__isnull=False
        )
    )
    kinds = [choice for choice, _label in CentreKind.choices]
    centres = []
    for number in range(count):
        town = rng.choice(towns)
        name = f"Centre {number} {town.name_fr}"
        centres.append(
            Centre(
                kind=rng.choice(kinds), name=name, name_fr=name, slug=slugify(name),
                municipality=town, latitude=town.latitude + rng.uniform(-0.02, 0.02),
                longitude=town.longitude + rng.uniform(-0.02, 0.02), languages=["fr"],
            )
        )  # fmt: skip
    return Centre.objects.bulk_create(centres)


def run() -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from centres.geography import load_geography
    from centres.models import Centre, OpeningSlot

    load_geography()
    create_centres(random.Random(42), CENTRES)  # noqa: S311 - a reproducible sample
    OpeningSlot.objects.bulk_create(
        OpeningSlot(centre=centre, weekday=day, opens="09:00", closes="17:00")
        for centre in Centre.objects.all()
        for day in range(5)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    directory = reverse("centres:directory")
    print(f"{Centre.objects.count()} centres, {OpeningSlot.objects.count()} opening slots")
    searches = [
        "",
        "?near=5000&radius=15",
        "?near=1000&radius=50",
        "?near=liege&radius=100&page=3",
        "?kind=siep&province=hainaut",
    ]
    for params in searches:
        url = directory + params
        assert client.get(url).status_code == 200, url
        measure(f"GET directory{params or ' (all)'}", lambda url=url: client.get(url), runs=200)
    sample = Centre.objects.order_by("?").first()
    measure("GET centre page", lambda: client.get(sample.get_absolute_url()), runs=200)
