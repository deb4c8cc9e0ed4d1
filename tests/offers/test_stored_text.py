"""Stored text older than the rules (written with a raw ``update()``, which no validator sees)
never breaks what is built from it: the offer page, its session's .ics, the agenda feed and
the Atom feed answer 200 with the text on one line."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from offers.indexing import index_offers
from offers.models import Offer, Session
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

BAD_TITLE = "Atelier\nCV\r\u2028et\x1blettre\x0b"


@pytest.fixture
def session():
    offer = OfferFactory(published=True, booking_need="required")
    Offer.objects.filter(pk=offer.pk).update(
        title=BAD_TITLE,
        title_fr=BAD_TITLE,
        summary_fr="Deux\nlignes\x1b",
        description_fr="<p>Un\x07 paragraphe</p>\r\n<p>Un autre</p>",
    )
    starts = timezone.now() + timedelta(days=3)
    session = Session.objects.create(
        offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=2), place="Salle\n2"
    )
    index_offers([offer.pk])
    return session


def test_the_session_ics_of_an_offer_with_a_line_break_in_its_title_is_valid(client, session):
    response = client.get(
        reverse(
            "offers:session_calendar", kwargs={"pk": session.offer_id, "session_id": session.pk}
        )
    )

    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Atelier CV et lettre"
    assert str(event["location"]) == "Salle 2"
    assert str(calendar["x-wr-calname"]) == "Atelier CV et lettre"


def test_the_agenda_feed_and_the_offer_page_survive_it(client, session):
    feed = client.get(reverse("offers:agenda_calendar"))
    assert feed.status_code == 200
    assert len(Calendar.from_ical(feed.content).walk("VEVENT")) == 1

    page = client.get(reverse("offers:detail", kwargs={"pk": session.offer_id}))
    assert page.status_code == 200


def test_the_atom_feed_of_new_offers_survives_control_characters(client, session):
    response = client.get(reverse("offers:feed"))

    assert response.status_code == 200
    assert "Atelier CV et lettre" in response.content.decode()
