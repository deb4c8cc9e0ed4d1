"""A reminder batch survives a worker killed half way: every booking gets its reminder once.

A real Celery worker process runs against the test database, the real Redis broker and an
SMTP server on loopback. The SMTP server holds the sixth message without answering; the
worker is killed with SIGKILL while it waits, so that message was never accepted (no 250).
A new worker and the periodic sweep then finish the batch.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from offers import bookings
from offers.models import BookingMessage, Session
from tests.factories import OfferFactory

BASE_DIR = Path(__file__).resolve().parents[2]


class HoldingMailbox:
    """Accepts messages, except the one numbered ``hold_at``, held until ``release``."""

    def __init__(self, hold_at: int) -> None:
        self.messages = []
        self.hold_at = hold_at
        self.holding = False
        self.released = False

    async def handle_DATA(self, server, session, envelope) -> str:
        if len(self.messages) + 1 == self.hold_at and not self.released:
            self.holding = True
            while not self.released:
                await asyncio.sleep(0.02)
            return "451 Requested action aborted: try again later"
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "guidance_portal", "worker",
            "--pool", "solo", "--concurrency", "1", "--prefetch-multiplier", "1",
            "--without-mingle", "--without-gossip", "--loglevel", "WARNING",
            "--hostname", f"killable-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_reminders_survive_a_worker_killed_half_way(wait_for):
    from guidance_portal.celery import app
    from guidance_portal.tasks import send_owed_emails

    offer = OfferFactory(published=True, booking_need="required")
    starts = timezone.now() + timedelta(hours=6)  # reminders are due now
    session = Session.objects.create(
        offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    for n in range(20):
        bookings.book(
            session_id=session.pk,
            request=bookings.Request(first_name=f"P{n}", email=f"p{n}@example.org", places=1),
        )
    # Only the reminders are under test: the confirmations count as sent.
    BookingMessage.objects.exclude(kind="reminder").update(sent_at=timezone.now())

    mailbox = HoldingMailbox(hold_at=6)
    with socket.socket() as probe:  # aiosmtpd checks a concrete port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    database_url = os.environ.get("DATABASE_URL") or ""
    assert database_url, "the test run exports DATABASE_URL (make test does)"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url.rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"],
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
    }
    app.control.purge()
    first = _worker(env)
    try:
        send_owed_emails.delay()
        wait_for(lambda: mailbox.holding, what="the worker to reach the sixth message", timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        mailbox.released = True
        assert len(mailbox.messages) == 5
        second = _worker(env)
        try:
            send_owed_emails.delay()  # what beat does every minute
            wait_for(lambda: len(mailbox.messages) >= 20, what="the whole batch", timeout=90)
            send_owed_emails.delay().get(timeout=30)  # once more: nothing left
            wait_for(
                lambda: not BookingMessage.objects.filter(sent_at__isnull=True).exists(),
                what="every row stamped",
                timeout=30,
            )
        finally:
            second.terminate()
            second.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
        controller.stop()
    recipients = sorted(str(m["To"]) for m in mailbox.messages)
    assert recipients == sorted(f"p{n}@example.org" for n in range(20))
