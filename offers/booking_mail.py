"""The e-mails of a booking: plain text and HTML, in the booking's language, from templates;
confirmations carry the session as an .ics attachment and the manage link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from offers.calendar import calendar
from offers.models import BookingMessage, MessageKind

WITH_CALENDAR = {MessageKind.CONFIRMATION, MessageKind.PROMOTED, MessageKind.REMINDER}


def manage_url(booking) -> str:
    from offers.bookings import manage_code

    return settings.SITE_URL + reverse("offers:booking", kwargs={"code": manage_code(booking)})


def build_message(message: BookingMessage) -> EmailMultiAlternatives:
    booking = message.booking
    session = booking.session
    offer = session.offer
    with translation.override(booking.language):
        offer_url = settings.SITE_URL + offer.get_absolute_url()
        context = {
            "kind": message.kind,
            "booking": booking,
            "session": session,
            "offer": offer,
            "centre": offer.centre,
            "note": message.note,
            "manage_url": manage_url(booking) if booking.token else "",
            "offer_url": offer_url,
            "retention_days": settings.BOOKING_RETENTION_DAYS,
        }
        subject = render_to_string("offers/email/booking_subject.txt", context).strip()
        email = EmailMultiAlternatives(
            subject,
            render_to_string("offers/email/booking.txt", context),
            to=[booking.email],
        )
        email.attach_alternative(
            render_to_string("offers/email/booking.html", context), "text/html"
        )
        if message.kind in WITH_CALENDAR:
            body = calendar([session], name=offer.title, url_of=lambda s: offer_url)
            email.attach("session.ics", body, "text/calendar; charset=utf-8; method=PUBLISH")
    return email
