"""Forgot my password: the request only records the typed address (the same work, the same
answer and the same queries whether an account uses it or not), the worker looks the account
up and sends the link once, after commit; requests are throttled per address (silently: the
answer stays the same) and per connection (429, said plainly). A person invited to a team who
never chose a password gets a link too."""

import itertools
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import PasswordResetRequest, User
from accounts.tasks import send_password_reset
from accounts.views import ADDRESS_LIMIT, CLIENT_LIMIT

# Rate-limit counters live in Redis across runs: each run asks from fresh addresses.
_RUN = random.SystemRandom().randrange(256 * 256)
_ips = (f"10.{_RUN // 256}.{_RUN % 256}.{n % 250 + 1}" for n in itertools.count())
_addresses = (f"person-{_RUN}-{n}@example.org" for n in itertools.count())


def ask(client, email, *, ip=None, **extra):
    return client.post(
        reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip or next(_ips), **extra
    )


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


def choose_password(client, link: str, password: str):
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    return client.post(set_password_url, {"new_password1": password, "new_password2": password})


@pytest.mark.django_db(transaction=True)
def test_counsellor_resets_a_forgotten_password_through_the_mailed_link(
    client, celery_worker, smtp_server, wait_for
):
    email = next(_addresses)
    User.objects.create_user(email, "old-password-123")

    ask(client, email)
    wait_for(lambda: smtp_server.messages, what="the reset e-mail", timeout=20)
    done = choose_password(client, link_in(smtp_server.messages[0]), "a-brand-new-secret-42")

    assert done.status_code == 302
    client.post(reverse("accounts:login"), {"username": email, "password": "a-brand-new-secret-42"})
    assert "_auth_user_id" in client.session


@pytest.mark.django_db(transaction=True)
def test_reset_link_cannot_be_used_twice(client, celery_worker, smtp_server, wait_for):
    email = next(_addresses)
    User.objects.create_user(email, "old-password-123")
    ask(client, email)
    wait_for(lambda: smtp_server.messages, what="the reset e-mail", timeout=20)
    link = link_in(smtp_server.messages[0])
    choose_password(client, link, "a-brand-new-secret-42")

    again = client.get(link, follow=True)

    assert "new_password1" not in again.content.decode()
    assert reverse("accounts:password_reset") in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_mail_arrives_in_the_language_of_the_page_it_was_asked_from(
    client, celery_worker, smtp_server, wait_for
):
    email = next(_addresses)
    User.objects.create_user(email, "a-long-password-1")

    with translation.override("nl"):
        url = reverse("accounts:password_reset")
    response = client.post(url, {"email": email.upper()}, REMOTE_ADDR=next(_ips))

    assert response.status_code == 302
    wait_for(lambda: smtp_server.messages, what="the reset message", timeout=20)
    message = smtp_server.messages[0]
    assert "wachtwoord" in message["Subject"].lower()
    assert message.get_body(("plain",)).get_content().count("/nl/") >= 1


@pytest.mark.django_db(transaction=True)
def test_an_unknown_address_gets_nothing_and_its_request_names_no_account(
    client, celery_worker, smtp_server, wait_for
):
    response = ask(client, next(_addresses))

    assert response.status_code == 302
    reset = PasswordResetRequest.objects.get()
    wait_for(lambda: PasswordResetRequest.objects.get(pk=reset.pk).sent_at, what="the worker")
    assert smtp_server.messages == []
    assert PasswordResetRequest.objects.get(pk=reset.pk).user is None


@pytest.mark.django_db(transaction=True)
def test_an_invited_person_who_never_chose_a_password_gets_a_link(
    client, celery_worker, smtp_server, wait_for
):
    email = next(_addresses)
    invited = User.objects.create_user(email, None)  # as a team invitation creates them
    assert not invited.has_usable_password()

    ask(client, email.upper())
    wait_for(lambda: smtp_server.messages, what="the reset e-mail", timeout=20)
    done = choose_password(client, link_in(smtp_server.messages[0]), "my-first-password-77")

    assert done.status_code == 302
    invited.refresh_from_db()
    assert invited.check_password("my-first-password-77")


@pytest.mark.django_db
def test_the_request_only_records_the_address_and_the_worker_sends_after_commit(
    client, smtp_server, django_capture_on_commit_callbacks
):
    email = next(_addresses)
    user = User.objects.create_user(email, "old-password-123")

    with django_capture_on_commit_callbacks() as queued:
        response = ask(client, email)

    assert response.status_code == 302
    assert smtp_server.messages == []  # nothing is sent in the request
    reset = PasswordResetRequest.objects.get(email=email)
    assert reset.user is None and reset.sent_at is None
    assert len(queued) == 1  # the worker's task, queued once the request's row is committed

    send_password_reset(reset.pk)  # what the worker runs
    send_password_reset(reset.pk)  # and a redelivery

    reset.refresh_from_db()
    assert reset.user == user and reset.sent_at is not None
    assert [m["To"] for m in smtp_server.messages] == [email]


def _shape(sql: str) -> str:
    """A statement without its values and savepoint names."""
    return re.sub(r'"s\d+_x\d+"', "<savepoint>", re.sub(r"'[^']*'", "?", sql))


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_queries(client):
    known = next(_addresses)
    User.objects.create_user(known, "old-password-123")
    unknown = next(_addresses)

    answers, statements = [], []
    for email in (known, unknown):
        with CaptureQueriesContext(connection) as queries:
            response = ask(client, email)
        answers.append((response.status_code, response["Location"]))
        statements.append([_shape(q["sql"]) for q in queries.captured_queries])

    assert answers[0] == answers[1] == (302, reverse("accounts:password_reset_done"))
    assert statements[0] == statements[1]
    assert not any("accounts_user" in sql for sql in statements[0])  # no account looked up


@pytest.mark.django_db
def test_one_address_gets_a_few_links_an_hour_and_the_same_answer_after(client):
    email = next(_addresses)
    User.objects.create_user(email, "old-password-123")

    answers = {ask(client, email)["Location"] for _ in range(ADDRESS_LIMIT + 3)}

    assert answers == {reverse("accounts:password_reset_done")}
    assert PasswordResetRequest.objects.filter(email=email).count() == ADDRESS_LIMIT


@pytest.mark.django_db
def test_one_connection_asking_too_often_is_told_plainly(client):
    ip = next(_ips)
    for _ in range(CLIENT_LIMIT):
        assert ask(client, next(_addresses), ip=ip).status_code == 302

    refused = ask(client, next(_addresses), ip=ip)

    assert refused.status_code == 429
    assert "Trop de demandes" in refused.content.decode()
    assert PasswordResetRequest.objects.count() == CLIENT_LIMIT
    assert ask(client, next(_addresses)).status_code == 302  # another connection may ask


@pytest.mark.django_db
def test_a_bad_address_is_a_field_error(client):
    response = ask(client, "not an address\n")

    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not PasswordResetRequest.objects.exists()
