"""A citizen searches with a typo, narrows with two facets, opens an offer and downloads a
session's calendar file. axe-core checks the search, agenda and offer pages in French and
Dutch."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from offers.indexing import index_offers
from offers.models import Audience, Offer, Session
from tests.factories import CentreFactory, OfferFactory, ThemeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register():
    centre = CentreFactory(name="Cité des Métiers de Namur", cite=True)
    # Transactional tests empty the tables, the seeded vocabularies with them.
    young, _ = Audience.objects.get_or_create(
        slug="young-people", defaults={"name": "Jeunes", "name_fr": "Jeunes"}
    )
    direction = ThemeFactory(slug="choose-a-direction")
    job = ThemeFactory(slug="find-a-job", name="Trouver un emploi", name_fr="Trouver un emploi")
    for title, theme, free in (
        ("Atelier orientation : choisir ses études", direction, True),
        ("Séance d’orientation pour chercheurs d’emploi", job, True),
        ("Orientation et bilan de compétences", direction, False),
    ):
        offer = OfferFactory(
            centre=centre,
            published=True,
            title=title,
            title_nl=f"{title} (NL)",
            is_free=free,
            price_note="" if free else "10 €",
            is_anonymous_possible=True,
        )
        offer.themes.set([theme])
        offer.audiences.set([young])
        starts = timezone.now() + timedelta(days=2)
        Session.objects.create(
            offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=15
        )
    index_offers(Offer.objects.values_list("pk", flat=True))


def test_search_with_a_typo_two_facets_offer_and_ics(page, register, assert_accessible):
    with translation.override("fr"):
        page.goto(reverse("offers:search"))
    assert_accessible(page)
    page.locator("#id_q").fill("orientaton")
    page.locator("#id_q").press("Enter")
    page.wait_for_selector("#results-title")
    assert "orientation" in page.locator(".results .message").first.inner_text()
    assert page.locator(".offer-card").count() == 3
    assert_accessible(page)

    page.locator(".facets a[href*='theme=choose-a-direction']").click()
    page.wait_for_url("**theme=choose-a-direction**")
    assert page.locator(".offer-card").count() == 2
    page.locator(".facets a[href*='free=1']").click()
    page.wait_for_url("**free=1**")
    assert page.locator(".offer-card").count() == 1
    assert_accessible(page)
    page.go_back()
    page.wait_for_function("document.querySelectorAll('.offer-card').length === 2")
    page.go_forward()
    page.wait_for_function("document.querySelectorAll('.offer-card').length === 1")

    page.locator(".offer-card h3 a").first.click()
    page.wait_for_selector("#offer-title")
    assert "choisir ses études" in page.locator("h1").inner_text()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.locator("a[href$='.ics']").first.click()
    path = download_info.value.path()
    with open(path, "rb") as file:
        calendar = Calendar.from_ical(file.read())
    (event,) = calendar.walk("VEVENT")
    assert "choisir ses études" in str(event["summary"])


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_search_agenda_and_offer_pages_are_accessible(page, register, assert_accessible, language):
    offer = Offer.objects.order_by("pk").first()
    with translation.override(language):
        urls = [
            reverse("offers:search") + "?q=orientation",
            reverse("offers:search") + "?q=zzzz&theme=find-a-job",
            reverse("offers:agenda"),
            offer.get_absolute_url(),
        ]
    for url in urls:
        response = page.goto(url)
        assert response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)


def test_facets_work_with_the_keyboard_only(page, register):
    with translation.override("fr"):
        page.goto(reverse("offers:search") + "?q=orientation")
    link = page.locator(".facets a[href*='theme=choose-a-direction']")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**theme=choose-a-direction**")
    assert page.locator(".offer-card").count() == 2
