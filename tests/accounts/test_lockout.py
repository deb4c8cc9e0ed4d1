"""Sign-in lockouts: one count per e-mail address, however it is typed.

An address is locked after five failures from one client (``AXES_FAILURE_LIMIT``) or twenty
from any mix of clients (``SIGN_IN_ACCOUNT_FAILURE_LIMIT``), on the portal's login and the
admin's alike; while locked even the right password is refused, in any letter case. An
address without an account is locked the same way and gets the same page.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
SPELLINGS = ["someone@example.org", "Someone@example.org", "SOMEONE@EXAMPLE.ORG"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests sign in a hundred times; the strength of the hash is not their subject."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def someone():
    return User.objects.create_user("someone@example.org", PASSWORD, full_name="Sam Someone")


@pytest.fixture
def administrator():
    return User.objects.create_superuser("admin@example.org", PASSWORD)


def sign_in(client, username, password, *, address="203.0.113.1", url=None):
    return client.post(
        url or reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def admin_sign_in(client, username, password, *, address="203.0.113.1"):
    url = reverse("admin:login") + "?next=" + reverse("admin:index")
    return sign_in(client, username, password, address=address, url=url)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_address_in_every_letter_case(client, someone):
    for _attempt in range(5):
        sign_in(client, "someone@example.org", "guess")

    for spelling in [*SPELLINGS[1:], "  SomeOne@Example.Org  "]:
        assert sign_in(client, spelling, "another-guess").status_code == 429


def test_the_right_password_in_another_case_is_refused_after_the_lockout(client, someone):
    for _attempt in range(5):
        sign_in(client, "someone@example.org", "guess")

    response = sign_in(client, "SOMEONE@example.org", PASSWORD)

    assert response.status_code == 429
    assert not is_signed_in(client)


def test_failures_typed_in_different_cases_add_up_to_one_lockout(client, someone):
    for spelling in [*SPELLINGS, "someone@EXAMPLE.org", "sOmEoNe@example.org"]:
        sign_in(client, spelling, "guess")

    assert sign_in(client, "someone@example.org", PASSWORD).status_code == 429


def test_letters_postgresql_folds_to_ascii_are_the_same_address(client, someone):
    """Django's e-mail validator accepts "ſ" (long s), and PostgreSQL's case-insensitive
    match takes it for "s": it signs in to the account, so it must count for it too."""
    assert sign_in(client, "ſomeone@example.org", PASSWORD).status_code == 302
    client.logout()

    for _attempt in range(5):
        sign_in(client, "ſomeone@example.org", "guess")

    assert sign_in(client, "someone@example.org", PASSWORD).status_code == 429


def test_address_is_signed_in_with_mixed_case_when_not_locked(client, someone):
    for _attempt in range(4):
        sign_in(client, "Someone@Example.org", "guess")

    response = sign_in(client, "SOMEONE@EXAMPLE.ORG", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(someone.pk)


def test_admin_login_is_locked_in_every_letter_case(client, administrator):
    for spelling in ["admin@example.org", "Admin@example.org", "ADMIN@EXAMPLE.ORG"]:
        admin_sign_in(client, spelling, "guess")
        admin_sign_in(client, spelling.swapcase(), "guess")

    response = admin_sign_in(client, "AdMiN@ExAmPlE.oRg", PASSWORD)

    assert response.status_code == 429
    assert not is_signed_in(client)
    assert sign_in(client, "admin@example.org", PASSWORD).status_code == 429  # one count


def test_admin_signs_in_with_mixed_case_when_not_locked(client, administrator):
    response = admin_sign_in(client, "ADMIN@Example.ORG", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(administrator.pk)


def test_twenty_failures_from_several_addresses_lock_the_account_everywhere(client, someone):
    statuses = [
        sign_in(client, SPELLINGS[attempt % 3], "guess", address=f"198.51.100.{number}").status_code
        for number in range(1, 6)
        for attempt in range(4)  # under the per-client limit at each address
    ]

    assert statuses == [200] * 19 + [429]
    response = sign_in(client, "someone@example.org", PASSWORD, address="192.0.2.99")
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_one_client_cannot_lock_the_account_for_everyone_else(client, someone):
    for _attempt in range(5):
        sign_in(client, "someone@example.org", "guess", address="198.51.100.7")

    assert (
        sign_in(client, "someone@example.org", PASSWORD, address="198.51.100.7").status_code == 429
    )
    assert sign_in(client, "someone@example.org", PASSWORD, address="192.0.2.8").status_code == 302


def test_the_lockout_page_does_not_tell_whether_the_account_exists(client, someone):
    for _attempt in range(5):
        sign_in(client, "someone@example.org", "guess")
        sign_in(client, "nobody@example.org", "guess")

    existing = sign_in(client, "someone@example.org", PASSWORD)
    unknown = sign_in(client, "nobody@example.org", PASSWORD)

    assert existing.status_code == unknown.status_code == 429
    assert existing.content == unknown.content
    assert existing["Retry-After"] == unknown["Retry-After"] == "3600"


def test_the_lockout_page_is_translated(client, someone):
    with translation.override("nl"):
        url = reverse("accounts:login")
    for _attempt in range(5):
        response = sign_in(client, "someone@example.org", "guess", url=url)

    html = response.content.decode()
    assert response.status_code == 429
    assert "geblokkeerd" in html
    assert "60 minuten" in html
