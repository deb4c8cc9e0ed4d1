"""The search engine: what it finds and counts is what the offers say, on any register.

The contract, tested through ``search(criteria)`` and the engine's public steps:
- on a random register, the results, their order and every facet count equal a brute-force
  evaluation in Python over the offers themselves, for plain words, phrases, ``or``,
  ``-word``, facets, dates and a radius (no second SQL implementation to agree with);
- each step does what its docstring says: the tsquery text PostgreSQL writes parses into a
  tree PostgreSQL reads back the same, a page is planned bucket by bucket, counts apply
  every other choice, any date up to 9999-12-31 is safe;
- the index holds exactly ``Offer.objects.findable()``; updates leave the sets a full
  rebuild makes; reindexing one offer writes only the sets it leaves or enters;
- an index never built shows a notice and queues one rebuild, which the worker runs;
- a writer that cannot take the index lock in time fails loudly.
"""

import math
import random
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from pyroaring import BitMap

from guidance_portal.locking import LockKind, LockTimeout, hold, lock_key
from offers import bitmaps, tsquery
from offers.filters import Criteria, SearchForm, Vocabularies
from offers.indexing import index_offers, rebuild_index
from offers.models import Audience, Format, Offer, SearchBitmap, SearchDocument, Session, Theme
from offers.search import Segment, count, date_spans, key_ranges, plan_page, search
from offers.tasks import REBUILD_QUEUED_KEY, drop_unfindable_offers, rebuild_search_index
from tests.factories import (
    CentreFactory,
    MunicipalityFactory,
    OfferFactory,
    PostalCodeFactory,
    ProvinceFactory,
)

pytestmark = pytest.mark.django_db

# Made-up words every configuration keeps as they are (checked below): whether an offer
# holds one is whether its text does.
WORDS = ["zorbak", "plimut", "kwistof", "drabul", "fenzak", "gortup"]
TOWNS = [  # (refnis, name, latitude, longitude, province)
    ("92094", "Namur", 50.4669, 4.8675, "namur"),
    ("92140", "Jambes", 50.4566, 4.8726, "namur"),
    ("92003", "Andenne", 50.4906, 5.0944, "namur"),
    ("62063", "Liège", 50.6326, 5.5797, "liege"),
]


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    cosine = math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return 6371.0 * math.acos(max(-1.0, min(1.0, cosine + math.sin(lat1) * math.sin(lat2))))


class Facts:
    """One offer as the brute force sees it: read from the register, not the index."""

    def __init__(self, offer: Offer, now) -> None:
        self.pk = offer.pk
        self.title = offer.title_fr.split()
        self.summary = offer.summary_fr.split()
        self.themes = {t.pk for t in offer.themes.all()}
        self.audiences = {a.pk for a in offer.audiences.all()}
        self.format = offer.format_id
        self.province = offer.centre.municipality.province_id
        self.mode = offer.delivery_mode
        self.is_free = offer.is_free
        self.is_anonymous = offer.is_anonymous_possible
        self.no_booking = offer.booking_need == "none"
        self.languages = set(offer.languages)
        upcoming = [
            s.starts_at for s in offer.sessions.all() if s.starts_at >= now and not s.is_cancelled
        ]
        self.next_session = min(upcoming, default=None)
        self.days = {timezone.localdate(moment) for moment in upcoming}
        self.published_at = offer.published_at
        self.place = (offer.centre.latitude, offer.centre.longitude)

    def holds(self, word: str) -> bool:
        return word in self.title or word in self.summary

    def holds_phrase(self, first: str, second: str) -> bool:
        return any(
            pair == (first, second)
            for words in (self.title, self.summary)
            for pair in pairwise(words)
        )

    def date_order(self):
        published = -self.published_at.timestamp() if self.published_at else math.inf
        return (self.next_session is None, self.next_session or 0, published, self.pk)


# A query: what the citizen types, and whether an offer matches it, from its facts.
QUERIES = [
    ("zorbak", lambda f: f.holds("zorbak")),
    ("zorbak plimut", lambda f: f.holds("zorbak") and f.holds("plimut")),
    ("zorbak or kwistof", lambda f: f.holds("zorbak") or f.holds("kwistof")),
    ("plimut -drabul", lambda f: f.holds("plimut") and not f.holds("drabul")),
    ('"zorbak plimut"', lambda f: f.holds_phrase("zorbak", "plimut")),
    (
        '"fenzak gortup" or drabul -kwistof',
        lambda f: f.holds_phrase("fenzak", "gortup")
        or (f.holds("drabul") and not f.holds("kwistof")),
    ),
    ("", lambda f: True),
]  # fmt: skip


def _title_tiers(text: str, facts: Facts) -> tuple[bool, bool]:
    """Whether the title holds the query (every word; a phrase's words; either side of
    "or"; a "-word" constrains nothing) and whether it holds some word: the page's tiers."""
    positive = [w for w in WORDS if w in text and f"-{w}" not in text]
    in_title = [w in facts.title for w in positive]
    if " or " in text:  # either side of "or" holding in the title is the query in the title
        sides = text.replace('"', "").split(" or ")
        every = any(
            all(w in facts.title for w in side.split() if not w.startswith("-")) for side in sides
        )
        return every, any(in_title)
    return all(in_title), any(in_title)


@pytest.fixture
def random_register():
    rng = random.Random(1414)
    provinces = {
        "namur": ProvinceFactory(),
        "liege": ProvinceFactory(refnis="60000", name="Liège", name_fr="Liège", slug="liege"),
    }
    towns = [
        MunicipalityFactory(
            refnis=refnis, name=name, name_fr=name, latitude=lat, longitude=lon,
            province=provinces[province],
        )
        for refnis, name, lat, lon, province in TOWNS
    ]  # fmt: skip
    PostalCodeFactory(code="5000", municipality=towns[0])
    centres = [CentreFactory(municipality=town) for town in towns]
    closed = CentreFactory(municipality=towns[0], is_active=False)
    themes, audiences = list(Theme.objects.all()), list(Audience.objects.all())
    formats = list(Format.objects.all())
    now = timezone.now()
    for number in range(70):
        status = rng.choice(["published"] * 8 + ["draft", "archived"])
        offer = OfferFactory(
            centre=closed if number % 23 == 0 else rng.choice(centres),
            status=status,
            review_due=timezone.localdate() + timedelta(days=rng.choice([90, 90, 90, -40])),
            published_at=now - timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 20)),
            title=(title := " ".join(rng.sample(WORDS, rng.randint(1, 3))) + f" {number}"),
            title_fr=title,
            summary=(summary := " ".join(rng.choices(WORDS, k=rng.randint(0, 5)))),
            summary_fr=summary,
            description="",
            format=rng.choice(formats),
            delivery_mode=rng.choice(["on_site", "online", "hybrid"]),
            is_free=(free := rng.random() < 0.7),
            price_note="" if free else "5 €",
            is_anonymous_possible=rng.random() < 0.5,
            booking_need=rng.choice(["none", "recommended", "required"]),
            languages=rng.choice([["fr"], ["nl"], ["fr", "nl"]]),
        )
        offer.themes.set(rng.sample(themes, rng.randint(1, 2)))
        offer.audiences.set(rng.sample(audiences, rng.randint(0, 2)))
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            start = now + timedelta(days=rng.randint(-3, 45), hours=rng.randint(1, 9))
            Session.objects.create(
                offer=offer, starts_at=start, ends_at=start + timedelta(hours=2),
                is_cancelled=rng.random() < 0.15,
            )  # fmt: skip
    index_offers(Offer.objects.values_list("pk", flat=True))
    return rng


def _facts() -> list[Facts]:
    now = timezone.now()
    offers = (
        Offer.objects.findable()
        .select_related("centre__municipality")
        .prefetch_related("themes", "audiences", "sessions")
        .order_by("pk")
    )
    return [Facts(offer, now) for offer in offers]


def _filters(rng: random.Random) -> dict[str, str]:
    today = timezone.localdate()
    choices = {
        "theme": lambda: rng.choice(list(Theme.objects.values_list("slug", flat=True))),
        "audience": lambda: rng.choice(list(Audience.objects.values_list("slug", flat=True))),
        "format": lambda: rng.choice(list(Format.objects.values_list("slug", flat=True))),
        "province": lambda: rng.choice(["namur", "liege"]),
        "mode": lambda: rng.choice(["on_site", "online", "hybrid"]),
        "free": lambda: "1",
        "anonymous": lambda: "1",
        "no_booking": lambda: "1",
        "language": lambda: rng.choice(["fr", "nl"]),
        "when": lambda: rng.choice(["today", "week", "month"]),
        "date_to": lambda: (today + timedelta(days=rng.randint(0, 40))).isoformat(),
        "near": lambda: "5000",
    }
    params = {name: choose() for name, choose in choices.items() if rng.random() < 0.2}
    if "when" in params:
        params.pop("date_to", None)
    if "near" in params:
        params["radius"] = rng.choice(["5", "20", "60"])
        params["sort"] = rng.choice(["", "distance", "date"])
    return params


def _expected(params: dict, predicate, facts: list[Facts]):
    """The page's offers in order and every count, computed from the facts alone."""
    criteria = SearchForm(params, Vocabularies.load()).criteria()
    today = timezone.localdate()
    when_days = {when: Criteria(when=when).dates(today) for when in ("today", "week", "month")}
    tests = {
        "theme": lambda f, v: v in f.themes,
        "audience": lambda f, v: v in f.audiences,
        "format": lambda f, v: f.format == v,
        "province": lambda f, v: f.province == v,
        "mode": lambda f, v: f.mode == "hybrid" if v == "hybrid" else f.mode in (v, "hybrid"),
        "free": lambda f, v: f.is_free,
        "anonymous": lambda f, v: f.is_anonymous,
        "no_booking": lambda f, v: f.no_booking,
        "language": lambda f, v: v in f.languages,
        "when": lambda f, v: bool(f.days & set(when_days[v] if isinstance(v, str) else v)),
    }
    chosen = {}
    for name in ("theme", "audience", "format", "province"):
        if getattr(criteria, name):
            chosen[name] = getattr(criteria, name).pk
    for name in ("mode", "language"):
        if getattr(criteria, name):
            chosen[name] = getattr(criteria, name)
    for name in ("free", "anonymous", "no_booking"):
        if getattr(criteria, name):
            chosen[name] = "1"
    if criteria.dates(today) is not None:
        chosen["when"] = criteria.dates(today)
    origin = criteria.place and (criteria.place.latitude, criteria.place.longitude)

    def near(f: Facts) -> bool:
        return origin is None or _distance(origin, f.place) <= criteria.radius_km

    base = [f for f in facts if predicate(f) and near(f)]

    def kept(f: Facts, without: str | None = None) -> bool:
        return all(tests[n](f, v) for n, v in chosen.items() if n != without)

    results = [f for f in base if kept(f)]
    counts: dict[str, dict] = {}
    values = {
        "theme": Theme.objects.values_list("pk", flat=True),
        "audience": Audience.objects.values_list("pk", flat=True),
        "format": Format.objects.values_list("pk", flat=True),
        "province": [p.pk for p in Vocabularies.load().provinces],
        "language": ["fr", "nl", "en"],
        "mode": ["on_site", "online", "hybrid"],
        "free": ["1"],
        "anonymous": ["1"],
        "no_booking": ["1"],
        "when": ["today", "week", "month"],
    }
    for name, options in values.items():
        scope = [f for f in base if kept(f, without=name)]
        counts[name] = {v: sum(tests[name](f, v) for f in scope) for v in options}
    counts["without"] = {name: sum(kept(f, without=name) for f in base) for name in chosen}
    sort = criteria.effective_sort
    if sort == "distance":
        results.sort(key=lambda f: (round(_distance(origin, f.place), 6), f.date_order()))
    elif sort == "relevance" and criteria.text:

        def tier(f: Facts) -> int:
            every, some = _title_tiers(criteria.text, f)
            return 0 if every else 1 if some else 2

        results.sort(key=lambda f: (tier(f), f.date_order()))
    else:
        results.sort(key=Facts.date_order)
    return criteria, [f.pk for f in results], counts


def test_the_vocabulary_of_these_tests_is_kept_as_typed_by_every_configuration():
    with connection.cursor() as cursor:
        for config in ("french_unaccent", "dutch_unaccent", "simple_unaccent"):
            cursor.execute(
                "SELECT array_agg(strip(to_tsvector(%s::regconfig, w))::text ORDER BY n)"
                " FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n)",
                [config, WORDS],
            )
            assert cursor.fetchone()[0] == [f"'{word}'" for word in WORDS]


def test_results_order_and_counts_equal_a_brute_force_over_the_offers(random_register):
    rng, facts = random_register, _facts()
    assert len(facts) > 30
    for round_number in range(40):
        text, predicate = QUERIES[round_number % len(QUERIES)]
        params = {"q": text, **_filters(rng)}
        criteria, expected_ids, expected_counts = _expected(params, predicate, facts)
        with translation.override("fr"):
            result = search(criteria, page_size=1000)
        assert [offer.pk for offer in result.offers] == expected_ids, params
        assert result.total == len(expected_ids), params
        for facet, numbers in expected_counts.items():
            found = result.facets.counts.get(facet, {})
            assert {v: n for v, n in numbers.items() if n} == {
                v: n for v, n in found.items() if n
            }, (params, facet)


def test_pages_follow_each_other_without_gaps_or_repeats(random_register):
    for params in ({"q": "zorbak"}, {}, {"near": "5000", "radius": "60"}, {"sort": "date"}):
        criteria = SearchForm(params, Vocabularies.load()).criteria()
        whole = [o.pk for o in search(criteria, page_size=1000).offers]
        paged = [
            o.pk for page in range(1, 12) for o in search(criteria, page=page, page_size=3).offers
        ]
        assert paged[: len(whole)] == whole[: len(paged)]
        assert len(set(paged)) == min(len(whole), 33)


def test_the_index_holds_exactly_the_findable_offers(random_register):
    findable = set(Offer.objects.findable().values_list("pk", flat=True))
    assert set(SearchDocument.objects.values_list("offer_id", flat=True)) == findable
    (stored,) = SearchBitmap.objects.filter(key=bitmaps.ALL).values_list("data", flat=True)
    assert set(bitmaps.load(stored)) == findable
    assert Offer.objects.exclude(pk__in=findable).exists()  # drafts, archived, closed, overdue


def _stored_sets() -> dict[str, BitMap]:
    return {row.key: bitmaps.load(row.data) for row in SearchBitmap.objects.all()}


def test_updates_leave_the_sets_a_rebuild_would_make(random_register):
    offers = list(Offer.objects.findable().order_by("pk"))
    offers[0].title_fr = "Tout autre chose"
    offers[0].save()
    offers[1].status = "archived"
    offers[1].save()
    Session.objects.filter(offer=offers[2]).delete()
    start = timezone.now() + timedelta(days=9)
    Session.objects.create(offer=offers[3], starts_at=start, ends_at=start + timedelta(hours=1))
    index_offers([o.pk for o in offers[:4]])
    deleted = offers[5].pk
    offers[5].delete()
    updated = _stored_sets()
    rebuild_index()
    rebuilt = _stored_sets()
    assert rebuilt == updated
    assert deleted not in updated[bitmaps.ALL] and offers[1].pk not in updated[bitmaps.ALL]
    # Every findable offer is in exactly one date bucket.
    buckets = [bits for key, bits in rebuilt.items() if key.startswith("n:")]
    assert sum(len(bits) for bits in buckets) == len(rebuilt[bitmaps.ALL])
    assert BitMap.union(*buckets) == rebuilt[bitmaps.ALL]


def test_reindexing_one_offer_writes_only_the_sets_it_leaves_or_enters(random_register):
    offer = Offer.objects.findable().order_by("pk").first()

    def keys() -> set[str]:
        with connection.cursor() as cursor:
            return bitmaps.keys_of(cursor, [offer.pk])[offer.pk]

    before_keys, before = keys(), dict(SearchBitmap.objects.values_list("key", "data"))
    offer.title_fr = "mirvok taxlub"
    offer.save()
    start = timezone.now() + timedelta(days=50)
    Session.objects.create(offer=offer, starts_at=start, ends_at=start + timedelta(hours=1))
    index_offers([offer.pk], with_terms=False)
    after_keys, after = keys(), dict(SearchBitmap.objects.values_list("key", "data"))
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert changed == before_keys ^ after_keys
    assert {"w:mirvok", "t:taxlub"} <= changed and bitmaps.ALL not in changed


def test_reindexing_twice_changes_no_set(random_register):
    ids = list(Offer.objects.values_list("pk", flat=True))
    before = _stored_sets()
    index_offers(ids)
    index_offers(ids)
    assert _stored_sets() == before


def test_an_offer_past_its_review_grace_leaves_the_index_with_the_daily_job(random_register):
    offer = Offer.objects.findable().order_by("pk").first()
    criteria = SearchForm({}, Vocabularies.load()).criteria()
    assert offer.pk in {o.pk for o in search(criteria, page_size=1000).offers}
    Offer.objects.filter(pk=offer.pk).update(review_due=timezone.localdate() - timedelta(days=31))
    assert drop_unfindable_offers() == 1
    assert drop_unfindable_offers() == 0  # a second run has nothing to do
    assert offer.pk not in {o.pk for o in search(criteria, page_size=1000).offers}
    assert not SearchDocument.objects.filter(offer=offer).exists()


# The steps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "formation emploi",
        '"formation emploi"',
        "formation or emploi -atelier",
        "l'orientation",
        "aide-soignant",
        '"choix de métier" -stage',
        "a or b c",
        "it's o'neil",
    ],
)
def test_the_tsquery_text_postgresql_writes_parses_into_a_tree_it_reads_back(typed):
    with connection.cursor() as cursor:
        for config in ("french_unaccent", "dutch_unaccent", "simple_unaccent"):
            cursor.execute("SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [config, typed])
            text = cursor.fetchone()[0]
            tree = tsquery.parse(text)
            cursor.execute("SELECT %s::tsquery::text", [tsquery.as_text(tree)])
            assert cursor.fetchone()[0] == text, (config, typed)


def test_a_tree_is_evaluated_as_set_operations_with_phrases_checked_apart():
    sets = {"a": BitMap([1, 2, 3, 4]), "b": BitMap([2, 3, 5]), "c": BitMap([3, 6])}
    universe = BitMap(range(1, 8))
    tree = tsquery.parse("'a' <-> 'b' | 'c' & !'a'")
    (phrase,) = tsquery.phrases(tree)
    assert tsquery.candidates(phrase, sets.get, universe) == BitMap([2, 3])
    # Only offer 2 has the words in that order.
    assert tsquery.evaluate(tree, sets.get, universe, {phrase: BitMap([2])}) == BitMap([2, 6])
    assert tsquery.positive_words(tree) == ["a", "b", "c"]
    assert tsquery.parse("") is None
    with pytest.raises(tsquery.QuerySyntaxError):
        tsquery.parse("'a' &")


def test_a_page_is_planned_by_skipping_tiers_then_walking_date_buckets():
    buckets = [BitMap(range(0, 300)), BitMap(range(300, 600)), BitMap(range(600, 900))]
    first_tier, second_tier = BitMap(range(0, 900, 2)), BitMap(range(1, 900, 2))
    plan = plan_page(iter([(first_tier, None), (second_tier, 2.5)]), buckets, offset=440, limit=20)
    # The first tier has 450 offers (150 a bucket): its last 10, then the second tier's first 10.
    assert plan == [
        Segment(first_tier & buckets[2], skip=140, take=10),
        Segment(second_tier & buckets[0], skip=0, take=10, distance=2.5),
    ]
    small = BitMap([5, 700])
    assert plan_page(iter([(small, None)]), buckets, offset=0, limit=20) == [Segment(small, 0, 2)]
    assert plan_page(iter([(small, None)]), buckets, offset=5, limit=20) == []


def test_each_count_applies_every_other_choice_and_without_counts_what_a_choice_hides():
    base = BitMap(range(10))
    values = {
        "colour": {"red": BitMap([0, 1, 2]), "blue": BitMap([3, 4])},
        "size": {"big": BitMap([1, 3, 5])},
    }
    chosen = {"colour": BitMap([0, 1, 2]), "size": BitMap([1, 3, 5])}
    result, facets = count(base, values, chosen)
    assert result == BitMap([1]) and facets.total == 1
    assert facets.counts["colour"] == {"red": 1, "blue": 1}  # within "big"
    assert facets.counts["size"] == {"big": 1}  # within "red"
    assert facets.counts["without"] == {"colour": 3, "size": 3}


def test_any_date_up_to_the_last_day_of_9999_is_read_as_day_and_month_keys():
    today = timezone.localdate()
    assert key_ranges(date(9999, 12, 1), date.max, today) == [("m:9999-12", "m:9999-12")]
    assert key_ranges(date(9999, 12, 15), date.max, today) == [("d:9999-12-15", "d:9999-12-31")]
    assert sorted(key_ranges(date(2031, 1, 20), date(2031, 4, 3), today)) == [
        ("d:2031-01-20", "d:2031-01-31"),
        ("d:2031-04-01", "d:2031-04-03"),
        ("m:2031-02", "m:2031-03"),
    ]
    # From today to the end of the month is the month's set: the index holds no past day.
    assert date_spans(Criteria(when="month"), today)["month"] == [
        (f"m:{today:%Y-%m}", f"m:{today:%Y-%m}")
    ]


# A missing index and the lock -----------------------------------------------------------------


def test_a_never_built_index_shows_a_notice_and_queues_one_rebuild(
    client, django_capture_on_commit_callbacks
):
    OfferFactory(published=True, title="Atelier zorbak")
    SearchBitmap.objects.all().delete()
    with translation.override("en"):
        url = reverse("offers:search")
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(3):
            response = client.get(url, {"q": "zorbak"})
            assert response.context["result"].is_index_building
            assert "The search is being prepared." in response.content.decode()
        agenda = client.get(reverse("offers:agenda"))
        assert agenda.context["is_index_building"]
    assert len(callbacks) == 1  # three searches and an agenda, one rebuild queued


@pytest.mark.django_db(transaction=True)
def test_the_queued_rebuild_runs_on_the_worker_and_the_search_answers(celery_worker, wait_for):
    offer = OfferFactory(published=True, title="Atelier zorbak")
    SearchBitmap.objects.all().delete()
    criteria = SearchForm({"q": "zorbak"}, Vocabularies.load()).criteria()
    assert search(criteria).is_index_building
    wait_for(lambda: search(criteria).total == 1, what="the rebuild", timeout=30)
    assert [o.pk for o in search(criteria).offers] == [offer.pk]
    wait_for(lambda: cache.get(REBUILD_QUEUED_KEY) is None, what="the queued flag cleared")
    assert rebuild_search_index() == 1  # a second run finds the same


def test_a_writer_that_cannot_take_the_index_lock_in_time_fails_loudly(settings):
    offer = OfferFactory(published=True, title="Atelier zorbak")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock_key(LockKind.SEARCH_INDEX)])
        settings.ADVISORY_LOCK_TIMEOUT = 0.2
        with pytest.raises(LockTimeout, match=r"search index lock .* gave up after 0\.2 s"):
            index_offers([offer.pk])
        with pytest.raises(LockTimeout), transaction.atomic():
            hold(LockKind.SEARCH_INDEX, timeout_seconds=0.1)
        assert not SearchDocument.objects.filter(offer=offer).exists()  # nothing half written
    finally:
        other.close()
    index_offers([offer.pk])
    assert SearchDocument.objects.filter(offer=offer).exists()
