"""The one helper that sends every e-mail of the portal, once (``guidance_portal.mail``).

Each kind of e-mail goes through it and is sent once even when its task runs twice. An
attempt is counted in its own committed step, so it survives the failure that follows: a
message refused for good (a header with a line break, a recipient refused with 5xx) is failed
at once with its reason; a "try later" (SMTP down, 4xx) is retried after a growing delay and
failed after the last attempt; a failed row is never queued again, blocks no other message,
and is listed for administrators, who may try it again. The periodic sweep is bounded and
idempotent. Real PostgreSQL, Redis, Celery worker and SMTP servers throughout.
"""

import asyncio
import smtplib
import socket
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.apps import apps
from django.core.mail import BadHeaderError
from django.db import OperationalError, transaction
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import PasswordResetRequest, User
from accounts.tasks import send_password_reset
from centres.models import Invitation, InvitationEmail
from centres.tasks import send_invitation, send_invitation_to_join
from charter.models import CharterVersion, ResignInvitation
from charter.tasks import send_resign_invitation
from guidance_portal import mail
from guidance_portal.models import OwedEmail
from guidance_portal.tasks import send_owed_emails
from offers import bookings, services
from offers.models import (
    Booking,
    BookingMessage,
    ModerationNotice,
    Offer,
    ReviewDigest,
    Session,
)
from offers.tasks import send_booking_message, send_moderation_notice, send_review_digest
from tests.factories import MembershipFactory, OfferFactory, UserFactory


def book(offer: Offer, email: str) -> BookingMessage:
    starts = timezone.now() + timedelta(days=3)
    session = Session.objects.create(
        offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    booking = bookings.book(
        session_id=session.pk,
        request=bookings.Request(first_name="Léa", email=email, places=1),
    )
    return booking.messages.get(kind="confirmation")


# One row of each kind, made without queueing its task -------------------------------------


def booking_message():
    offer = OfferFactory(published=True, booking_need="required")
    starts = timezone.now() + timedelta(days=3)
    session = Session.objects.create(
        offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    booking = Booking.objects.create(
        session=session, first_name="Léa", email="lea@example.org", places=1,
        status="confirmed", token="a-token",
    )  # fmt: skip
    message = BookingMessage.objects.create(
        booking=booking, kind="confirmation", due_at=timezone.now()
    )
    return send_booking_message, message.pk, "lea@example.org"


def review_digest():
    membership = MembershipFactory()
    OfferFactory(
        centre=membership.centre,
        published=True,
        review_due=timezone.localdate() + timedelta(days=3),
    )
    digest = ReviewDigest.objects.create(user=membership.user, day=timezone.localdate())
    return send_review_digest, digest.pk, membership.user.email


def moderation_notice():
    counsellor = UserFactory()
    offer = OfferFactory(published=True, created_by=counsellor)
    notice = ModerationNotice.objects.create(
        offer=offer, recipient=counsellor, decision=ModerationNotice.Decision.PUBLISHED
    )
    return send_moderation_notice, notice.pk, counsellor.email


def invitation_email():
    membership = MembershipFactory()
    invitation = InvitationEmail.objects.create(membership=membership)
    return send_invitation, invitation.pk, membership.user.email


def invitation_to_join():
    manager = MembershipFactory(manager=True)
    invitee = UserFactory()
    invitation = Invitation.objects.create(
        centre=manager.centre, user=invitee, email=invitee.email, role="counsellor",
        invited_by=manager.user,
    )  # fmt: skip
    return send_invitation_to_join, invitation.pk, invitee.email


def resign_invitation():
    manager = MembershipFactory(manager=True)
    version = CharterVersion.objects.create(
        title="Charte 2027", title_fr="Charte 2027", adopted_on="2027-01-01", status="published"
    )
    invitation = ResignInvitation.objects.create(
        version=version, user=manager.user, centre=manager.centre
    )
    return send_resign_invitation, invitation.pk, manager.user.email


def password_reset():
    user = UserFactory()
    reset = PasswordResetRequest.objects.create(email=user.email.upper(), language="fr")
    return send_password_reset, reset.pk, user.email


KINDS = {
    BookingMessage: booking_message,
    ReviewDigest: review_digest,
    ModerationNotice: moderation_notice,
    InvitationEmail: invitation_email,
    Invitation: invitation_to_join,
    ResignInvitation: resign_invitation,
    PasswordResetRequest: password_reset,
}


@pytest.mark.parametrize("make_row", KINDS.values(), ids=lambda make: make.__name__)
def test_each_kind_of_email_is_sent_once_even_when_its_task_runs_twice(
    make_row, celery_worker, smtp_server, wait_for
):
    task, pk, recipient = make_row()

    assert task.delay(pk).get(timeout=20) == mail.Outcome.SENT
    assert task.delay(pk).get(timeout=20) == mail.Outcome.SKIPPED  # a redelivery
    assert task(pk) == mail.Outcome.SKIPPED  # and a run in process

    assert [m["To"] for m in smtp_server.messages] == [recipient]
    row = task.kind.model.objects.get(pk=pk)
    assert row.sent_at is not None and row.attempts == 1 and row.failed_at is None


def test_every_kind_of_owed_email_is_declared_to_the_one_helper_and_tested_here():
    owed_models = {
        model
        for model in apps.get_models()
        if issubclass(model, OwedEmail) and not hasattr(model, "instance_type")
    }

    assert {kind.model for kind in mail.kinds()} == owed_models == set(KINDS)


# Stored text older than the rules ----------------------------------------------------------

BAD_TITLE = "Atelier\nCV\u2028et\x1blettre"


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_of_an_offer_with_a_line_break_in_its_title_is_sent_on_one_line(
    celery_worker, smtp_server, wait_for
):
    offer = OfferFactory(published=True, booking_need="required")
    Offer.objects.filter(pk=offer.pk).update(title=BAD_TITLE, title_fr=BAD_TITLE)

    message = book(offer, "lea@example.org")

    wait_for(lambda: smtp_server.messages, what="the confirmation", timeout=20)
    (sent,) = smtp_server.messages
    assert str(sent["Subject"]).endswith("Atelier CV et lettre")
    (ics,) = [p for p in sent.iter_attachments() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert str(event["summary"]) == "Atelier CV et lettre"
    wait_for(lambda: BookingMessage.objects.get(pk=message.pk).sent_at, what="the stamp")


@pytest.mark.django_db(transaction=True)
def test_the_moderation_notice_of_such_an_offer_is_sent_too(celery_worker, smtp_server, wait_for):
    counsellor = MembershipFactory().user
    offer = OfferFactory(centre=counsellor.memberships.get().centre, created_by=counsellor)
    Offer.objects.filter(pk=offer.pk).update(
        status="submitted", title=BAD_TITLE, title_fr=BAD_TITLE
    )

    services.publish(offer=offer, by=UserFactory(staff=True))

    wait_for(lambda: smtp_server.messages, what="the decision e-mail", timeout=20)
    assert "Atelier CV et lettre" in str(smtp_server.messages[0]["Subject"])
    notice = ModerationNotice.objects.get(offer=offer)
    wait_for(lambda: ModerationNotice.objects.get(pk=notice.pk).sent_at, what="the stamp")


# Failures ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_message_that_can_never_be_sent_is_failed_with_its_reason_and_the_others_go(
    celery_worker, smtp_server, wait_for
):
    offer = OfferFactory(published=True, booking_need="required")
    with transaction.atomic():  # the tasks run after commit, once the address is spoiled
        bad = book(offer, "bad@example.org")
        good = book(offer, "good@example.org")
        Booking.objects.filter(pk=bad.booking_id).update(
            email="bad@example.org\nBcc: everyone@example.org"
        )

    wait_for(lambda: smtp_server.messages, what="the good confirmation", timeout=20)
    wait_for(lambda: BookingMessage.objects.get(pk=bad.pk).failed_at, what="the failure")
    bad.refresh_from_db()
    assert "Invalid address" in bad.failure_reason  # the spoiled header, refused by Django
    assert bad.attempts == 1 and bad.sent_at is None
    assert [m["To"] for m in smtp_server.messages] == ["good@example.org"]
    wait_for(lambda: BookingMessage.objects.get(pk=good.pk).sent_at, what="the good's stamp")

    send_owed_emails.delay().get(timeout=20)  # the sweep leaves a failed row alone
    assert send_booking_message(bad.pk) == mail.Outcome.SKIPPED  # so does a stray task
    bad.refresh_from_db()
    assert bad.attempts == 1 and bad.queued_at is None


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (BadHeaderError("Header values can't contain newlines"), False),
        (TemplateSyntaxError("Invalid block tag"), False),
        (UnicodeEncodeError("ascii", "é", 0, 1, "ordinal not in range"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}), False),
        (smtplib.SMTPDataError(554, b"Message refused"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (451, b"Try later")}), True),
        (smtplib.SMTPDataError(452, b"Insufficient storage"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), True),  # ours, not its
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (OperationalError("the database is restarting"), True),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_what_may_go_through_later_and_what_never_will(error, transient):
    assert mail.is_transient(error) is transient


class RefusingMailbox:
    """An SMTP server that refuses some recipients for good (550) and others for now (451)."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("busy"):
            return "451 4.2.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0)
        self.messages.append(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture
def refusing_smtp(settings):
    mailbox = RefusingMailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield mailbox
    controller.stop()


def reset_for(email: str) -> PasswordResetRequest:
    User.objects.create_user(email, None)  # no password to hash: quicker
    return PasswordResetRequest.objects.create(email=email, language="fr")


@pytest.mark.django_db
def test_a_recipient_refused_for_good_fails_at_once_and_one_refused_for_now_is_retried(
    refusing_smtp,
):
    gone, busy, fine = (reset_for(f"{n}@example.org") for n in ("gone", "busy", "fine"))

    outcomes = [send_password_reset(row.pk) for row in (gone, busy, fine)]

    assert outcomes == [mail.Outcome.FAILED, mail.Outcome.RETRY, mail.Outcome.SENT]
    gone.refresh_from_db()
    assert gone.failed_at and "550" in gone.failure_reason
    busy.refresh_from_db()
    assert busy.failed_at is None and "451" in busy.failure_reason
    assert busy.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert refusing_smtp.messages == [["fine@example.org"]]


@pytest.fixture
def smtp_down(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


@pytest.mark.django_db
def test_each_attempt_is_counted_though_its_sending_rolls_back_and_waits_grow(smtp_down):
    reset = reset_for("someone@example.org")

    assert send_password_reset(reset.pk) == mail.Outcome.RETRY
    reset.refresh_from_db()
    assert reset.attempts == 1 and "ConnectionRefusedError" in reset.failure_reason
    first_wait = reset.next_attempt_at - reset.last_attempt_at
    assert send_password_reset(reset.pk) == mail.Outcome.SKIPPED  # not before the retry is due

    with time_machine.travel(reset.next_attempt_at + timedelta(seconds=1)):
        assert send_password_reset(reset.pk) == mail.Outcome.RETRY
    reset.refresh_from_db()
    assert reset.attempts == 2
    assert reset.next_attempt_at - reset.last_attempt_at > 1.9 * first_wait


@pytest.mark.django_db
def test_transient_failures_stop_after_the_last_attempt(smtp_down):
    reset = reset_for("someone@example.org")
    PasswordResetRequest.objects.filter(pk=reset.pk).update(attempts=mail.MAX_ATTEMPTS - 1)

    assert send_password_reset(reset.pk) == mail.Outcome.FAILED

    reset.refresh_from_db()
    assert reset.attempts == mail.MAX_ATTEMPTS and reset.failed_at is not None
    assert reset.failure_reason.startswith(f"gave up after {mail.MAX_ATTEMPTS} attempts")
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert mail.sweep(send_password_reset.kind) == 0  # never queued again


@pytest.mark.django_db
def test_a_message_whose_attempts_all_died_unanswered_is_failed(smtp_server):
    reset = reset_for("someone@example.org")
    # Each attempt was counted, then the worker died before it could say anything.
    PasswordResetRequest.objects.filter(pk=reset.pk).update(attempts=mail.MAX_ATTEMPTS)

    assert send_password_reset(reset.pk) == mail.Outcome.FAILED

    reset.refresh_from_db()
    assert reset.failure_reason == f"no answer after {mail.MAX_ATTEMPTS} attempts"
    assert smtp_server.messages == []


# The sweep and the administrators ----------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_is_bounded_idempotent_and_leaves_failed_and_waiting_rows_alone(
    django_capture_on_commit_callbacks,
):
    owed = [reset_for(f"owed{n}@example.org") for n in range(5)]
    failed, sent, waiting = (reset_for(f"{n}@example.org") for n in ("failed", "sent", "waiting"))
    now = timezone.now()
    PasswordResetRequest.objects.filter(pk=failed.pk).update(failed_at=now, failure_reason="x")
    PasswordResetRequest.objects.filter(pk=sent.pk).update(sent_at=now)
    PasswordResetRequest.objects.filter(pk=waiting.pk).update(
        next_attempt_at=now + timedelta(minutes=5)
    )
    kind = send_password_reset.kind

    with django_capture_on_commit_callbacks():
        assert mail.sweep(kind, limit=3) == 3
        assert mail.sweep(kind, limit=3) == 2
        assert mail.sweep(kind, limit=3) == 0  # everything owed is queued already
    queued = PasswordResetRequest.objects.filter(queued_at__isnull=False)
    assert set(queued.values_list("pk", flat=True)) == {row.pk for row in owed}

    with time_machine.travel(now + mail.QUEUE_LEASE + timedelta(minutes=1)):
        # Tasks lost on the way: queued again, with the row whose retry is now due.
        assert mail.sweep(kind) == 6


@pytest.mark.django_db
def test_administrators_see_failed_emails_with_their_reason_and_can_try_again(
    client, django_capture_on_commit_callbacks
):
    failed = reset_for("failed@example.org")
    PasswordResetRequest.objects.filter(pk=failed.pk).update(
        attempts=1, failed_at=timezone.now(), failure_reason="BadHeaderError: a line break"
    )
    reset_for("owed@example.org")
    client.force_login(UserFactory(staff=True))
    url = reverse("admin:accounts_passwordresetrequest_changelist")

    listing = client.get(url, {"delivery": "failed"}).content.decode()

    assert "BadHeaderError: a line break" in listing
    assert "owed@example.org" not in listing
    with django_capture_on_commit_callbacks() as queued:
        client.post(url, {"action": "try_again", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.failed_at is None and failed.attempts == 0 and failed.failure_reason == ""
    assert len(queued) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("make_row", KINDS.values(), ids=lambda make: make.__name__)
def test_each_kind_has_its_list_and_page_for_administrators(client, make_row):
    task, pk, _recipient = make_row()
    opts = task.kind.model._meta
    client.force_login(UserFactory(staff=True))

    listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))

    assert listing.status_code == page.status_code == 200
    assert "À envoyer" in listing.content.decode() or "à envoyer" in listing.content.decode()
