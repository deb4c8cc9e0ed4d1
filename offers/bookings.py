"""Booking a session's places: never more than its capacity, a waiting list, cancellations
that promote the first person waiting, and the e-mails each of these owes.

Capacity is settled by the database: the session row is locked (``SELECT … FOR UPDATE``)
before the places already confirmed are summed, so two bookings of the last place cannot
both see it free. Every e-mail is a ``BookingMessage`` row written in the same transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from offers.models import (
    Booking,
    BookingMessage,
    BookingStatus,
    MessageKind,
    Offer,
    Session,
    SessionStats,
)

TOKEN_SALT = "offers.booking.manage"  # noqa: S105 - a signing namespace, not a secret


class BookingError(Exception):
    """A refused booking, with a message for the citizen."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Request:
    """What the citizen gave, already validated by the form."""

    first_name: str
    email: str
    places: int
    phone: str = ""
    accessibility_needs: str = ""
    language: str = "fr"


def manage_code(booking: Booking) -> str:
    """The signed code of the manage link: a random token, signed so a tampered link fails
    before any database look-up."""
    return signing.dumps(booking.token, salt=TOKEN_SALT, compress=False)


def booking_for_code(code: str) -> Booking | None:
    try:
        token = signing.loads(code, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(token, str) or not token:
        return None
    return (
        Booking.objects.select_related("session__offer__centre__municipality")
        .filter(token=token, purged_at__isnull=True)
        .first()
    )


def bookable_sessions():
    """Sessions a citizen may book now: of a findable offer that takes bookings, not
    cancelled, and before the offer's closing time."""
    return Session.objects.filter(
        offer__in=Offer.objects.findable().exclude(booking_need="none"),
        is_cancelled=False,
        starts_at__gt=timezone.now(),
    )


def confirmed_places(session: Session) -> int:
    return (
        session.bookings.filter(status=BookingStatus.CONFIRMED).aggregate(n=Sum("places"))["n"] or 0
    )


def _count(session_id: int, **changes: int) -> None:
    """Add to the session's statistics in one UPDATE, so concurrent counts never overwrite
    each other."""
    SessionStats.objects.get_or_create(session_id=session_id)
    SessionStats.objects.filter(session_id=session_id).update(
        **{name: F(name) + change for name, change in changes.items()}
    )


def _owe(booking: Booking, kind: str, *, due=None, key: str = "", note: str = "") -> None:
    """Record an e-mail owed to the citizen; the sender is queued after commit when due now."""
    message, created = BookingMessage.objects.get_or_create(
        booking=booking,
        kind=kind,
        key=key,
        defaults={"due_at": due or timezone.now(), "note": note},
    )
    if created and message.due_at <= timezone.now():
        from offers.tasks import send_booking_message

        transaction.on_commit(lambda: send_booking_message.delay(message.pk))


@transaction.atomic
def book(*, session_id: int, request: Request) -> Booking:
    """Book places on a session, or join its waiting list when it is full."""
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("offer")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not bookable_sessions().filter(pk=session_id).exists():
        raise BookingError(_("This session cannot be booked: it is cancelled or over."))
    offer = session.offer
    if timezone.now() > session.starts_at - timedelta(hours=offer.booking_closes_hours):
        raise BookingError(
            _("Bookings for this session closed %(hours)d hours before it starts.")
            % {"hours": offer.booking_closes_hours}
        )
    if request.places > offer.max_places_per_booking:
        raise BookingError(
            _("You can book at most %(count)d places.") % {"count": offer.max_places_per_booking},
            field="places",
        )
    if (
        session.bookings.exclude(status=BookingStatus.CANCELLED)
        .filter(email__iexact=request.email)
        .exists()
    ):
        raise BookingError(
            _("This e-mail address already has a booking for this session: see the e-mail we "
              "sent you to change or cancel it."),
            field="email",
        )  # fmt: skip
    taken = confirmed_places(session)  # under the session's lock: no one else is counting
    fits = session.capacity is None or taken + request.places <= session.capacity
    status = BookingStatus.CONFIRMED if fits else BookingStatus.WAITING
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                session=session,
                first_name=request.first_name,
                email=request.email,
                phone=request.phone,
                places=request.places,
                accessibility_needs=request.accessibility_needs,
                language=request.language,
                status=status,
                token=secrets.token_urlsafe(32),
            )
    except IntegrityError:
        raise BookingError(
            _("This e-mail address already has a booking for this session."), field="email"
        ) from None
    if fits:
        _count(session.pk, bookings=1, places_booked=request.places)
    else:
        _count(session.pk, waiting_list=1)
    _owe(booking, MessageKind.CONFIRMATION if fits else MessageKind.WAITING)
    if fits:
        _owe(booking, MessageKind.REMINDER, due=reminder_due(session))
    return booking


def reminder_due(session: Session):
    return session.starts_at - timedelta(hours=session.offer.reminder_hours_before)


@transaction.atomic
def cancel(*, booking: Booking, by_centre: bool = False, note: str = "") -> Booking:
    """Cancel a booking (by the citizen, or by the centre with a message); the places go to
    the first people waiting who fit."""
    session = Session.objects.select_for_update(of=("self",)).get(pk=booking.session_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    BookingMessage.objects.filter(
        booking=booking, kind=MessageKind.REMINDER, sent_at__isnull=True
    ).delete()
    _count(session.pk, cancellations=1, places_booked=-booking.places if was_confirmed else 0)
    if by_centre:
        _owe(booking, MessageKind.CANCELLED_BY_CENTRE, note=note)
    if was_confirmed:
        promote_waiting(session)
    return booking


def promote_waiting(session: Session) -> list[Booking]:
    """Give free places to the people waiting, first come first served (session locked)."""
    free = None if session.capacity is None else session.capacity - confirmed_places(session)
    promoted = []
    waiting = session.bookings.filter(status=BookingStatus.WAITING).order_by("created_at", "pk")
    for candidate in waiting.select_for_update():
        if free is not None and candidate.places > free:
            continue
        candidate.status = BookingStatus.CONFIRMED
        candidate.save(update_fields=["status"])
        if free is not None:
            free -= candidate.places
        _count(session.pk, bookings=1, places_booked=candidate.places)
        _owe(candidate, MessageKind.PROMOTED)
        _owe(candidate, MessageKind.REMINDER, due=reminder_due(session))
        promoted.append(candidate)
        if free == 0:
            break
    return promoted


@transaction.atomic
def forget(*, booking: Booking) -> None:
    """The citizen deletes their data now: the booking is cancelled, then anonymised."""
    if booking.status != BookingStatus.CANCELLED:
        cancel(booking=booking)
    _anonymise(Booking.objects.filter(pk=booking.pk))


def _anonymise(bookings) -> int:
    BookingMessage.objects.filter(booking__in=bookings, sent_at__isnull=True).delete()
    return bookings.update(
        first_name="",
        email="",
        phone="",
        accessibility_needs="",
        token=None,
        purged_at=timezone.now(),
    )


@transaction.atomic
def purge(*, older_than_days: int = 30) -> int:
    """Blank the personal data of bookings whose session ended that many days ago."""
    limit = timezone.now() - timedelta(days=older_than_days)
    bookings = Booking.objects.filter(session__ends_at__lt=limit, purged_at__isnull=True)
    return _anonymise(bookings)


@transaction.atomic
def set_attendance(*, booking: Booking, attended: bool) -> Booking:
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.attended == attended:
        return booking
    if attended:
        _count(booking.session_id, attended=booking.places)
    elif booking.attended:
        _count(booking.session_id, attended=-booking.places)
    booking.attended = attended
    booking.save(update_fields=["attended"])
    return booking


def session_changed(*, session: Session, kind: str) -> int:
    """Everyone booked or waiting is owed one e-mail about the cancelled or moved session."""
    key = "" if kind == MessageKind.SESSION_CANCELLED else session.starts_at.isoformat()[:40]
    count = 0
    for booking in session.bookings.exclude(status=BookingStatus.CANCELLED):
        _owe(booking, kind, key=key)
        count += 1
    return count


@transaction.atomic
def move_session(*, session: Session, starts_at, ends_at) -> Session:
    """Give a session a new date: reminders follow it and everyone booked or waiting is told
    once about this move."""
    if ends_at <= starts_at:
        raise BookingError(_("The session must end after it starts."), field="ends_at")
    if starts_at <= timezone.now():
        raise BookingError(_("A session can only be moved to a future date."), field="starts_at")
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("offer").get(pk=session.pk)
    )
    if session.is_cancelled:
        raise BookingError(_("A cancelled session cannot be moved."))
    if (session.starts_at, session.ends_at) == (starts_at, ends_at):
        return session
    session.starts_at, session.ends_at = starts_at, ends_at
    session.save(update_fields=["starts_at", "ends_at"])
    BookingMessage.objects.filter(
        booking__session=session, kind=MessageKind.REMINDER, sent_at__isnull=True
    ).update(due_at=reminder_due(session))
    session_changed(session=session, kind=MessageKind.SESSION_MOVED)
    return session
