"""iCalendar (RFC 5545) files: one session, or a filtered agenda to subscribe to.

Every text value is made of stored text, which may be older than the rules on what a field
holds: each goes through ``one_line`` (the description's lines are ours) and icalendar escapes
it (``vText``), so building a file never fails.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar, Event, vText, vUri

from guidance_portal.validators import one_line
from offers.models import Session

PRODID = "-//Guidance portal Wallonia-Brussels//Offers//FR"


def session_location(session: Session) -> str:
    """Where the session takes place, as a citizen would type it in a map."""
    offer = session.offer
    if session.place:
        return session.place
    if offer.delivery_mode == "online":
        return session.online_url or ""
    centre = offer.centre
    if offer.uses_centre_address or offer.municipality_id is None:
        return ", ".join(p for p in (centre.name, centre.street, centre.postcode) if p) + (
            f" {centre.municipality.name}"
        )
    return ", ".join(p for p in (offer.street, offer.postcode) if p) + f" {offer.municipality}"


def _event(session: Session, url: str) -> Event:
    offer = session.offer
    event = Event()
    event.add("uid", f"session-{session.pk}@{settings.SITE_HOST}")
    event.add("dtstamp", timezone.now())
    zone = timezone.get_default_timezone()
    event.add("dtstart", timezone.localtime(session.starts_at, zone))
    event.add("dtend", timezone.localtime(session.ends_at, zone))
    event.add("summary", vText(one_line(offer.title)))
    description = [
        one_line(offer.summary) or one_line(strip_tags(offer.description)[:500]),
        one_line(offer.centre.name),
        url,
    ]
    event.add("description", vText("\n".join(part for part in description if part)))
    location = one_line(session_location(session))
    if location:
        event.add("location", vText(location))
    event.add("url", vUri(url))
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    return event


def calendar(sessions: Iterable[Session], *, name: str, url_of) -> bytes:
    """A VCALENDAR of the sessions, with the Europe/Brussels VTIMEZONE they refer to."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", vText(one_line(name)))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        cal.add_component(_event(session, url_of(session)))
    cal.add_missing_timezones()
    return cal.to_ical()
