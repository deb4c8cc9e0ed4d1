"""Booking benchmark: the booking path under concurrent clients, and 10,000 reminders.

Run with ``make bench ARGS=bookings``. It prints:
- how many bookings per second the booking form sustains (HTTP POST through the full
  middleware stack: form, honeypot and fill-time checks, rate limit, session row lock,
  booking, counters, e-mails queued after commit) with several concurrent clients, spread
  over many sessions and all on one session (every booking then waits for the same lock);
- how long one Celery worker (solo pool) takes to send 10,000 reminders to an SMTP server on
  loopback (aiosmtpd), from the periodic job that claims them to the last message received.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
import threading
import time
from datetime import timedelta

CLIENTS = int(os.environ.get("BOOKING_CLIENTS", "8"))
PER_CLIENT = int(os.environ.get("BOOKINGS_PER_CLIENT", "40"))
REMINDERS = int(os.environ.get("REMINDERS", "10000"))


def _offer_with_sessions(count: int, capacity: int):
    from django.utils import timezone

    from bench.directory import create_centres
    from centres.geography import load_geography
    from offers.models import Format, Offer, Session

    load_geography()
    (centre,) = create_centres(random.Random(count), 1)  # noqa: S311 - sample data
    now = timezone.now()
    offer = Offer.objects.create(
        centre=centre,
        title="Atelier CV",
        title_fr="Atelier CV",
        format=Format.objects.first(),
        status="published",
        published_at=now,
        review_due=timezone.localdate() + timedelta(days=120),
        booking_need="required",
        max_places_per_booking=2,
    )
    starts = now + timedelta(days=3)
    sessions = Session.objects.bulk_create(
        Session(
            offer=offer,
            starts_at=starts + timedelta(hours=n),
            ends_at=starts + timedelta(hours=n + 1),
            capacity=capacity,
        )
        for n in range(count)
    )
    return offer, sessions


def _book_concurrently(offer, sessions, label: str) -> None:
    from django.core import signing
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from offers.booking_forms import STARTED_SALT
    from offers.models import Booking

    urls = [reverse("offers:book", kwargs={"pk": offer.pk, "session_id": s.pk}) for s in sessions]
    started = signing.dumps(time.time() - 60, salt=STARTED_SALT)
    errors: list[str] = []
    barrier = threading.Barrier(CLIENTS + 1)

    def client(number: int) -> None:
        browser = Client()
        barrier.wait()
        try:
            for n in range(PER_CLIENT):
                response = browser.post(
                    urls[(number * PER_CLIENT + n) % len(urls)],
                    {
                        "first_name": f"Client {number}",
                        "email": f"client{number}.{n}.{len(sessions)}@example.org",
                        "places": "1",
                        "consent": "on",
                        "website": "",
                        "started": started,
                    },
                    REMOTE_ADDR=f"10.{number}.{n // 250}.{n % 250 + 1}",  # the limit is per client
                )
                if response.status_code != 302:
                    form = response.context and response.context.get("form")
                    errors.append(f"HTTP {response.status_code} {form.errors if form else ''}")
        finally:
            connection.close()

    before = Booking.objects.count()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    begin = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    made = Booking.objects.count() - before
    print(
        f"  {label:<28} {made} bookings by {CLIENTS} concurrent clients in {elapsed:.1f} s: "
        f"{made / elapsed:.0f} bookings/s"
        + (f" ({len(errors)} refused: {sorted(set(errors))})" if errors else "")
    )


def _send_reminders() -> None:
    from aiosmtpd.controller import Controller
    from celery.contrib.testing import tasks  # noqa: F401 - registers celery.ping
    from celery.contrib.testing.worker import start_worker
    from django.test.utils import override_settings
    from django.utils import timezone

    from guidance_portal import mail
    from guidance_portal.celery import app
    from offers.models import Booking, BookingMessage, MessageKind
    from offers.tasks import send_booking_message

    _offer, sessions = _offer_with_sessions(REMINDERS // 100, 100)
    bookings = Booking.objects.bulk_create(
        Booking(
            session=sessions[n // 100],
            first_name=f"Personne {n}",
            email=f"p{n}@example.org",
            places=1,
            status="confirmed",
            token=secrets.token_urlsafe(32),
        )
        for n in range(REMINDERS)
    )
    now = timezone.now()
    BookingMessage.objects.bulk_create(
        BookingMessage(booking=b, kind=MessageKind.REMINDER, due_at=now) for b in bookings
    )

    class Counter:
        received = 0
        lock = threading.Lock()

        async def handle_DATA(self, server, session, envelope):
            with self.lock:
                self.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    counter = Counter()
    smtp = Controller(counter, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with (
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=port,
                EMAIL_USE_TLS=False,
                EMAIL_USE_SSL=False,
                EMAIL_HOST_USER="",
                EMAIL_HOST_PASSWORD="",
            ),
            start_worker(app, pool="solo", concurrency=1, perform_ping_check=True),
        ):
            begin = time.perf_counter()
            queued = mail.sweep(send_booking_message.kind, limit=REMINDERS)
            while counter.received < REMINDERS and time.perf_counter() - begin < 600:
                time.sleep(0.05)
            elapsed = time.perf_counter() - begin
    finally:
        smtp.stop()
    sent = BookingMessage.objects.filter(sent_at__isnull=False).count()
    print(
        f"  one worker (solo pool): {queued} reminders queued, {counter.received} received by "
        f"the SMTP server, {sent} marked sent, in {elapsed:.1f} s "
        f"({counter.received / elapsed:.0f} messages/s)"
    )


def run() -> None:
    import logging

    from guidance_portal.celery import app

    for name in ("mail.log", "celery", "django.request"):  # one line per message otherwise
        logging.getLogger(name).setLevel(logging.WARNING)

    app.control.purge()
    print(f"booking form (HTTP POST, {CLIENTS} clients × {PER_CLIENT} bookings):")
    offer, sessions = _offer_with_sessions(40, 1000)
    _book_concurrently(offer, sessions, "over 40 sessions")
    _book_concurrently(offer, sessions[:1], "all on one session")
    app.control.purge()  # the confirmation e-mails queued above are not part of this bench
    print(f"reminders ({REMINDERS}):")
    _send_reminders()
