import pytest
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation

from accounts.models import User


def test_mail_sent_by_the_app_reaches_the_smtp_server(smtp_server, wait_for):
    send_mail("Rendez-vous confirmé", "Bonjour", None, ["citizen@example.org"])

    wait_for(lambda: smtp_server.messages, what="the message at the SMTP server")
    assert smtp_server.subjects() == ["Rendez-vous confirmé"]
    assert smtp_server.messages[0]["To"] == "citizen@example.org"


@pytest.mark.django_db
def test_password_reset_mail_arrives_in_the_page_language(client, smtp_server, wait_for):
    User.objects.create_user("counsellor@example.org", "a-long-password-1")

    with translation.override("nl"):
        url = reverse("accounts:password_reset")
    response = client.post(url, {"email": "COUNSELLOR@example.org"})

    assert response.status_code == 302
    wait_for(lambda: smtp_server.messages, what="the reset message")
    message = smtp_server.messages[0]
    assert "wachtwoord" in message["Subject"].lower()
    assert message.get_body(("plain",)).get_content().count("/nl/") >= 1


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing(client, smtp_server):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert smtp_server.messages == []
