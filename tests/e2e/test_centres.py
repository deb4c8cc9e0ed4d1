"""Browser journeys through the directory and the counsellors' space, checked with axe."""

from datetime import datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    PASSWORD,
    CentreFactory,
    MembershipFactory,
    OpeningSlotFactory,
    PostalCodeFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def centre():
    place = PostalCodeFactory()
    centre = CentreFactory(
        name="Cité des Métiers de Namur", cite=True, municipality=place.municipality
    )
    for weekday in range(7):  # open all day, every day: "open now" whatever the hour
        OpeningSlotFactory(centre=centre, weekday=weekday, opens=time(0, 0), closes=time(23, 59))
    CentreFactory(name="SIEP Namur", municipality=place.municipality)
    return centre


def test_citizen_finds_a_centre_near_a_postcode_and_sees_it_is_open(
    page, assert_accessible, centre
):
    # The slots end at 23:59: at noon the centre is open whatever time the suite runs.
    noon = datetime.combine(timezone.localdate(), time(12, 0), timezone.get_current_timezone())
    with time_machine.travel(noon, tick=True):
        _find_and_open(page, assert_accessible, centre)


def _find_and_open(page, assert_accessible, centre):
    page.goto(reverse("centres:directory"))
    assert_accessible(page)

    page.locator("#id_near").fill("5000")
    page.locator("#id_radius").fill("10")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**near=5000**")
    assert_accessible(page)

    page.get_by_role("link", name="Cité des Métiers de Namur").click()
    page.wait_for_url(f"**{centre.get_absolute_url()}")
    assert page.locator(".opening-status.is-open").count() == 1
    assert_accessible(page)


def test_unknown_postcode_is_explained_next_to_the_field(page, assert_accessible, centre):
    page.goto(reverse("centres:directory") + "?near=9999&radius=-3")

    assert page.locator(".error-summary").is_visible()
    assert page.locator("#id_near").evaluate("el => el.closest('.field').textContent").count("9999")
    assert_accessible(page)


def test_counsellor_edits_opening_hours_and_sees_them_on_the_public_page(
    page, assert_accessible, centre
):
    counsellor = MembershipFactory(centre=centre).user
    centre.opening_slots.all().delete()

    page.goto(reverse("accounts:login") + "?next=" + reverse("centres:dashboard"))
    page.locator("#id_username").fill(counsellor.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"**{reverse('centres:dashboard')}")
    assert_accessible(page)

    page.locator(f"a[href='{reverse('centres:edit', kwargs={'slug': centre.slug})}']").click()
    assert_accessible(page)
    page.locator("#id_hours-0-weekday").select_option("2")
    page.locator("#id_hours-0-opens").fill("09:15")
    page.locator("#id_hours-0-closes").fill("16:45")
    page.locator("button[name=preview]").click()
    assert page.locator(".preview").is_visible()
    assert_accessible(page)
    page.locator("button[name=save]").click()
    page.wait_for_selector(".message")

    page.goto(centre.get_absolute_url())
    assert "09:15–16:45" in page.locator("table.hours").inner_text()
    assert_accessible(page)


def test_invalid_opening_slot_is_linked_to_its_field(page, assert_accessible, centre):
    counsellor = MembershipFactory(centre=centre).user
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(counsellor.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()

    page.goto(reverse("centres:edit", kwargs={"slug": centre.slug}))
    page.locator("#id_hours-7-weekday").select_option("0")
    page.locator("#id_hours-7-opens").fill("18:00")
    page.locator("#id_hours-7-closes").fill("09:00")
    page.locator("button[name=save]").click()

    summary_link = page.locator(".error-summary a[href='#id_hours-7-closes']")
    assert summary_link.count() == 1
    assert_accessible(page)
    summary_link.click()
    assert page.evaluate("document.activeElement.id") == "id_hours-7-closes"
