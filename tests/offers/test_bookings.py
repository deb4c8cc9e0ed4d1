"""Bookings: capacity under concurrency, waiting list, e-mails sent once, purge, access."""

import itertools
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import signing
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from guidance_portal.tasks import send_owed_emails
from offers import bookings
from offers.booking_forms import STARTED_SALT
from offers.models import Booking, BookingMessage, Session, SessionStats
from offers.querysets import SessionQuerySet
from offers.tasks import purge_bookings
from tests.factories import CentreFactory, MembershipFactory, OfferFactory

# Rate-limit counters live in Redis across runs: each run books from fresh addresses.
_RUN = random.SystemRandom().randrange(256 * 256)
_ips = (f"10.{_RUN // 256}.{_RUN % 256}.{n % 250 + 1}" for n in itertools.count())


def request(n: int, places: int = 1) -> bookings.Request:
    return bookings.Request(first_name=f"Personne {n}", email=f"p{n}@example.org", places=places)


def make_session(capacity=10, hours_ahead=72, **offer) -> Session:
    offer = OfferFactory(published=True, booking_need="required", max_places_per_booking=3, **offer)
    starts = timezone.now() + timedelta(hours=hours_ahead)
    return Session.objects.create(
        offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=capacity
    )


def form_data(**overrides) -> dict:
    data = {
        "first_name": "Amina",
        "email": "amina@example.org",
        "places": "1",
        "consent": "on",
        "website": "",
        "started": signing.dumps(time.time() - 30, salt=STARTED_SALT),
    }
    data.update(overrides)
    return data


def book_url(session) -> str:
    return reverse("offers:book", kwargs={"pk": session.offer_id, "session_id": session.pk})


# Capacity --------------------------------------------------------------------------------


def _book_concurrently(session_id: int, count: int) -> list[str]:
    def one(n: int) -> str:
        try:
            return bookings.book(session_id=session_id, request=request(n)).status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.fixture
def slow_count(monkeypatch):
    """Widen the race window: counting the places takes a while."""
    real = bookings.confirmed_places

    def slow(session):
        taken = real(session)
        time.sleep(0.05)
        return taken

    monkeypatch.setattr(bookings, "confirmed_places", slow)


@pytest.mark.django_db(transaction=True)
def test_without_the_row_lock_concurrent_bookings_would_overbook(monkeypatch, slow_count):
    monkeypatch.setattr(SessionQuerySet, "select_for_update", lambda self, **kwargs: self)
    session = make_session(capacity=10)
    _book_concurrently(session.pk, 30)
    assert Booking.objects.filter(status="confirmed").count() > 10  # the guard matters


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_bookings_on_ten_places_confirm_exactly_ten(slow_count):
    session = make_session(capacity=10)
    statuses = _book_concurrently(session.pk, 30)
    assert statuses.count("confirmed") == 10
    assert statuses.count("waiting") == 20
    assert bookings.confirmed_places(session) == 10
    stats = SessionStats.objects.get(session=session)
    assert (stats.bookings, stats.places_booked, stats.waiting_list) == (10, 10, 20)


@pytest.mark.django_db
def test_a_cancellation_promotes_the_first_person_waiting():
    session = make_session(capacity=2)
    first = bookings.book(session_id=session.pk, request=request(1, places=2))
    second = bookings.book(session_id=session.pk, request=request(2))
    third = bookings.book(session_id=session.pk, request=request(3))
    assert (second.status, third.status) == ("waiting", "waiting")
    bookings.cancel(booking=first)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == ("confirmed", "confirmed")
    assert BookingMessage.objects.filter(booking=second, kind="promoted").exists()
    assert not BookingMessage.objects.filter(booking=first, kind="reminder").exists()


@pytest.mark.django_db
def test_refusals_say_why():
    with translation.override("en"):  # the messages are matched in the source language
        _refusals()


def _refusals():
    session = make_session(capacity=5)
    bookings.book(session_id=session.pk, request=request(1))
    with pytest.raises(bookings.BookingError, match="already"):
        bookings.book(
            session_id=session.pk,
            request=bookings.Request(first_name="X", email="P1@EXAMPLE.org", places=1),
        )
    with pytest.raises(bookings.BookingError, match="at most"):
        bookings.book(session_id=session.pk, request=request(2, places=4))
    closing = make_session(hours_ahead=1)  # closes 2 hours before
    with pytest.raises(bookings.BookingError, match="closed"):
        bookings.book(session_id=closing.pk, request=request(3))
    cancelled = make_session()
    Session.objects.filter(pk=cancelled.pk).update(is_cancelled=True)
    with pytest.raises(bookings.BookingError, match="cannot be booked"):
        bookings.book(session_id=cancelled.pk, request=request(4))
    past = make_session(hours_ahead=-5)
    with pytest.raises(bookings.BookingError):
        bookings.book(session_id=past.pk, request=request(5))
    assert Booking.objects.count() == 1


# The form ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_booking_through_the_form_redirects_to_the_manage_page(client):
    session = make_session()
    response = client.post(book_url(session), form_data(), REMOTE_ADDR=next(_ips))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert response["Location"].endswith(f"/{bookings.manage_code(booking)}/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Amina" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("places", "0"),
        ("places", "-1"),
        ("places", "4"),
        ("places", "abc"),
        ("email", "not-an-address"),
        ("first_name", "x" * 10_000),
        ("phone", "<script>"),
        ("accessibility_needs", "x" * 501),
        ("consent", ""),
    ],
)
def test_bad_input_gives_a_field_error_and_saves_nothing(client, field, value):
    session = make_session()
    response = client.post(book_url(session), form_data(**{field: value}), REMOTE_ADDR=next(_ips))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert f'id="id_{field}_error1"' in response.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"website": "http://spam.example"},
        {"started": "just now"},
        {"started": "forged"},
    ],
)
def test_bots_are_stopped_and_told_why(client, overrides):
    if overrides.get("started") == "just now":
        overrides = {"started": signing.dumps(time.time(), salt=STARTED_SALT)}
    session = make_session()
    response = client.post(book_url(session), form_data(**overrides), REMOTE_ADDR=next(_ips))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_the_booking_form_is_rate_limited_per_client(client):
    session = make_session(capacity=None)
    address = next(_ips)
    for n in range(10):
        response = client.post(
            book_url(session), form_data(email=f"r{n}@example.org"), REMOTE_ADDR=address
        )
        assert response.status_code == 302, response.content.decode()[-3000:]
    response = client.post(
        book_url(session), form_data(email="r99@example.org"), REMOTE_ADDR=address
    )
    assert response.status_code == 429
    assert Booking.objects.count() == 10
    other = client.post(
        book_url(session), form_data(email="r98@example.org"), REMOTE_ADDR=next(_ips)
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_a_tampered_or_purged_manage_link_gives_404(client):
    session = make_session()
    booking = bookings.book(session_id=session.pk, request=request(1))
    code = bookings.manage_code(booking)
    good = reverse("offers:booking", kwargs={"code": code})
    assert client.get(good).status_code == 200
    tampered = reverse(
        "offers:booking", kwargs={"code": code[:-2] + ("AA" if code[-2:] != "AA" else "BB")}
    )
    assert client.get(tampered).status_code == 404
    assert client.get(reverse("offers:booking", kwargs={"code": "1"})).status_code == 404
    client.post(good, {"action": "forget"})
    assert client.get(good).status_code == 404


@pytest.mark.django_db
def test_citizen_cancels_through_the_manage_page(client):
    session = make_session(capacity=1)
    first = bookings.book(session_id=session.pk, request=request(1))
    waiting = bookings.book(session_id=session.pk, request=request(2))
    url = reverse("offers:booking", kwargs={"code": bookings.manage_code(first)})
    assert client.post(url, {"action": "cancel"}).status_code == 302
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.status == "cancelled"
    assert waiting.status == "confirmed"


# Counsellors ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_centres_counsellors_see_the_bookings(client):
    session = make_session()
    bookings.book(session_id=session.pk, request=request(1))
    own = MembershipFactory(centre=session.offer.centre).user
    other = MembershipFactory(centre=CentreFactory(name="SIEP Mons")).user
    kwargs = {"pk": session.offer_id, "session_id": session.pk}
    urls = [
        reverse("offers:session_bookings", kwargs=kwargs),
        reverse("offers:export_bookings", kwargs=kwargs),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(other)
    for url in urls:
        assert client.get(url).status_code == 404
    booking = Booking.objects.get()
    cancel = reverse("offers:cancel_booking", kwargs={**kwargs, "booking_id": booking.pk})
    assert client.post(cancel).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    client.force_login(own)
    page = client.get(urls[0])
    assert page.status_code == 200 and "p1@example.org" in page.content.decode()
    csv_body = client.get(urls[1]).content.decode()
    assert "p1@example.org" in csv_body


@pytest.mark.django_db
def test_counsellor_marks_attendance_and_cancels_with_a_message(client):
    session = make_session()
    booking = bookings.book(session_id=session.pk, request=request(1, places=2))
    client.force_login(MembershipFactory(centre=session.offer.centre).user)
    kwargs = {"pk": session.offer_id, "session_id": session.pk}
    client.post(reverse("offers:session_bookings", kwargs=kwargs), {"attended": [booking.pk]})
    assert SessionStats.objects.get(session=session).attended == 2
    client.post(
        reverse("offers:cancel_booking", kwargs={**kwargs, "booking_id": booking.pk}),
        {"note": "La séance est complète, désolés."},
    )
    message = BookingMessage.objects.get(booking=booking, kind="cancelled_by_centre")
    assert "désolés" in message.note


@pytest.mark.django_db
def test_csv_export_neutralises_formulas(client):
    session = make_session()
    bookings.book(
        session_id=session.pk,
        request=bookings.Request(first_name="=HYPERLINK(1)", email="f@example.org", places=1),
    )
    client.force_login(MembershipFactory(centre=session.offer.centre).user)
    body = client.get(
        reverse("offers:export_bookings", kwargs={"pk": session.offer_id, "session_id": session.pk})
    ).content.decode()
    assert "'=HYPERLINK(1)" in body


# Privacy ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_purge_leaves_no_personal_data_and_keeps_the_counts():
    session = make_session(capacity=1)
    first = bookings.book(
        session_id=session.pk,
        request=bookings.Request(
            first_name="Amina", email="a@example.org", places=1, phone="0470 00 00 00",
            accessibility_needs="fauteuil",
        ),
    )  # fmt: skip
    bookings.book(session_id=session.pk, request=request(2))
    bookings.set_attendance(booking=first, attended=True)
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(days=40),
        ends_at=timezone.now() - timedelta(days=40) + timedelta(hours=2),
    )
    assert purge_bookings() == 2
    assert purge_bookings() == 0  # idempotent
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM offers_booking WHERE first_name <> '' OR email <> '' "
            "OR phone <> '' OR accessibility_needs <> '' OR token IS NOT NULL"
        )
        assert cursor.fetchone()[0] == 0
    stats = SessionStats.objects.get(session=session)
    assert (stats.bookings, stats.places_booked, stats.waiting_list, stats.attended) == (1, 1, 1, 1)


@pytest.mark.django_db
def test_recent_bookings_are_not_purged():
    session = make_session()
    bookings.book(session_id=session.pk, request=request(1))
    assert purge_bookings() == 0
    assert Booking.objects.get().email == "p1@example.org"


# E-mails through the real worker and SMTP server -------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_confirmation_email_carries_the_details_ics_and_manage_link(
    celery_worker, smtp_server, wait_for
):
    session = make_session()
    booking = bookings.book(session_id=session.pk, request=request(1))
    wait_for(lambda: len(smtp_server.messages) == 1, what="the confirmation", timeout=20)
    message = smtp_server.messages[0]
    assert message["To"] == "p1@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    code = re.search(r"/([^/\s]+)/\s", text).group(1)
    assert bookings.booking_for_code(code) == booking
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<a href=" in html
    attachments = [
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    assert attachments and b"BEGIN:VEVENT" in attachments[0].get_content().encode()
    send_owed_emails()  # the sweep finds nothing more to send now
    time.sleep(0.5)
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_reminders_are_sent_once_even_if_the_sweep_runs_twice(celery_worker, smtp_server, wait_for):
    session = make_session(hours_ahead=12)  # within the 24-hour reminder window
    for n in range(5):
        bookings.book(session_id=session.pk, request=request(n))
    wait_for(
        lambda: len(smtp_server.messages) == 10, what="confirmations and reminders", timeout=30
    )
    send_owed_emails.delay().get(timeout=10)
    send_owed_emails()
    time.sleep(1)
    reminders = [
        m
        for m in smtp_server.messages
        if "Reminder" in str(m["Subject"]) or "Rappel" in str(m["Subject"])
    ]
    assert sorted(m["To"] for m in reminders) == sorted(f"p{n}@example.org" for n in range(5))
    assert BookingMessage.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_smtp_down_then_up_every_message_arrives_once(celery_worker, smtp_server, wait_for):
    smtp_server.controller.stop()
    session = make_session()
    for n in range(4):
        bookings.book(session_id=session.pk, request=request(n))
    confirmations = BookingMessage.objects.filter(kind="confirmation")
    wait_for(
        lambda: confirmations.filter(attempts=1, next_attempt_at__isnull=False).count() == 4,
        what="a failed first attempt of each, with a retry planned",
    )
    assert smtp_server.messages == []
    assert not confirmations.filter(failed_at__isnull=False).exists()  # the outage is transient
    # The SMTP server comes back on the same port; the retries are due a minute later.
    smtp_server.controller = Controller(smtp_server, hostname="127.0.0.1", port=smtp_server.port)
    smtp_server.controller.start()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        send_owed_emails()  # what beat does every minute
        wait_for(lambda: len(smtp_server.messages) == 4, what="every message once", timeout=60)
        send_owed_emails()
        time.sleep(1)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        f"p{n}@example.org" for n in range(4)
    )
    assert confirmations.filter(sent_at__isnull=False, attempts=2).count() == 4


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_session_emails_everyone_booked_and_waiting_once(
    client, celery_worker, smtp_server, wait_for
):
    session = make_session(capacity=1)
    bookings.book(session_id=session.pk, request=request(1))
    bookings.book(session_id=session.pk, request=request(2))
    wait_for(lambda: len(smtp_server.messages) == 2, what="confirmations", timeout=20)
    client.force_login(MembershipFactory(centre=session.offer.centre).user)
    url = reverse(
        "offers:session_cancel", kwargs={"pk": session.offer_id, "session_id": session.pk}
    )
    client.post(url)
    client.post(url)  # twice: still one e-mail each
    wait_for(lambda: len(smtp_server.messages) == 4, what="cancellation e-mails", timeout=20)
    time.sleep(1)
    assert len(smtp_server.messages) == 4


@pytest.mark.django_db
def test_moving_a_session_tells_everyone_once_per_move_and_moves_the_reminders(client):
    session = make_session(capacity=1)
    first = bookings.book(session_id=session.pk, request=request(1))
    bookings.book(session_id=session.pk, request=request(2))  # waiting
    other = MembershipFactory(centre=CentreFactory(name="SIEP Arlon")).user
    url = reverse("offers:session_move", kwargs={"pk": session.offer_id, "session_id": session.pk})
    later = timezone.localtime(session.starts_at + timedelta(days=7))
    data = {
        f"move-{session.pk}-starts_at": later.strftime("%Y-%m-%dT%H:%M"),
        f"move-{session.pk}-ends_at": (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    client.force_login(other)
    assert client.post(url, data).status_code == 404
    client.force_login(MembershipFactory(centre=session.offer.centre).user)
    client.post(url, data)
    client.post(url, data)  # the same move again: nothing new to say
    assert BookingMessage.objects.filter(kind="session_moved").count() == 2
    reminder = BookingMessage.objects.get(booking=first, kind="reminder")
    assert reminder.due_at == later.replace(second=0, microsecond=0) - timedelta(hours=24)
    bad = {**data, f"move-{session.pk}-ends_at": data[f"move-{session.pk}-starts_at"]}
    response = client.post(url, bad, follow=True)
    assert (
        "end after it starts" in response.content.decode() or "après" in response.content.decode()
    )


def test_behind_the_proxy_the_rate_limit_counts_the_forwarded_client(rf, settings):
    from offers.views.bookings import client_address

    settings.BEHIND_HTTPS_PROXY = True
    request = rf.post("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.1")
    assert client_address("offers.book", request) == "198.51.100.7"
    settings.BEHIND_HTTPS_PROXY = False
    assert client_address("offers.book", request) == "10.0.0.1"


@pytest.mark.django_db
def test_an_empty_post_shows_the_errors(client):
    session = make_session()
    response = client.post(book_url(session), {}, REMOTE_ADDR=next(_ips))
    assert response.status_code == 400
    assert "first_name" in response.context["form"].errors
    assert not Booking.objects.exists()
