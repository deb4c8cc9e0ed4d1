"""Search benchmark: 100,000 published offers over about 1,000 centres.

Run with ``make bench ARGS=search`` (``ARGS='search --offers=20000'`` for the register's
realistic size). It builds a
register with French and Dutch text drawn from a vocabulary of thousands of words with a
skewed (Zipf) frequency, in which the domain's common words (formation, emploi, orientation,
atelier…) appear in a large share of offers; rebuilds the index with the management command;
then runs a fixed set of queries through the full search page and prints p50/p95/p99 server
time and SQL queries per page, beside two baselines run on the same queries in the same run,
in the same view and templates: the peer baseline (plain PostgreSQL full-text search as
data·inclusion and les-emplois do it: ``SearchQuery`` + ``SearchRank`` over the GIN-indexed
documents, facet counts with filtered aggregates) and a naive page (``icontains``). Then the
one-offer reindex (p50/p95 of 50 samples), the rebuild time and the index's storage.
"""

from __future__ import annotations

import math
import os
import random
import time
from datetime import timedelta
from unittest import mock

from django.db.models import Q
from django.utils import timezone

OFFERS = int(os.environ.get("SEARCH_OFFERS", "100000"))
CENTRES = 1000
RUNS = int(os.environ.get("SEARCH_RUNS", "6"))
REINDEX_SAMPLES = 50

FRENCH_COMMON = [
    "formation",
    "emploi",
    "orientation",
    "atelier",
    "métier",
    "métiers",
    "accompagnement",
    "conseil",
    "jeunes",
    "entretien",
    "stage",
    "candidature",
    "compétences",
    "projet",
    "professionnel",
    "information",
    "séance",
    "entreprise",
    "recherche",
    "choix",
    "études",
    "avenir",
    "insertion",
    "découverte",
    "validation",
    "reconversion",
]
DUTCH_COMMON = [
    "opleiding",
    "werk",
    "loopbaan",
    "begeleiding",
    "workshop",
    "infosessie",
    "beroep",
    "jongeren",
    "sollicitatie",
    "stage",
    "competenties",
    "toekomst",
    "studiekeuze",
    "onderneming",
    "vacature",
    "gesprek",
    "oriëntatie",
]
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "ca",
    "ce",
    "ci",
    "co",
    "cu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "fa",
    "fe",
    "fi",
    "fo",
    "ga",
    "ge",
    "gi",
    "go",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "pa",
    "pe",
    "pi",
    "po",
    "pu",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "vu",
    "tion",
    "ment",
    "eur",
    "ique",
    "ant",
    "ier",
    "ière",
    "age",
    "elle",
    "oir",
]
NAMED = [
    "infirmier",
    "infirmière",
    "soudeur",
    "boulanger",
    "électricien",
    "comptable",
    "logisticien",
    "aide-soignant",
    "développeur",
    "menuisier",
    "verpleegkundige",
    "lasser",
    "bakker",
    "elektricien",
    "boekhouder",
]

# (label, query string) — at least 50, broad and narrow, accents missing, typos, facets, radius.
QUERIES = [
    ("broad", "q=formation"),
    ("broad", "q=emploi"),
    ("broad", "q=orientation"),
    ("broad", "q=atelier"),
    ("broad", "q=metier"),
    ("broad", "q=metiers"),
    ("broad", "q=accompagnement"),
    ("broad", "q=formations"),
    ("broad", "q=jeunes"),
    ("broad", "q=formation+emploi"),
    ("broad", "q=opleiding"),
    ("broad", "q=loopbaan"),
    ("broad", "q=formation&page=5"),
    ("broad", "q=orientation&sort=date"),
    ("broad", "q=conseil"),
    ("narrow", "q=infirmiere"),
    ("narrow", "q=infirmier"),
    ("narrow", "q=soudeur"),
    ("narrow", "q=boulanger+formation"),
    ("narrow", "q=electricien"),
    ("narrow", "q=comptable+stage"),
    ("narrow", "q=verpleegkundige"),
    ("narrow", "q=bakker"),
    ("narrow", "q=logisticien"),
    ("narrow", "q=menuisier+atelier"),
    ("narrow", "q=developpeur"),
    ("narrow", "q=validation+competences"),
    ("narrow", "q=reconversion+entreprise"),
    ("typo", "q=orientaton"),
    ("typo", "q=formaton"),
    ("typo", "q=infirmeire"),
    ("typo", "q=ateleir"),
    ("typo", "q=emplio"),
    ("typo", "q=begeleidnig"),
    ("facets", "q=formation&theme=find-a-training"),
    ("facets", "q=emploi&audience=jobseekers&free=1"),
    ("facets", "q=atelier&format=workshop&when=month"),
    ("facets", "theme=choose-a-direction&province=liege"),
    ("facets", "audience=young-people&anonymous=1"),
    ("facets", "q=orientation&mode=online&language=nl"),
    ("facets", "format=information-session&when=week"),
    ("facets", "q=jeunes&no_booking=1&theme=find-a-job"),
    ("facets", "free=1&anonymous=1&no_booking=1"),
    ("facets", "q=metier&province=hainaut&format=individual-interview"),
    ("radius", "near=5000&radius=15"),
    ("radius", "q=formation&near=1000&radius=10"),
    ("radius", "q=emploi&near=4000&radius=25&sort=distance"),
    ("radius", "q=atelier&near=charleroi&radius=30&theme=find-a-job"),
    ("radius", "near=6700&radius=50&when=month"),
    ("radius", "q=opleiding&near=1050&radius=5"),
    ("all", ""),
    ("all", "sort=date&page=3"),
    ("all", "when=today"),
    ("all", "language=nl"),
]


def _zipf_words(rng: random.Random, count: int) -> tuple[list[str], list[float]]:
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    weights = [1 / (rank + 1) ** 1.07 for rank in range(len(ordered))]
    return ordered, weights


def _populate(rng: random.Random) -> None:
    from django.db import connection
    from django.utils import timezone

    from bench.directory import create_centres
    from centres.geography import load_geography
    from offers.models import Audience, Format, Offer, Session, Theme

    load_geography()
    centres = create_centres(rng, CENTRES)
    vocabulary, weights = _zipf_words(rng, 6000)
    themes = list(Theme.objects.values_list("pk", flat=True))
    audiences = list(Audience.objects.values_list("pk", flat=True))
    formats = list(Format.objects.values_list("pk", flat=True))
    modes = ["on_site"] * 6 + ["online", "hybrid"]
    bookings = ["none", "recommended", "required"]
    now = timezone.now()
    review_due = timezone.localdate() + timedelta(days=120)

    def text(common: list[str], length: int, share: float) -> str:
        words = rng.choices(vocabulary, weights, k=length)
        for index in range(len(words)):
            if rng.random() < share:
                words[index] = rng.choice(common[:6] if rng.random() < 0.6 else common)
        return " ".join(words)

    started = time.perf_counter()
    for start in range(0, OFFERS, 5000):
        batch = []
        for _ in range(min(5000, OFFERS - start)):
            dutch = rng.random() < 0.3
            common = DUTCH_COMMON if dutch else FRENCH_COMMON
            title = text(common, rng.randint(3, 7), 0.3)
            if rng.random() < 0.03:
                title += " " + rng.choice(NAMED)
            summary = text(common, rng.randint(10, 20), 0.1)
            description = "<p>" + text(common, rng.randint(40, 90), 0.05) + "</p>"
            fields = {"title_nl": title, "summary_nl": summary, "description_nl": description}
            if not dutch:
                fields = {"title_fr": title, "summary_fr": summary, "description_fr": description}
            batch.append(
                Offer(
                    centre=rng.choice(centres), title=title, format_id=rng.choice(formats),
                    delivery_mode=rng.choice(modes), is_free=rng.random() < 0.9,
                    booking_need=rng.choice(bookings),
                    is_anonymous_possible=rng.random() < 0.4,
                    languages=["nl"] if dutch else (["fr", "nl"] if rng.random() < 0.1 else ["fr"]),
                    status="published", published_at=now - timedelta(days=rng.randint(0, 300)),
                    last_confirmed_at=now, review_due=review_due, **fields,
                )
            )  # fmt: skip
        for offer in batch:
            if not offer.is_free:
                offer.price_note = "Participation aux frais"
        offers = Offer.objects.bulk_create(batch)
        Offer.themes.through.objects.bulk_create(
            Offer.themes.through(offer_id=o.pk, theme_id=t)
            for o in offers
            for t in rng.sample(themes, rng.randint(1, 2))
        )
        Offer.audiences.through.objects.bulk_create(
            Offer.audiences.through(offer_id=o.pk, audience_id=a)
            for o in offers
            for a in rng.sample(audiences, rng.randint(1, 3))
        )
        sessions = []
        for offer in offers:
            if rng.random() < 0.4:
                first = now + timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 8))
                for week in range(rng.randint(1, 4)):
                    begins = first + timedelta(weeks=week)
                    sessions.append(
                        Session(
                            offer=offer, starts_at=begins, ends_at=begins + timedelta(hours=2),
                            capacity=rng.choice([None, 10, 20]),
                        )
                    )  # fmt: skip
        Session.objects.bulk_create(sessions)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{Offer.objects.count()} published offers, {Session.objects.count()} sessions, "
        f"{CENTRES} centres, vocabulary of {len(vocabulary)} words "
        f"(generated in {time.perf_counter() - started:.0f} s)"
    )


def _percentiles(timings: list[float]) -> str:
    ordered = sorted(timings)

    def pick(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))]

    return f"p50 {pick(0.50):7.1f} ms   p95 {pick(0.95):7.1f} ms   p99 {pick(0.99):7.1f} ms"


def _p95(timings: list[float]) -> float:
    return sorted(timings)[min(len(timings) - 1, int(len(timings) * 0.95))]


def _naive_search(criteria, *, page: int = 1, page_size: int = 20):
    """The naive page: icontains over title and description, counted and paged.

    It stands in for the real selector in the same view, so both are timed as whole pages
    (same middleware, form, cards and templates); it counts no facets.
    """
    from offers import search as search_selector
    from offers.models import Offer
    from offers.search_cards import cards

    offers = Offer.objects.findable()
    for word in criteria.text.split():
        offers = offers.filter(Q(title__icontains=word) | Q(description__icontains=word))
    total = offers.count()
    page_count = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), page_count)
    start = (page - 1) * page_size
    ids = list(offers.order_by("title").values_list("pk", flat=True)[start : start + page_size])
    return search_selector.SearchResult(
        criteria, cards(ids, ""), search_selector.Facets(total=total), page, page_count
    )


def _peer_search(criteria, *, page: int = 1, page_size: int = 20):
    """The peer baseline: plain PostgreSQL full-text search, the way data·inclusion and
    les-emplois search, over the same documents and GIN index.

    ``SearchQuery`` (websearch, in the three configurations) filters, ``SearchRank`` orders,
    and one query of filtered aggregates (``Count(filter=Q(...))``) gives the total and every
    facet count, each as if its value were chosen; then the same cards and page.
    """
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db.models import Count, F, FloatField
    from django.db.models.expressions import RawSQL

    from centres.querysets import EARTH_RADIUS_KM, KM_PER_DEGREE_LAT
    from offers import search as search_selector
    from offers.filters import Criteria, Vocabularies
    from offers.models import SearchDocument
    from offers.search_cards import cards

    today = timezone.localdate()
    documents = SearchDocument.objects.all()
    query = None
    if criteria.text:
        query = (
            SearchQuery(criteria.text, config="french_unaccent", search_type="websearch")
            | SearchQuery(criteria.text, config="dutch_unaccent", search_type="websearch")
            | SearchQuery(criteria.text, config="simple_unaccent", search_type="websearch")
        )
        documents = documents.filter(document=query)
    place = criteria.place
    if place is not None:
        radius = float(criteria.radius_km)
        delta_lat = radius / KM_PER_DEGREE_LAT
        delta_lon = radius / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(place.latitude)), 0.01))
        distance = RawSQL(
            "%s * acos(least(1.0, greatest(-1.0, cos(radians(%s)) * cos(radians(latitude))"
            " * cos(radians(longitude) - radians(%s))"
            " + sin(radians(%s)) * sin(radians(latitude)))))",
            [EARTH_RADIUS_KM, place.latitude, place.longitude, place.latitude],
            output_field=FloatField(),
        )
        documents = (
            documents.filter(
                latitude__range=(place.latitude - delta_lat, place.latitude + delta_lat),
                longitude__range=(place.longitude - delta_lon, place.longitude + delta_lon),
            )
            .annotate(distance=distance)
            .filter(distance__lte=radius)
        )

    def mode_q(mode: str) -> Q:
        return (
            Q(delivery_mode="hybrid") if mode == "hybrid" else Q(delivery_mode__in=[mode, "hybrid"])
        )

    def dates_q(when: Criteria) -> Q:
        return Q(session_dates__overlap=when.dates(today))

    chosen: dict[str, Q] = {}
    if criteria.theme:
        chosen["theme"] = Q(theme_ids__contains=[criteria.theme.pk])
    if criteria.audience:
        chosen["audience"] = Q(audience_ids__contains=[criteria.audience.pk])
    if criteria.format:
        chosen["format"] = Q(format_id=criteria.format.pk)
    if criteria.province:
        chosen["province"] = Q(province_id=criteria.province.pk)
    if criteria.mode:
        chosen["mode"] = mode_q(criteria.mode)
    if criteria.free:
        chosen["free"] = Q(is_free=True)
    if criteria.anonymous:
        chosen["anonymous"] = Q(is_anonymous_possible=True)
    if criteria.no_booking:
        chosen["no_booking"] = Q(needs_booking=False)
    if criteria.date_range(today)[0] is not None:
        chosen["when"] = dates_q(criteria)
    if criteria.language:
        chosen["language"] = Q(languages__contains=[criteria.language])

    def others(facet: str | None) -> Q:
        condition = Q()
        for name, q in chosen.items():
            if name != facet:
                condition &= q
        return condition

    vocabularies = Vocabularies.load()
    values: dict[str, dict] = {
        "theme": {t.pk: Q(theme_ids__contains=[t.pk]) for t in vocabularies.themes},
        "audience": {a.pk: Q(audience_ids__contains=[a.pk]) for a in vocabularies.audiences},
        "format": {f.pk: Q(format_id=f.pk) for f in vocabularies.formats},
        "province": {p.pk: Q(province_id=p.pk) for p in vocabularies.provinces},
        "language": {c: Q(languages__contains=[c]) for c in ("fr", "nl", "en", "de")},
        "mode": {m: mode_q(m) for m in ("on_site", "online", "hybrid")},
        "free": {"1": Q(is_free=True)},
        "anonymous": {"1": Q(is_anonymous_possible=True)},
        "no_booking": {"1": Q(needs_booking=False)},
        "when": {w: dates_q(Criteria(when=w)) for w in ("today", "week", "month")},
    }
    aggregates = {"total": Count("pk", filter=others(None))}
    for facet, by_value in values.items():
        for value, q in by_value.items():
            aggregates[f"{facet}|{value}"] = Count("pk", filter=others(facet) & q)
    for facet in chosen:
        aggregates[f"without|{facet}"] = Count("pk", filter=others(facet))
    numbers = documents.aggregate(**aggregates)
    facets = search_selector.Facets(total=numbers.pop("total"))
    for name, number in numbers.items():
        facet, value = name.split("|")
        key = value if facet in ("language", "mode", "free", "anonymous", "no_booking", "when",
                                 "without") else int(value)  # fmt: skip
        facets.counts.setdefault(facet, {})[key] = number
    page_count = max(1, math.ceil(facets.total / page_size))
    page = min(max(page, 1), page_count)
    found = documents.filter(others(None))
    sort = criteria.effective_sort
    if sort == "relevance" and query is not None:
        found = found.annotate(rank=SearchRank(F("document"), query)).order_by(
            "-rank", F("next_session_at").asc(nulls_last=True), "offer_id"
        )
    elif sort == "distance" and place is not None:
        found = found.order_by("distance", F("next_session_at").asc(nulls_last=True), "offer_id")
    else:
        found = found.order_by(
            F("next_session_at").asc(nulls_last=True), F("published_at").desc(), "offer_id"
        )
    start = (page - 1) * page_size
    ids = list(found.values_list("offer_id", flat=True)[start : start + page_size])
    return search_selector.SearchResult(
        criteria, cards(ids, criteria.text), facets, page, page_count
    )


def _reindex_one_offer(rng: random.Random, samples: int) -> list[float]:
    """Time the reindex of one random findable offer after its title and a session changed,
    as the ``reindex_offers`` task does it."""
    from offers.indexing import index_offers
    from offers.models import Offer, Session

    ids = list(Offer.objects.findable().values_list("pk", flat=True))
    timings = []
    for _ in range(samples):
        offer = Offer.objects.get(pk=rng.choice(ids))
        offer.title_fr = offer.title = f"{offer.title} {rng.choice(NAMED)}"
        offer.save(update_fields=["title", "title_fr"])
        start = timezone.now() + timedelta(days=rng.randint(0, 60), hours=1)
        session = offer.sessions.order_by("pk").first()
        if session is None:
            Session.objects.create(offer=offer, starts_at=start, ends_at=start + timedelta(hours=2))
        else:
            Session.objects.filter(pk=session.pk).update(
                starts_at=start, ends_at=start + timedelta(hours=2)
            )
        begin = time.perf_counter()
        index_offers([offer.pk], with_terms=False)
        timings.append((time.perf_counter() - begin) * 1000)
    return timings


def _storage_mb() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        sizes = []
        for table in ("offers_searchbitmap", "offers_searchdocument", "offers_searchword"):
            cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            sizes.append((table, cursor.fetchone()[0] / 1024 / 1024))
    return ", ".join(f"{table} {size:.1f} MB" for table, size in sizes)


def run() -> None:
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from offers import search as search_selector
    from offers.filters import SearchForm, Vocabularies
    from offers.models import SearchBitmap, SearchDocument

    rng = random.Random(2026)  # noqa: S311 - reproducible sample, not security
    print(f"register of {OFFERS} offers; load average before: {_load()}")
    _populate(rng)
    started = time.perf_counter()
    call_command("rebuild_search_index", verbosity=0)
    rebuild = time.perf_counter() - started
    print(
        f"index rebuild (manage.py rebuild_search_index): {rebuild:.1f} s for "
        f"{SearchDocument.objects.count()} documents, {SearchBitmap.objects.count()} sets"
    )
    print(f"index storage: {_storage_mb()}")
    # The peer baseline searches the vectors row by row, as its peers do: with their GIN index
    # (the portal's schema has none, its search reads sets). Dropped before the reindex timing.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX bench_document_gin ON offers_searchdocument USING gin (document)"
        )
        cursor.execute("ANALYZE offers_searchdocument")

    client = Client()
    url = reverse("offers:search")
    totals, queries_per_page = {}, set()
    for _label, params in QUERIES:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{url}?{params}")
        assert response.status_code == 200, params
        queries_per_page.add(len(captured))
        totals[params] = response.context["result"].total
    broad = [p for label, p in QUERIES if label == "broad"]
    share = min(totals[p] for p in broad[:8]) / SearchDocument.objects.count()
    print(
        f"{len(QUERIES)} queries; the 8 first broad ones each match ≥ {share:.0%} of the "
        f"register; SQL queries per search page: {sorted(queries_per_page)}"
    )
    # The selector's query count does not depend on the page size.
    for size in (10, 20, 100):
        form = SearchForm({"q": "formation"}, Vocabularies.load())
        criteria = form.criteria()
        with CaptureQueriesContext(connection) as captured:
            search_selector.search(criteria, page_size=size)
        print(f"  page size {size:>3}: {len(captured)} SQL queries in the search selector")

    # Timed through the full middleware stack, without the test client: it copies every
    # template context it sees, which a server does not.
    handler, factory = WSGIHandler(), RequestFactory()

    def serve(path: str) -> None:
        response = handler.get_response(factory.get(path))
        assert response.status_code == 200, path

    timed = {"sets": {}, "peer": {}, "naive": {}}
    selectors = {"sets": search_selector.search, "peer": _peer_search, "naive": _naive_search}
    # Each run times every query with the index, then with each baseline: the baselines'
    # scans would otherwise evict what the index keeps in memory. The baselines, ten to
    # forty times slower, run every other round.
    for round_number in range(RUNS):
        for name, by_label in timed.items():
            if name != "sets" and round_number % 2:
                continue
            with mock.patch.object(search_selector, "search", selectors[name]):
                for label, params in QUERIES:
                    begin = time.perf_counter()
                    serve(f"{url}?{params}")
                    by_label.setdefault(label, []).append((time.perf_counter() - begin) * 1000)
    titles = {
        "sets": "full search page (Roaring sets)",
        "peer": "peer baseline page (same view and templates; SearchQuery + SearchRank over "
        "the GIN-indexed documents, facet counts with Count(filter=Q(...)))",
        "naive": "naive page (same view and templates; icontains over title and description, "
        "count + first page, no facet counts)",
    }
    p95 = {}
    for name, by_label in timed.items():
        everything = [t for timings in by_label.values() for t in timings]
        p95[name] = _p95(everything)
        print(f"\n{titles[name]}, {len(everything)} requests:")
        print(f"  {'all queries':<14} {_percentiles(everything)}")
        for label, timings in by_label.items():
            print(f"  {label:<14} {_percentiles(timings)}")
    print(
        f"\np95 ratio peer / sets: {p95['peer'] / p95['sets']:.1f}×, "
        f"naive / sets: {p95['naive'] / p95['sets']:.1f}×"
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX bench_document_gin")
    reindex = _reindex_one_offer(rng, REINDEX_SAMPLES)
    print(
        f"one-offer reindex (title and a session changed), {len(reindex)} samples: "
        f"{_percentiles(reindex)}"
    )
    print(f"load average after: {_load()}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
