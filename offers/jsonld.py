"""schema.org description of an offer (a Service, or a Course for training) and its sessions."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import strip_tags

from offers.calendar import session_location
from offers.models import Offer, Session

COURSE_FORMATS = {"training-pathway", "skills-validation"}
ATTENDANCE = {
    "on_site": "https://schema.org/OfflineEventAttendanceMode",
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}


def _provider(offer: Offer, centre_url: str) -> dict:
    centre = offer.centre
    address = {
        "@type": "PostalAddress",
        "addressLocality": centre.municipality.name,
        "addressCountry": "BE",
    }
    if centre.street:
        address["streetAddress"] = centre.street
    if centre.postcode:
        address["postalCode"] = centre.postcode
    return {"@type": "Organization", "name": centre.name, "url": centre_url, "address": address}


def _price(offer: Offer) -> dict:
    return {
        "@type": "Offer",
        "price": "0" if offer.is_free else str(offer.price or ""),
        "priceCurrency": "EUR",
    }


def offer_jsonld(offer: Offer, sessions: list[Session], *, url: str, centre_url: str) -> dict:
    provider = _provider(offer, centre_url)
    kind = "Course" if offer.format.slug in COURSE_FORMATS else "Service"
    description = offer.summary or strip_tags(offer.description)[:500]
    node = {
        "@type": kind,
        "@id": url,
        "name": offer.title,
        "url": url,
        "description": description,
        "provider": provider,
        "areaServed": {"@type": "AdministrativeArea", "name": offer.centre.province.name},
        "audience": [{"@type": "Audience", "audienceType": a.name} for a in offer.audiences.all()],
        "isAccessibleForFree": offer.is_free,
        "offers": _price(offer),
    }
    if kind == "Service":
        node["serviceType"] = offer.format.name
    if offer.languages:
        node["availableLanguage"] = list(offer.languages)
    events = []
    for session in sessions:
        location = session_location(session)
        event = {
            "@type": "Event",
            "name": offer.title,
            "url": url,
            "description": description,
            "startDate": timezone.localtime(session.starts_at).isoformat(),
            "endDate": timezone.localtime(session.ends_at).isoformat(),
            "eventStatus": "https://schema.org/EventCancelled"
            if session.is_cancelled
            else "https://schema.org/EventScheduled",
            "eventAttendanceMode": ATTENDANCE.get(offer.delivery_mode, ATTENDANCE["on_site"]),
            "organizer": provider,
            "isAccessibleForFree": offer.is_free,
            "offers": {**_price(offer), "url": url},
        }
        if offer.delivery_mode == "online":
            event["location"] = {"@type": "VirtualLocation", "url": session.online_url or url}
        else:
            event["location"] = {"@type": "Place", "name": location, "address": location}
        events.append(event)
    return {"@context": "https://schema.org", "@graph": [node, *events]}
