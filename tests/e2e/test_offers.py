"""A counsellor creates an offer with a series of sessions and submits it; an administrator
approves it. axe-core checks every page on the way."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from offers.models import Offer, OfferStatus
from tests.factories import (
    PASSWORD,
    FormatFactory,
    MembershipFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, user):
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_selector("form.inline-form button.link-button")  # the sign-out button


def test_offer_from_draft_to_published(browser, live_server, assert_accessible):
    membership = MembershipFactory()
    FormatFactory()
    ThemeFactory()
    admin = UserFactory(staff=True)

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, membership.user)
    page.goto(reverse("offers:manage_list"))
    assert_accessible(page)
    page.locator(f"a[href='{reverse('offers:manage_create')}']").first.click()
    assert_accessible(page)
    page.locator("#id_offer-title_fr").fill("Atelier « Mon projet professionnel »")
    page.locator("#id_offer-format").select_option(index=1)
    page.locator("#id_offer-themes_0").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".message")
    assert_accessible(page)

    day = timezone.localdate() + timedelta(days=30)
    page.locator("#id_session-starts_at").fill(f"{day}T14:00")
    page.locator("#id_session-ends_at").fill(f"{day}T16:00")
    page.locator("#id_session-repeat").select_option("weekly")
    page.locator("#id_session-occurrences").fill("4")
    page.locator("#id_session-capacity").fill("12")
    page.locator("form:has(#id_session-starts_at) button[type=submit]").click()
    page.wait_for_selector("table")
    assert page.locator("tbody tr").count() == 4
    page.locator("form[action*='/do/submit/'] button").click()
    page.wait_for_selector(".message")
    assert_accessible(page)
    offer = Offer.objects.get()
    assert offer.status == OfferStatus.SUBMITTED
    context.close()

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, admin)
    page.goto(reverse("offers:moderation"))
    assert_accessible(page)
    page.get_by_role("link", name="Atelier « Mon projet professionnel »").click()
    assert_accessible(page)
    page.locator("#id_decision_0").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('offers:moderation')}")
    assert_accessible(page)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    context.close()
