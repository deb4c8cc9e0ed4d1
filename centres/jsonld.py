"""schema.org description of a centre, for search engines and other directories."""

from __future__ import annotations

from centres.hours import Schedule
from centres.models import Centre

DAY_URIS = [
    "https://schema.org/Monday",
    "https://schema.org/Tuesday",
    "https://schema.org/Wednesday",
    "https://schema.org/Thursday",
    "https://schema.org/Friday",
    "https://schema.org/Saturday",
    "https://schema.org/Sunday",
]


def centre_jsonld(centre: Centre, *, url: str, schedule: Schedule) -> dict:
    address = {
        "@type": "PostalAddress",
        "addressLocality": centre.municipality.name,
        "addressRegion": centre.municipality.province.name,
        "addressCountry": "BE",
    }
    if centre.street:
        address["streetAddress"] = centre.street
    if centre.postcode:
        address["postalCode"] = centre.postcode
    data = {
        "@context": "https://schema.org",
        "@type": ["Organization", "Place"],
        "name": centre.name,
        "url": url,
        "address": address,
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": round(centre.latitude, 5),
            "longitude": round(centre.longitude, 5),
        },
        "isAccessibleForFree": centre.is_free,
    }
    if centre.description:
        data["description"] = centre.description
    if centre.phone:
        data["telephone"] = centre.phone
    if centre.email:
        data["email"] = centre.email
    if centre.website:
        data["sameAs"] = [centre.website]
    if centre.languages:
        data["knowsLanguage"] = centre.languages
    if centre.parent_id:
        data["parentOrganization"] = {"@type": "Organization", "name": centre.parent.name}
    specifications = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": DAY_URIS[weekday],
            "opens": period.opens.strftime("%H:%M"),
            "closes": period.closes.strftime("%H:%M"),
        }
        for weekday, periods in sorted(schedule.weekly.items())
        for period in periods
    ]
    for day, exceptions in sorted(schedule.exceptional.items()):
        for exception in exceptions:
            specifications.append(
                {
                    "@type": "OpeningHoursSpecification",
                    "validFrom": day.isoformat(),
                    "validThrough": day.isoformat(),
                    "opens": exception.opens.strftime("%H:%M") if exception.opens else "00:00",
                    "closes": exception.closes.strftime("%H:%M") if exception.closes else "00:00",
                }
            )
    if specifications:
        data["openingHoursSpecification"] = specifications
    return data
