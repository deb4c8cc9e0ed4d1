"""A citizen searches, opens an offer, books a place, follows the manage link from the
e-mail and cancels. axe-core checks every page on the way."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from offers.indexing import index_offers
from offers.models import Booking, Session
from tests.factories import CentreFactory, OfferFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_book_then_cancel_from_the_email(
    page, live_server, settings, celery_worker, smtp_server, wait_for, assert_accessible
):
    settings.SITE_URL = live_server.url
    settings.BOOKING_MIN_FILL_SECONDS = 0  # a browser fills the form faster than a person
    centre = CentreFactory(name="Cité des Métiers de Charleroi", cite=True)
    offer = OfferFactory(
        centre=centre, published=True, title="Visite d’entreprise : la logistique",
        booking_need="required",
    )  # fmt: skip
    starts = timezone.now() + timedelta(days=5)
    Session.objects.create(
        offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=12
    )
    index_offers([offer.pk])

    with translation.override("fr"):
        page.goto(reverse("offers:search") + "?q=logistique")
    assert_accessible(page)
    page.locator(".offer-card h3 a").first.click()
    page.wait_for_selector("#offer-title")
    assert_accessible(page)
    page.locator("section:has(#sessions-title) a.button").first.click()  # "Book for …"
    page.wait_for_selector("#id_first_name")
    assert_accessible(page)
    page.locator("main button[type=submit]").click()  # empty: errors linked to the fields
    page.wait_for_selector("#id_first_name_error1")
    assert_accessible(page)
    page.locator("#id_first_name").fill("Yasmine")
    page.locator("#id_email").fill("yasmine@example.org")
    page.locator("#id_consent").check()
    page.locator("main button[type=submit]").click()
    page.wait_for_selector(".message-success")
    assert_accessible(page)
    assert Booking.objects.get().status == "confirmed"

    wait_for(lambda: len(smtp_server.messages) == 1, what="the confirmation e-mail", timeout=20)
    text = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"(http://\S+/)\s", text).group(1)
    page.goto(link)
    assert_accessible(page)
    page.locator("form.inline-form button").first.click()  # cancel my booking
    page.wait_for_selector(".message-success")
    assert_accessible(page)
    assert Booking.objects.get().status == "cancelled"
