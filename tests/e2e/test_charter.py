"""A centre manager signs the charter and the badge appears on the centre's page; the charter
pages have no axe violation in French and Dutch."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from charter.models import CharterVersion, Commitment, Principle, Signature
from tests.e2e.test_offers import sign_in
from tests.factories import CentreFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def version():
    version = CharterVersion.objects.create(
        title="Charte pour l’orientation tout au long de la vie",
        title_fr="Charte pour l’orientation tout au long de la vie",
        title_nl="Handvest voor levenslange loopbaanbegeleiding",
        adopted_on=date(2022, 5, 5),
        preamble_fr="Signée le 5 mai 2022.",
        status="published",
        published_at=timezone.now(),
    )
    for number, (fr, nl) in enumerate(
        [("Coopération", "Samenwerking"), ("Neutralité", "Neutraliteit")], start=1
    ):
        principle = Principle.objects.create(
            version=version, number=number, name=fr, name_fr=fr, name_nl=nl
        )
        Commitment.objects.create(
            version=version, principle=principle, number=number, text_fr=f"Engagement {fr}"
        )
    return version


def test_a_manager_signs_and_the_badge_appears(browser, live_server, version, assert_accessible):
    membership = MembershipFactory(
        centre=CentreFactory(name="Cité des Métiers de Liège", cite=True), manager=True
    )
    centre = membership.centre
    context = browser.new_context(base_url=live_server.url, locale="fr-BE")
    page = context.new_page()
    page.goto(centre.get_absolute_url())
    assert page.locator(".badge-charter").count() == 0

    sign_in(page, membership.user)
    with translation.override("fr"):
        page.goto(reverse("charter:manage", kwargs={"slug": centre.slug}))
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()  # without the confirmation
    page.wait_for_selector("#id_confirm_error1")
    assert_accessible(page)
    page.locator("#id_confirm").check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector(".message-success")
    assert_accessible(page)
    signature = Signature.objects.get(centre=centre)
    assert signature.signed_by == membership.user

    page.goto(centre.get_absolute_url())
    badge = page.locator(".badge-charter")
    assert badge.count() == 1
    badge.click()
    page.wait_for_selector("#signatories-title")
    assert page.locator(f"a[href='{centre.get_absolute_url()}']").count() >= 1
    context.close()


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_charter_pages_are_accessible(page, version, assert_accessible, language):
    with translation.override(language):
        urls = [
            reverse("charter:charter"),
            reverse("charter:charter") + "?kind=organisation:government",
            reverse("charter:version", kwargs={"pk": version.pk}),
        ]
    for url in urls:
        response = page.goto(url)
        assert response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)
