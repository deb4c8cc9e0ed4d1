"""A manager invites a counsellor of another centre, who joins by accepting the e-mailed
invitation, signed in as themselves; another account is refused, a withdrawn invitation is
closed. axe-core checks every page on the way, error states included."""

import re

import pytest
from django.urls import reverse

from centres.models import Invitation, InvitationState, Membership
from tests.factories import PASSWORD, CentreFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def centre():
    return CentreFactory(name="Cité des Métiers de Namur", cite=True)


@pytest.fixture
def manager(centre):
    return MembershipFactory(centre=centre, manager=True, user__full_name="Marie Manager").user


@pytest.fixture
def invitee():
    return MembershipFactory(
        centre=CentreFactory(name="SIEP Liège"),
        user__email="olivier@example.org",
        user__full_name="Olivier Conseil",
    ).user


def team_url(centre):
    return reverse("centres:team", kwargs={"slug": centre.slug})


def sign_in(page, user, *, next_url=None):
    """Sign in on the login page the browser is on, or open it first."""
    if next_url is not None:
        page.goto(reverse("accounts:login") + "?next=" + next_url)
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()


def invite(page, email, role="counsellor"):
    page.locator("#id_email").fill(email)
    page.locator("#id_full_name").fill("Olivier")
    page.locator("#id_role").select_option(role)
    page.locator("form.narrow button[type=submit]").click()
    page.wait_for_load_state()


def test_an_existing_counsellor_joins_only_by_accepting_the_invitation(
    browser,
    page,
    live_server,
    settings,
    celery_worker,
    smtp_server,
    wait_for,
    assert_accessible,
    centre,
    manager,
    invitee,
):
    settings.SITE_URL = live_server.url
    stranger = UserFactory(email="someone.else@example.org")

    sign_in(page, manager, next_url=team_url(centre))
    page.wait_for_url(f"**{team_url(centre)}")
    assert_accessible(page)
    page.locator("form.narrow button[type=submit]").click()  # empty: errors by the fields
    page.wait_for_selector(".error-summary")
    assert_accessible(page)
    invite(page, "Olivier@Example.org")
    page.wait_for_selector(".message-success")
    assert (
        "olivier@example.org"
        in page.locator("table[aria-labelledby=invitations-title]").inner_text()
    )
    assert_accessible(page)
    assert not Membership.objects.filter(centre=centre, user=invitee).exists()

    wait_for(lambda: smtp_server.messages, what="the invitation e-mail", timeout=20)
    text = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"(http://\S+/)\s", text).group(1)
    assert "password" not in link and "mot-de-passe" not in link

    other = browser.new_context(base_url=live_server.url, locale="fr-BE").new_page()
    other.goto(link)  # not signed in: the login page first, then back to the invitation
    assert_accessible(other)
    sign_in(other, stranger)
    assert "autre compte" in other.locator("h1").inner_text()
    assert "Cité des Métiers de Namur" not in other.locator("main").inner_text()
    assert_accessible(other)  # refused: the invitation is for another account

    other.locator("main form button[type=submit]").click()  # sign out, sign in as invitee
    other.wait_for_selector("#id_username")
    sign_in(other, invitee)
    other.wait_for_selector("button[value=accept]")
    assert "Marie Manager" in other.locator("main").inner_text()
    assert_accessible(other)
    other.locator("button[value=accept]").click()
    other.wait_for_url(f"**{reverse('centres:dashboard')}")
    other.wait_for_selector(".message-success")
    assert "Cité des Métiers de Namur" in other.locator(".cards").inner_text()
    assert_accessible(other)

    other.goto(link)  # the link is used: it says so and changes nothing
    assert other.locator("button[value=accept]").count() == 0
    assert_accessible(other)
    assert Membership.objects.filter(centre=centre, user=invitee).count() == 1

    page.reload()
    assert "olivier@example.org" in page.locator("table").first.inner_text()
    assert_accessible(page)
    other.context.close()


def test_a_withdrawn_invitation_and_a_broken_link_are_explained(
    page, assert_accessible, centre, manager, invitee
):
    invitation = Invitation.objects.create(
        centre=centre, user=invitee, email=invitee.email, role="counsellor", invited_by=manager
    )
    sign_in(page, manager, next_url=team_url(centre))
    page.locator("table[aria-labelledby=invitations-title] button").click()
    page.wait_for_selector(".message-success")
    assert_accessible(page)
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.WITHDRAWN
    page.locator("header form button[type=submit]").click()  # sign out
    page.wait_for_load_state()

    sign_in(page, invitee, next_url=invitation.get_absolute_url())
    assert "retirée" in page.locator("h1").inner_text()
    assert page.locator("button[value=accept]").count() == 0
    assert_accessible(page)

    response = page.goto(invitation.get_absolute_url()[:-3] + "xx/")
    assert response.status == 404
    assert_accessible(page)
    assert not Membership.objects.filter(centre=centre, user=invitee).exists()
