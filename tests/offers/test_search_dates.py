"""Dates asked for on the search page, the agenda and its calendar: always a bounded period.

Whichever end is given (a start, an end or both), the period searched starts today at the
earliest and ``MAX_DAYS_AHEAD`` days ahead at the latest, and lasts a year (366 days) at
most; any date a browser can send (years 1 to 9999) gives such a period, never a server
error, and the page says what was changed. The calendar feed is bounded the same way.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from offers.filters import MAX_RANGE_DAYS, searched_period
from offers.indexing import index_offers
from offers.models import Session
from offers.models.session import MAX_DAYS_AHEAD
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db
DATED_PAGES = ["offers:search", "offers:agenda", "offers:agenda_calendar"]


@pytest.fixture
def offer():
    """A findable offer with a session in ten days and one in 400 days."""
    offer = OfferFactory(published=True, title="Formation en logistique")
    for days in (10, 400):
        starts = timezone.now() + timedelta(days=days)
        Session.objects.create(offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=2))
    index_offers([offer.pk])
    return offer


def url_in(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize("name", DATED_PAGES)
@pytest.mark.parametrize(
    "query",
    ["date_from=9999-12-31", "date_to=9999-12-31", "date_from=9999-12-31&date_to=9999-12-31"],
)
def test_a_date_in_the_year_9999_is_never_a_server_error(client, offer, name, language, query):
    response = client.get(f"{url_in(name, language)}?{query}")

    assert response.status_code == 200


def test_an_end_alone_far_ahead_is_cut_to_a_year_from_today_and_the_page_says_so(client, offer):
    url = url_in("offers:agenda", "en")
    client.get(url)  # the vocabularies are cached: both pages below read the same
    with CaptureQueriesContext(connection) as one_month:
        client.get(url, {"date_to": (timezone.localdate() + timedelta(days=30)).isoformat()})

    with CaptureQueriesContext(connection) as far:
        response = client.get(url, {"date_to": "9999-12-30"})

    today = timezone.localdate()
    assert response.status_code == 200
    assert len(response.context["criteria"].dates(today)) == MAX_RANGE_DAYS == 366
    assert response.context["criteria"].date_range(today) == (
        today,
        today + timedelta(days=365),
    )
    assert len(far.captured_queries) == len(one_month.captured_queries) == 3
    assert response.context["total"] == 1  # the session in 400 days is past the year
    assert "the period was shortened" in response.content.decode()


def test_the_calendar_feed_is_bounded_the_same_way(client, offer):
    response = client.get(url_in("offers:agenda_calendar", "en"), {"date_to": "9999-12-30"})

    assert response.status_code == 200
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1


def test_a_start_past_the_last_planned_day_starts_on_that_day_and_the_page_says_so(client, offer):
    response = client.get(url_in("offers:search", "en"), {"date_from": "9999-12-31"})

    last_day = timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD)
    assert response.context["criteria"].date_range(timezone.localdate())[0] == last_day
    assert "No session is planned after" in response.content.decode()
    assert response.context["result"].total == 0


def test_a_search_with_dates_far_ahead_reads_a_bounded_number_of_day_keys(
    client, offer, django_assert_num_queries
):
    url = url_in("offers:search", "en")
    client.get(url)
    with django_assert_num_queries(2):  # the bitmaps, then the result cards
        response = client.get(url, {"date_from": "2000-01-01", "date_to": "9999-12-31"})

    assert response.context["result"].total == 1


TODAY = date(2027, 1, 15)
LAST = TODAY + timedelta(days=MAX_DAYS_AHEAD)
YEAR = timedelta(days=365)


@pytest.mark.parametrize(
    ("date_from", "date_to", "period", "changed"),
    [
        (None, None, (None, None), set()),
        (TODAY, TODAY, (TODAY, TODAY), set()),
        (date(2027, 2, 1), None, (date(2027, 2, 1), date(2027, 2, 1) + YEAR), set()),
        (None, date(2027, 2, 1), (TODAY, date(2027, 2, 1)), set()),
        (None, date(9999, 12, 31), (TODAY, TODAY + YEAR), {"shortened"}),
        (date(1, 1, 1), date(9999, 12, 31), (TODAY, TODAY + YEAR), {"shortened"}),
        (date(1, 1, 1), None, (TODAY, TODAY + YEAR), set()),
        (date(9999, 12, 31), None, (LAST, LAST + YEAR), {"too_far"}),
        (date(9999, 12, 31), date(1, 1, 1), (TODAY, TODAY + YEAR), {"swapped", "shortened"}),
        (date(2027, 3, 1), date(2027, 2, 1), (date(2027, 2, 1), date(2027, 3, 1)), {"swapped"}),
        (None, date(1, 1, 1), (None, None), {"over"}),
        (date(2020, 1, 1), date(2020, 1, 31), (None, None), {"over"}),
    ],
)
def test_every_period_asked_for_is_bounded_whichever_end_is_given(
    date_from, date_to, period, changed
):
    searched = searched_period(date_from, date_to, TODAY)

    assert (searched.start, searched.end) == period
    flags = {"swapped", "over", "too_far", "shortened"}
    assert {flag for flag in flags if getattr(searched, flag)} == changed
