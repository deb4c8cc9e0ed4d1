import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def counsellor():
    return User.objects.create_user("Counsellor@Example.org", PASSWORD, full_name="Anne Conseil")


def test_counsellor_signs_in_with_email_in_any_case(client, counsellor):
    response = client.post(
        reverse("accounts:login"), {"username": "COUNSELLOR@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(counsellor.pk)


def test_wrong_password_shows_a_translated_error_linked_to_the_form(client, counsellor):
    response = client.post(
        reverse("accounts:login"), {"username": "counsellor@example.org", "password": "wrong"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert "ne correspondent" in html  # French by default


def test_empty_form_links_each_error_to_its_field(client):
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})

    html = response.content.decode()
    assert 'href="#id_username"' in html
    assert 'href="#id_password"' in html


def test_failed_logins_beyond_the_limit_are_locked_out(client, counsellor, settings):
    url = reverse("accounts:login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "counsellor@example.org", "password": "guess"})

    response = client.post(url, {"username": "counsellor@example.org", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "bloqu" in response.content.decode()


def test_sign_out_needs_a_post(client, counsellor):
    client.force_login(counsellor)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_email_is_unique_whatever_its_case(counsellor):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create_user("counsellor@EXAMPLE.org", PASSWORD)
