"""Citizens' search: relevance, facets, distance, bad parameters, query counts, calendars."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from offers import services
from offers.filters import Criteria, SearchForm, Vocabularies
from offers.indexing import index_offers
from offers.models import Audience, Offer, SearchDocument, Session, Theme
from offers.search import search
from tests.factories import (
    CentreFactory,
    MembershipFactory,
    MunicipalityFactory,
    OfferFactory,
    PostalCodeFactory,
    ProvinceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def reindex() -> None:
    index_offers(Offer.objects.values_list("pk", flat=True))


def found(text: str = "", **params) -> list[str]:
    with translation.override("fr"):
        form = SearchForm({"q": text, **params}, Vocabularies.load())
        return [offer.title for offer in search(form.criteria()).offers]


@pytest.fixture
def register():
    centre = CentreFactory(name="Cité des Métiers de Namur")
    OfferFactory(centre=centre, published=True, title="Découvrir les métiers du soin")
    OfferFactory(centre=centre, published=True, title="Formation en logistique")
    OfferFactory(
        centre=centre,
        published=True,
        title="Loopbaanbegeleiding voor werkzoekenden",
        title_fr="",
        title_nl="Loopbaanbegeleiding voor werkzoekenden",
    )
    OfferFactory(centre=centre, published=True, title="Devenir infirmier ou infirmière")
    OfferFactory(centre=centre, title="Brouillon de métier")  # draft
    OfferFactory(centre=centre, status="archived", title="Ancien métier archivé")
    OfferFactory(
        centre=centre,
        published=True,
        title="Métier oublié en retard de révision",
        review_due=timezone.localdate() - timedelta(days=31),
    )
    reindex()
    return centre


def test_words_without_accents_find_accented_ones(register):
    assert found("metier") == ["Découvrir les métiers du soin"]


def test_plural_finds_singular(register):
    assert found("formations") == ["Formation en logistique"]


def test_a_dutch_query_finds_a_dutch_offer(register):
    assert found("loopbaanbegeleiding") == ["Loopbaanbegeleiding voor werkzoekenden"]
    assert found("werkzoekende") == ["Loopbaanbegeleiding voor werkzoekenden"]


def test_feminine_and_masculine_meet(register):
    assert found("infirmiere") == ["Devenir infirmier ou infirmière"]


def test_a_typo_finds_the_offer_and_says_what_was_searched(register):
    form = SearchForm({"q": "logistiqeu"}, Vocabularies.load())
    result = search(form.criteria())
    assert [o.title for o in result.offers] == ["Formation en logistique"]
    assert result.suggestion == "logistique"
    assert result.searched_text == "logistiqeu"


def test_a_typo_with_filters_that_exclude_everything_still_suggests(register):
    form = SearchForm({"q": "logistiqeu", "when": "today"}, Vocabularies.load())
    result = search(form.criteria())
    assert result.total == 0
    assert result.suggestion == "logistique"


def test_drafts_archived_and_overdue_offers_are_never_found(register):
    titles = found("metier") + found("")
    assert "Brouillon de métier" not in titles
    assert "Ancien métier archivé" not in titles
    assert "Métier oublié en retard de révision" not in titles


def test_an_offer_becomes_overdue_without_any_change_and_disappears(register):
    offer = Offer.objects.get(title="Formation en logistique")
    Offer.objects.filter(pk=offer.pk).update(review_due=timezone.localdate() - timedelta(days=40))
    reindex()
    assert found("formation") == []


def test_matched_words_are_marked_and_the_rest_escaped(register):
    OfferFactory(
        centre=register, published=True, title="Boulangerie <script>alert(1)</script> métiers"
    )
    reindex()
    form = SearchForm({"q": "boulangerie"}, Vocabularies.load())
    with translation.override("fr"):
        (offer,) = search(form.criteria()).offers
    assert "<mark>Boulangerie</mark>" in offer.title_html
    assert "<script>" not in offer.title_html
    assert "&lt;script&gt;" in offer.title_html


@pytest.fixture
def faceted():
    namur = CentreFactory(name="SIEP Namur")
    liege_province = ProvinceFactory(refnis="60000", name="Liège", name_fr="Liège", slug="liege")
    liege = MunicipalityFactory(
        refnis="62063", name="Liège", name_fr="Liège", province=liege_province,
        latitude=50.6326, longitude=5.5797,
    )  # fmt: skip
    centre_liege = CentreFactory(name="SIEP Liège", municipality=liege)
    direction = Theme.objects.get(slug="choose-a-direction")
    job = Theme.objects.get(slug="find-a-job")
    young = Audience.objects.get(slug="young-people")
    specs = [
        (namur, [direction], [young], True, True),
        (namur, [direction, job], [], True, False),
        (namur, [job], [young], False, False),
        (centre_liege, [direction], [young], True, True),
        (centre_liege, [job], [], True, True),
    ]
    for number, (centre, themes, audiences, free, anonymous) in enumerate(specs):
        offer = OfferFactory(
            centre=centre,
            published=True,
            title=f"Orientation {number}",
            is_free=free,
            price_note="" if free else "5 €",
            is_anonymous_possible=anonymous,
        )
        offer.themes.set(themes)
        offer.audiences.set(audiences)
    reindex()


def test_each_facet_count_equals_the_results_once_it_is_chosen(faceted):
    base = {"q": "orientation", "free": "1"}
    form = SearchForm(base, Vocabularies.load())
    facets = search(form.criteria()).facets
    assert facets.total == 4
    checks = [("theme", t.slug, "theme", t.pk) for t in Theme.objects.all()]
    checks += [("audience", a.slug, "audience", a.pk) for a in Audience.objects.all()]
    checks += [("anonymous", "1", "anonymous", "1"), ("province", "liege", "province", None)]
    for param, value, facet, key in checks:
        if key is None:
            key = next(p.pk for p in Vocabularies.load().provinces if p.slug == value)
        chosen = search(SearchForm({**base, param: value}, Vocabularies.load()).criteria())
        assert facets.count(facet, key) == chosen.total, (param, value)
    # With a facet chosen, the other values of that facet still count as if swapped in.
    with_theme = search(
        SearchForm({**base, "theme": "find-a-job"}, Vocabularies.load()).criteria()
    ).facets
    direction = Theme.objects.get(slug="choose-a-direction")
    assert with_theme.count("theme", direction.pk) == facets.count("theme", direction.pk)
    assert with_theme.count("without", "theme") == 4


def test_distance_filter_and_sort_use_the_coordinates(db):
    namur = MunicipalityFactory()  # 50.4669, 4.8675
    PostalCodeFactory(code="5000", municipality=namur)
    province = ProvinceFactory()
    far = MunicipalityFactory(
        refnis="93014",
        name="Couvin",
        name_fr="Couvin",
        province=province,
        latitude=50.0523,
        longitude=4.4950,
    )  # ~54 km from Namur
    near = MunicipalityFactory(
        refnis="92140",
        name="Jambes",
        name_fr="Jambes",
        province=province,
        latitude=50.4566,
        longitude=4.8726,
    )  # ~1.2 km
    mid = MunicipalityFactory(
        refnis="92003",
        name="Andenne",
        name_fr="Andenne",
        province=province,
        latitude=50.4906,
        longitude=5.0944,
    )  # ~16 km
    for town in (far, near, mid):
        OfferFactory(centre=CentreFactory(municipality=town), published=True, title=town.name)
    reindex()
    form = SearchForm({"near": "5000", "radius": "20"}, Vocabularies.load())
    result = search(form.criteria())
    assert [o.title for o in result.offers] == ["Jambes", "Andenne"]
    assert result.offers[0].distance == pytest.approx(1.2, abs=0.2)
    assert result.offers[1].distance == pytest.approx(16.2, abs=0.5)
    assert found(near="5000", radius="100") == ["Jambes", "Andenne", "Couvin"]


def test_dates_filter_keeps_offers_with_a_session_in_the_period(register):
    offer = Offer.objects.get(title="Formation en logistique")
    start = timezone.now() + timedelta(days=3)
    Session.objects.create(offer=offer, starts_at=start, ends_at=start + timedelta(hours=2))
    reindex()
    day = timezone.localdate(start).isoformat()
    assert found(date_from=day, date_to=day) == ["Formation en logistique"]
    assert found(when="today") == []


@pytest.mark.parametrize(
    "params",
    [
        "page=abc",
        "page=-3",
        "page=99999999999999999999",
        "radius=-5&near=5000",
        "radius=abc",
        "theme=unknown-theme",
        "q=" + "orientation " * 200,
        "date_from=2030-12-01&date_to=2030-01-01",
        "date_from=not-a-date",
        "sort=everything",
        "sort=distance",
        "mode=teleport",
        "free=maybe",
        "language=xx",
        "near=Atlantis",
        "q=%00%01",
        "q=!!!&&&|||",
        "when=yesterday",
    ],
)
def test_bad_parameters_never_break_the_page(client, register, params):
    response = client.get(reverse("offers:search") + "?" + params)
    assert response.status_code == 200
    agenda = client.get(reverse("offers:agenda") + "?" + params)
    assert agenda.status_code == 200


def english_search_url() -> str:
    with translation.override("en"):  # the notes are matched in the source language
        return reverse("offers:search")


def test_bad_parameters_are_reported(client, register):
    response = client.get(
        english_search_url()
        + "?theme=unknown&radius=-5&near=5000&date_from=2030-12-01&date_to=2030-01-01&page=x"
    )
    notes = " ".join(response.context["notes"])
    assert "unknown" in notes
    assert "swapped" in notes
    assert "page" in notes.lower()


def test_a_long_query_is_shortened_and_said_so(client, register):
    response = client.get(english_search_url(), {"q": "métier " * 400})
    assert response.status_code == 200
    assert len(response.context["criteria"].text) <= 200
    assert any("shortened" in note for note in response.context["notes"])


def test_search_page_makes_a_fixed_number_of_queries(client, django_assert_num_queries, register):
    url = reverse("offers:search")
    # The first page reads the taxonomies (four queries) into the cache; later pages do not.
    with django_assert_num_queries(7):
        client.get(url, {"q": "metier"})
    # Then: the sets, the order of the page's date buckets, and the result cards.
    with django_assert_num_queries(3):
        client.get(url, {"q": "metier"})
    OfferFactory.create_batch(30, centre=register, published=True, title="Métier en plus")
    reindex()
    # Nothing found: no page to order or read (a correction's spelling came with the sets).
    with django_assert_num_queries(1):
        response = client.get(url, {"q": "metier", "theme": "choose-a-direction"})
    assert response.context["result"].total == 0
    # A typo: its correction is found in the same statement, so the page costs no more.
    with django_assert_num_queries(3):
        response = client.get(url, {"q": "metir"})
    assert response.context["result"].searched_text == "metir"
    assert response.context["result"].total == 31  # the register's offer and the 30 new ones
    with django_assert_num_queries(3):
        response = client.get(url, {"q": "metier"})
    assert len(response.context["result"].offers) == 20
    with django_assert_num_queries(3):
        response = client.get(url, {"q": "metier", "page": "2", "sort": "date"})
    assert len(response.context["result"].offers) == 11
    # Operators are set operations too: the same statements.
    with django_assert_num_queries(3):
        response = client.get(url, {"q": "metier or logistique -soin"})
    assert response.context["result"].total == 32
    # A phrase is checked on the offers holding all its words: one statement more.
    with django_assert_num_queries(4):
        response = client.get(url, {"q": '"métier en plus"'})
    assert response.context["result"].total == 30
    # Near a place (the postcode is cached with the taxonomies after the first page).
    PostalCodeFactory(code="5000", municipality=register.municipality)
    client.get(url, {"q": "metier", "near": "5000", "radius": "50"})
    with django_assert_num_queries(3):
        response = client.get(url, {"q": "metier", "near": "5000", "radius": "50"})
    assert len(response.context["result"].offers) == 20


def test_a_changed_term_is_offered_at_once():
    Vocabularies.load()  # now cached
    theme = Theme.objects.get(slug="find-a-job")
    theme.name = theme.name_fr = "Trouver un emploi ou un job étudiant"
    theme.save()
    names = [term.name for term in Vocabularies.load().themes]
    assert "Trouver un emploi ou un job étudiant" in names
    theme.delete()
    assert "find-a-job" not in [term.slug for term in Vocabularies.load().themes]


def test_search_page_renders_results_facets_and_badges(client, register):
    with translation.override("nl"):
        url = reverse("offers:search")
    assert url.startswith("/nl/")
    response = client.get(url, {"q": "metier"})
    body = response.content.decode()
    assert "<mark>" in body
    assert "Cité des Métiers de Namur" in body
    assert 'aria-current="page"' in body


def test_agenda_lists_sessions_by_day_with_the_same_filters(client, register):
    offer = Offer.objects.get(title="Formation en logistique")
    other = Offer.objects.get(title="Découvrir les métiers du soin")
    start = timezone.now() + timedelta(days=2)
    for item in (offer, other):
        Session.objects.create(offer=item, starts_at=start, ends_at=start + timedelta(hours=1))
    reindex()
    response = client.get(reverse("offers:agenda"), {"q": "formation"})
    assert response.status_code == 200
    assert response.context["total"] == 1
    body = response.content.decode()
    assert "Formation en logistique" in body
    assert "Découvrir les métiers du soin" not in body


def _offer_with_dst_sessions(register) -> tuple[Offer, list[Session]]:
    offer = Offer.objects.get(title="Formation en logistique")
    year = timezone.localdate().year + 1
    sessions = []
    for day in (datetime(year, 3, 27, 14, 0), datetime(year, 3, 31, 14, 0)):  # around DST
        begins = day.replace(tzinfo=BRUSSELS)
        sessions.append(
            Session.objects.create(
                offer=offer, starts_at=begins, ends_at=begins + timedelta(hours=2), capacity=12
            )
        )
    return offer, sessions


def test_session_ics_is_valid_and_keeps_local_times_across_dst(client, register):
    offer, sessions = _offer_with_dst_sessions(register)
    for session in sessions:
        response = client.get(
            reverse("offers:session_calendar", kwargs={"pk": offer.pk, "session_id": session.pk})
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        (event,) = calendar.walk("VEVENT")
        starts = event.decoded("dtstart")
        assert starts.hour == 14
        assert str(starts.tzinfo) == "Europe/Brussels"
        assert starts == session.starts_at
        assert calendar.walk("VTIMEZONE")
    assert sessions[0].starts_at.utcoffset() != sessions[1].starts_at.utcoffset()


def test_agenda_calendar_feed_parses(client, register):
    _offer_with_dst_sessions(register)
    reindex()
    response = client.get(reverse("offers:agenda_calendar"))
    calendar = Calendar.from_ical(response.content)
    assert len(calendar.walk("VEVENT")) == 2


def test_offer_page_shows_facts_sessions_and_parsable_json_ld(client, register):
    offer, _sessions = _offer_with_dst_sessions(register)
    response = client.get(offer.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "12" in body  # places left
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1)
    data = json.loads(raw)
    kinds = [node["@type"] for node in data["@graph"]]
    assert kinds[0] in ("Service", "Course")
    assert kinds.count("Event") == 2
    assert data["@graph"][1]["startDate"].endswith("+01:00")
    assert data["@graph"][2]["startDate"].endswith("+02:00")


def test_unpublished_offer_pages_are_not_found(client, register):
    for title in ("Brouillon de métier", "Ancien métier archivé"):
        offer = Offer.objects.get(title=title)
        assert client.get(offer.get_absolute_url()).status_code == 404


def test_atom_feed_lists_published_offers(client, register):
    response = client.get(reverse("offers:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "Formation en logistique" in body
    assert "Brouillon" not in body


def test_criteria_date_ranges():
    today = timezone.localdate()
    assert Criteria(when="today").date_range(today) == (today, today)
    start, end = Criteria(when="month").date_range(today)
    assert start == today and end.month == today.month and (end + timedelta(days=1)).day == 1


@pytest.mark.django_db(transaction=True)
def test_an_approved_edit_becomes_findable_through_the_worker(celery_worker, wait_for):
    centre = CentreFactory()
    counsellor = MembershipFactory(centre=centre).user
    admin = UserFactory(staff=True)
    offer = OfferFactory(centre=centre, status="submitted", created_by=counsellor)
    services.publish(offer=offer, by=admin)
    wait_for(lambda: SearchDocument.objects.filter(offer=offer).exists(), what="indexing")
    revision = services.propose_edit(
        offer=offer, data={"title_fr": "Découverte de la menuiserie"}, by=counsellor
    )
    assert found("menuiserie") == []  # not before approval
    services.approve_edit(revision=revision, by=admin)

    wait_for(lambda: found("menuiserie") == ["Découverte de la menuiserie"], what="reindex")
    services.archive(offer=Offer.objects.get(pk=offer.pk), by=counsellor)
    wait_for(lambda: not SearchDocument.objects.filter(offer=offer).exists(), what="removal")


def test_reindexing_twice_changes_nothing(register):
    ids = list(Offer.objects.values_list("pk", flat=True))
    before = list(SearchDocument.objects.order_by("pk").values_list("pk", "document"))
    index_offers(ids)
    index_offers(ids)
    after = list(SearchDocument.objects.order_by("pk").values_list("pk", "document"))
    assert before == after


def test_renaming_a_centre_reindexes_its_offers(register, django_capture_on_commit_callbacks):
    from offers.indexing import queue_reindex_of_centre

    register.name = register.name_fr = "Cité des Métiers de Namur-Capitale"
    register.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue_reindex_of_centre(register.pk)
    assert len(callbacks) == 1
    reindex()
    assert "Formation en logistique" in found("capitale")


def test_a_period_that_is_over_is_ignored_and_said_so(client, register):
    response = client.get(
        english_search_url(), {"date_from": "2020-01-01", "date_to": "2020-01-31"}
    )
    assert response.context["result"].total == 4  # every findable offer, dates ignored
    assert any("over" in note for note in response.context["notes"])


def test_a_place_asked_for_is_cached_until_places_change(django_assert_num_queries):
    namur = MunicipalityFactory()
    PostalCodeFactory(code="5000", municipality=namur)
    assert Vocabularies.load(near="5000").place("5000").municipality == namur
    with django_assert_num_queries(0):  # the taxonomies and the place, in one cache read
        assert Vocabularies.load(near=" 5000 ").place("5000").code == "5000"
    namur.name = namur.name_fr = "Namur-Ville"
    namur.save()
    assert Vocabularies.load(near="5000").place("5000").municipality.name == "Namur-Ville"


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_cards_next_session_reads_as_the_date_filter_would_write_it(language):
    from django.template.defaultfilters import date as date_filter

    from offers.search_cards import session_labels as _session_labels

    # Either side of both DST changes of 2026, and a morning with a single-digit day.
    moments = [
        datetime(2026, 3, 28, 23, 30, tzinfo=ZoneInfo("UTC")),
        datetime(2026, 3, 29, 12, 0, tzinfo=ZoneInfo("UTC")),
        datetime(2026, 10, 24, 22, 15, tzinfo=ZoneInfo("UTC")),
        datetime(2026, 10, 25, 9, 5, tzinfo=ZoneInfo("UTC")),
        datetime(2027, 1, 4, 8, 0, tzinfo=ZoneInfo("UTC")),
    ]
    with translation.override(language):
        label = _session_labels()
        for moment in moments:
            written = date_filter(timezone.localtime(moment), "l j F, H:i")
            assert label(moment) == translation.gettext("Next session: %(when)s") % {
                "when": written
            }
        assert label(None) == ""
