import re

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_counsellor_resets_a_forgotten_password_through_the_mailed_link(
    client, smtp_server, wait_for
):
    User.objects.create_user("counsellor@example.org", "old-password-123")

    client.post(reverse("accounts:password_reset"), {"email": "counsellor@example.org"})
    wait_for(lambda: smtp_server.messages, what="the reset e-mail")
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/\S+)", body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
    )

    assert done.status_code == 302
    client.post(
        reverse("accounts:login"),
        {"username": "counsellor@example.org", "password": "a-brand-new-secret-42"},
    )
    assert "_auth_user_id" in client.session


def test_reset_link_cannot_be_used_twice(client, smtp_server, wait_for):
    User.objects.create_user("counsellor@example.org", "old-password-123")
    client.post(reverse("accounts:password_reset"), {"email": "counsellor@example.org"})
    wait_for(lambda: smtp_server.messages, what="the reset e-mail")
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/\S+)", body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        set_password_url,
        {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
    )

    again = client.get(link, follow=True)

    assert "new_password1" not in again.content.decode()
    assert reverse("accounts:password_reset") in again.content.decode()
