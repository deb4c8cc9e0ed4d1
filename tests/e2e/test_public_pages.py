"""Browser journeys over the public pages: axe-core finds nothing, the keyboard gets around."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = ["home", "accessibility", "privacy", "legal"]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_public_pages_have_no_accessibility_violation(page, assert_accessible, language):
    for name in PAGES:
        with translation.override(language):
            url = reverse(name)
        response = page.goto(url)
        assert response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)


def test_keyboard_user_skips_to_the_content(page):
    page.goto("/fr/")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main"


def test_language_switcher_keeps_the_page(page):
    with translation.override("fr"):
        page.goto(reverse("privacy"))

    page.get_by_role("navigation", name="Langue").get_by_role("link", name="Nederlands").click()

    assert page.locator("html").get_attribute("lang") == "nl"
    with translation.override("nl"):
        assert page.url.endswith(reverse("privacy"))


def test_page_fits_a_320_pixel_screen_without_horizontal_scroll(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    small = context.new_page()
    for name in PAGES:
        with translation.override("fr"):
            assert small.goto(reverse(name)).status == 200
        scroll = small.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 320, f"{name} is {scroll} px wide at 320 px"
    context.close()


def test_sign_in_form_works_with_the_keyboard_and_is_accessible(page, assert_accessible):
    from accounts.models import User

    User.objects.create_user("counsellor@example.org", "correct-horse-battery")
    with translation.override("fr"):
        page.goto(reverse("accounts:login"))
    assert_accessible(page)

    page.get_by_role("button", name="Se connecter").click()
    assert_accessible(page)  # the error summary and the field errors too
    page.get_by_label("Adresse e-mail").fill("counsellor@example.org")
    page.get_by_label("Mot de passe").fill("correct-horse-battery")
    page.get_by_label("Mot de passe").press("Enter")

    page.wait_for_url("**/fr/")
    assert page.get_by_role("button", name=re.compile("Se déconnecter")).count() == 1


def test_the_accessibility_check_catches_violations(page, assert_accessible):
    page.set_content('<html><body><img src="x.png"><a href="/"></a></body></html>')

    with pytest.raises(AssertionError, match=r"image-alt .*\n(.|\n)*link-name|link-name"):
        assert_accessible(page)
