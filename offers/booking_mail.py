"""The e-mails of a booking: plain text and HTML, in the booking's language, from templates;
confirmations carry the session as an .ics attachment and the manage link."""

from __future__ import annotations

from django.conf import settings

from guidance_portal import mail
from offers.bookings import manage_code
from offers.calendar import calendar
from offers.models import BookingMessage, MessageKind

WITH_CALENDAR = {MessageKind.CONFIRMATION, MessageKind.PROMOTED, MessageKind.REMINDER}


def booking_email(message: BookingMessage) -> mail.Email:
    booking = message.booking
    session = booking.session
    offer = session.offer
    language = booking.language
    offer_url = mail.link(language, "offers:detail", pk=offer.pk)
    manage_url = (
        mail.link(language, "offers:booking", code=manage_code(booking)) if booking.token else ""
    )
    attachments = []
    if message.kind in WITH_CALENDAR:
        body = calendar([session], name=offer.title, url_of=lambda s: offer_url)
        attachments.append(
            mail.Attachment("session.ics", body, "text/calendar; charset=utf-8; method=PUBLISH")
        )
    return mail.Email(
        to=booking.email,
        language=language,
        template="offers/email/booking",
        context={
            "kind": message.kind,
            "booking": booking,
            "session": session,
            "offer": offer,
            "centre": offer.centre,
            "note": message.note,
            "manage_url": manage_url,
            "offer_url": offer_url,
            "retention_days": settings.BOOKING_RETENTION_DAYS,
        },
        attachments=attachments,
    )
