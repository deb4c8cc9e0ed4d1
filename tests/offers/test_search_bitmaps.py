"""The search's bitmaps: the same answers as the row-by-row path, kept in step with the index."""

import random
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from offers import bitmaps
from offers.filters import SearchForm, Vocabularies
from offers.indexing import index_offers, rebuild_bitmaps
from offers.models import Audience, Format, Offer, SearchBitmap, Session, Theme
from offers.search import _run_sql, _Sets, search
from tests.factories import CentreFactory, MunicipalityFactory, OfferFactory, PostalCodeFactory

pytestmark = pytest.mark.django_db

WORDS = ["formation", "emploi", "atelier", "métier", "soin", "logistique", "opleiding", "werk"]


@pytest.fixture
def varied_register():
    """Forty offers over three places with words, terms, sessions and flags drawn at random."""
    rng = random.Random(7)
    namur = MunicipalityFactory()  # 50.4669, 4.8675
    PostalCodeFactory(code="5000", municipality=namur)
    towns = [
        namur,
        MunicipalityFactory(refnis="92140", name="Jambes", latitude=50.4566, longitude=4.8726),
        MunicipalityFactory(refnis="92003", name="Andenne", latitude=50.4906, longitude=5.0944),
    ]
    centres = [CentreFactory(municipality=town) for town in towns]
    themes, audiences = list(Theme.objects.all()), list(Audience.objects.all())
    formats = list(Format.objects.all())
    now = timezone.now()
    for n in range(40):
        offer = OfferFactory(
            centre=rng.choice(centres),
            published=True,
            title=" ".join(rng.sample(WORDS, 2)) + f" {n}",
            summary=" ".join(rng.choices(WORDS, k=5)),
            format=rng.choice(formats),
            delivery_mode=rng.choice(["on_site", "online", "hybrid"]),
            is_free=(free := rng.random() < 0.7),
            price_note="" if free else "5 €",
            is_anonymous_possible=rng.random() < 0.5,
            booking_need=rng.choice(["none", "recommended", "required"]),
            languages=rng.choice([["fr"], ["nl"], ["fr", "nl"]]),
        )
        offer.themes.set(rng.sample(themes, 2))
        offer.audiences.set(rng.sample(audiences, 2))
        if rng.random() < 0.5:
            start = now + timedelta(days=rng.randint(0, 40), hours=1)
            Session.objects.create(offer=offer, starts_at=start, ends_at=start + timedelta(hours=2))
    index_offers(Offer.objects.values_list("pk", flat=True))


QUERIES = [
    {},
    {"q": "formation"},
    {"q": "formations emploi"},
    {"q": "metier"},
    {"q": "opleiding"},
    {"q": "introuvable"},
    {"q": "atelier", "theme": "find-a-training"},
    {"q": "soin", "free": "1", "anonymous": "1"},
    {"mode": "online"},
    {"mode": "hybrid", "no_booking": "1"},
    {"when": "month"},
    {"when": "week", "language": "nl"},
    {"audience": "young-people", "format": "workshop"},
    {"near": "5000", "radius": "5"},
    {"q": "werk", "near": "5000", "radius": "30", "sort": "relevance"},
]


def _criteria(params):
    return SearchForm(params, Vocabularies.load()).criteria()


def test_bitmaps_count_and_find_as_the_rows_do(varied_register):
    today = timezone.localdate()
    for params in QUERIES:
        criteria = _criteria(params)
        sets = _Sets.load(criteria, today)
        assert sets is not None, params
        from_bitmaps = sets.facets()
        rows = _run_sql(criteria, today, page=1, page_size=100)
        assert from_bitmaps.total == rows.total, params
        for facet in set(from_bitmaps.counts) | set(rows.facets.counts):
            ours = {k: v for k, v in from_bitmaps.counts.get(facet, {}).items() if v}
            theirs = {k: v for k, v in rows.facets.counts.get(facet, {}).items() if v}
            assert ours == theirs, (params, facet)
        ids, _distances = sets.page_ids(offset=0, limit=100)
        assert sorted(ids) == sorted(offer.pk for offer in rows.offers), params


def test_pages_follow_each_other_without_gaps_or_repeats(varied_register):
    for params in ({"q": "formation"}, {}, {"near": "5000", "radius": "30"}):
        criteria = _criteria(params)
        whole = search(criteria, page_size=100).offers
        pages = [search(criteria, page=page, page_size=7).offers for page in (1, 2, 3, 4)]
        paged = [offer for page in pages for offer in page]
        assert [o.pk for o in paged] == [o.pk for o in whole][: len(paged)]


def test_titles_rank_first_then_the_next_session(db):
    centre = CentreFactory()
    soon = timezone.now() + timedelta(days=1)
    in_text = OfferFactory(centre=centre, published=True, title="Atelier", summary="soudure")
    Session.objects.create(offer=in_text, starts_at=soon, ends_at=soon + timedelta(hours=1))
    later = OfferFactory(centre=centre, published=True, title="Soudure à l'arc")
    first = OfferFactory(centre=centre, published=True, title="Soudure et métallerie")
    start = soon + timedelta(days=3)
    Session.objects.create(offer=first, starts_at=start, ends_at=start + timedelta(hours=1))
    index_offers([in_text.pk, later.pk, first.pk])
    with translation.override("fr"):
        titles = [o.title for o in search(_criteria({"q": "soudure"})).offers]
    assert titles == ["Soudure et métallerie", "Soudure à l'arc", "Atelier"]


def test_queries_with_operators_take_the_row_path(varied_register):
    criteria = _criteria({"q": '"formation emploi" OR soin -atelier'})
    assert _Sets.load(criteria, timezone.localdate()) is None
    result = search(criteria)
    assert result.total == _run_sql(criteria, timezone.localdate(), page=1, page_size=20).total


def _stored() -> dict[str, bytes]:
    return {
        row.key: bytes(row.data) if row.kind == "o" else bitmaps.decode(row.kind, bytes(row.data))
        for row in SearchBitmap.objects.all()
    }


def test_updates_leave_the_bitmaps_a_rebuild_would_make(varied_register):
    offers = list(Offer.objects.order_by("pk"))
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
    updated = _stored()
    rebuild_bitmaps()
    assert _stored() == updated
    assert updated["all"] >> deleted & 1 == 0
    assert updated["all"] >> offers[1].pk & 1 == 0


def test_a_deleted_offer_is_no_longer_counted(varied_register):
    criteria = _criteria({"q": "formation"})
    before = search(criteria).total
    Offer.objects.filter(pk__in=[o.pk for o in search(criteria).offers[:2]]).delete()
    assert search(criteria).total == before - 2


def test_lists_and_bitmaps_hold_the_same_sets():
    ids = [3, 5, 700, 70_000]
    kind, data = bitmaps.encode_ids(ids)
    assert kind == "l"
    assert bitmaps.ids_of(bitmaps.decode(kind, data)) == ids
    dense = list(range(0, 4000, 3))
    kind, data = bitmaps.encode_ids(dense)
    assert kind == "b"
    assert bitmaps.ids_of(bitmaps.decode(kind, data)) == dense
    assert bitmaps.ids_of(0) == []


@pytest.mark.parametrize("day", ["2027-03-02", "2027-03-31", "2027-04-01"])
def test_date_filters_count_as_the_rows_do_on_any_day_of_the_month(day):
    """From today to the month's end is read as the month's set: the index holds no past day."""
    with time_machine.travel(f"{day} 09:00 +01:00", tick=False):
        centre = CentreFactory()
        now, rng = timezone.now(), random.Random(day)
        for n in range(30):
            offer = OfferFactory(centre=centre, published=True, title=f"formation {n}")
            for _ in range(rng.randint(0, 3)):
                start = now + timedelta(days=rng.randint(0, 70), hours=rng.randint(1, 10))
                Session.objects.create(
                    offer=offer, starts_at=start, ends_at=start + timedelta(hours=1)
                )
        index_offers(Offer.objects.values_list("pk", flat=True))
        today = timezone.localdate()
        later = today + timedelta(days=45)
        for params in (
            {"when": "today"},
            {"when": "week"},
            {"when": "month"},
            {"date_from": today.isoformat(), "date_to": later.isoformat()},
            {"q": "formation", "date_to": (today + timedelta(days=20)).isoformat()},
        ):
            criteria = _criteria(params)
            sets = _Sets.load(criteria, today)
            from_bitmaps = sets.facets()
            rows = _run_sql(criteria, today, page=1, page_size=100)
            assert from_bitmaps.total == rows.total, params
            assert from_bitmaps.counts["when"] == rows.facets.counts["when"], params
        month_keys = _Sets.load(_criteria({}), today).when_keys["month"]
        assert month_keys == [f"m:{today:%Y-%m}"]
