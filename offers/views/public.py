"""Citizens' pages: search, agenda, an offer's page, calendars and the feed of new offers."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import Centre
from charter.selectors import is_signatory
from guidance_portal.query import asked_page, missing_page_note
from guidance_portal.validators import one_line
from offers import search as search_selector
from offers.calendar import calendar
from offers.filters import SORT_CHOICES, SearchForm, Vocabularies
from offers.jsonld import offer_jsonld
from offers.models import BookingStatus, Offer, Session

AGENDA_PAGE_SIZE = 50
CALENDAR_LIMIT = 500


def _criteria(request: HttpRequest):
    vocabularies = Vocabularies.load(near=request.GET.get("near", "")[:200])
    form = SearchForm(request.GET, vocabularies)
    return form, form.criteria(), vocabularies


def search(request: HttpRequest) -> HttpResponse:
    form, criteria, vocabularies = _criteria(request)
    notes = list(criteria.notes)
    asked = asked_page(request.GET, notes)
    result = search_selector.search(criteria, page=asked)
    if result.page != asked and result.total:
        notes.append(missing_page_note(asked, result.page))
    nearest: list[Centre] = []
    if not result.total and criteria.place is not None:
        place = criteria.place
        nearest = list(
            Centre.objects.active()
            .near(place.latitude, place.longitude, 50)
            .select_related("municipality")[:3]
        )
    return render(
        request,
        "offers/search.html",
        {
            "form": form,
            "criteria": criteria,
            "result": result,
            "notes": notes,
            "vocabularies": vocabularies,
            "facet_groups": _facet_groups(request, criteria, result.facets, vocabularies),
            "chosen": _chosen(request, criteria, result.facets),
            "nearest": nearest,
            "sort_links": [
                {
                    "label": label,
                    "url": _url_with(request, sort=value),
                    "current": value == criteria.effective_sort,
                }
                for value, label in SORT_CHOICES
                if value != "distance" or criteria.place is not None
                if value != "relevance" or criteria.text
            ],
            "previous_url": _url_with(request, page=str(result.page - 1)),
            "next_url": _url_with(request, page=str(result.page + 1)),
        },
    )


def agenda(request: HttpRequest) -> HttpResponse:
    form, criteria, vocabularies = _criteria(request)
    notes = list(criteria.notes)
    asked = asked_page(request.GET, notes)
    found = search_selector.agenda(criteria, page=asked, page_size=AGENDA_PAGE_SIZE)
    if found.page != asked and found.total:
        notes.append(missing_page_note(asked, found.page))
    days = [
        (day, list(items))
        for day, items in groupby(found.sessions, key=lambda s: timezone.localdate(s.starts_at))
    ]
    return render(
        request,
        "offers/agenda.html",
        {
            "form": form,
            "criteria": criteria,
            "notes": notes,
            "days": days,
            "total": found.total,
            "page": found.page,
            "page_count": found.page_count,
            "is_index_building": found.is_index_building,
            "facet_groups": _facet_groups(request, criteria, None, vocabularies),
            "chosen": _chosen(request, criteria, None),
        },
    )


def agenda_calendar(request: HttpRequest) -> HttpResponse:
    """The filtered agenda as an iCalendar feed a calendar application can subscribe to."""
    _form, criteria, _vocabularies = _criteria(request)
    found = search_selector.agenda(criteria, page=1, page_size=CALENDAR_LIMIT)
    body = calendar(
        found.sessions,
        name=_("Guidance agenda"),
        url_of=lambda s: request.build_absolute_uri(s.offer.get_absolute_url()),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="guidance-agenda.ics"'
    return response


def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = (
        Offer.objects.findable()
        .select_related("centre__municipality__province", "format", "municipality")
        .annotate(is_charter_signatory=is_signatory())
        .prefetch_related("themes", "audiences", "minimum_offer_categories")
        .filter(pk=pk)
        .first()
    )
    if offer is None:
        raise Http404
    sessions = list(
        offer.sessions.upcoming()
        .annotate(taken=Sum("bookings__places", filter=Q(bookings__status=BookingStatus.CONFIRMED)))
        .order_by("starts_at")[:60]
    )
    closes = timedelta(hours=offer.booking_closes_hours)
    now = timezone.now()
    for session in sessions:
        session.offer = offer
        session.places_free = (
            None if session.capacity is None else max(session.capacity - (session.taken or 0), 0)
        )
        session.is_bookable = offer.booking_need != "none" and now < session.starts_at - closes
    url = request.build_absolute_uri(offer.get_absolute_url())
    centre_url = request.build_absolute_uri(offer.centre.get_absolute_url())
    return render(
        request,
        "offers/offer_detail.html",
        {
            "offer": offer,
            "centre": offer.centre,
            "sessions": sessions,
            "jsonld": offer_jsonld(offer, sessions, url=url, centre_url=centre_url),
        },
    )


def session_calendar(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    session = (
        Session.objects.filter(offer__in=Offer.objects.findable(), offer_id=pk, pk=session_id)
        .select_related("offer__centre__municipality", "offer__municipality")
        .first()
    )
    if session is None:
        raise Http404
    body = calendar(
        [session],
        name=session.offer.title,
        url_of=lambda s: request.build_absolute_uri(s.offer.get_absolute_url()),
    )
    filename = f"{slugify(session.offer.title)[:50] or 'session'}-{session.starts_at:%Y%m%d}.ics"
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class NewOffersFeed(Feed):
    """Atom feed of the latest published offers."""

    feed_type = Atom1Feed
    title = gettext_lazy("New guidance offers in Wallonia and Brussels")
    subtitle = gettext_lazy("The latest offers published in the register of the guidance offer.")

    def link(self) -> str:
        return reverse("offers:search")

    def items(self):
        return (
            Offer.objects.findable()
            .select_related("centre__municipality")
            .order_by("-published_at", "-pk")[:50]
        )

    # XML refuses most control characters: stored text older than the rules must not break it.
    def item_title(self, item: Offer) -> str:
        return one_line(item.title)

    def item_description(self, item: Offer) -> str:
        return one_line(item.summary) or one_line(strip_tags(item.description)[:500])

    def item_link(self, item: Offer) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Offer):
        return item.published_at

    def item_updateddate(self, item: Offer):
        return item.updated_at

    def item_author_name(self, item: Offer) -> str:
        return one_line(item.centre.name)


def _url_with(request: HttpRequest, **changes: str) -> str:
    """The current query with some parameters set or (when empty) removed; back to page 1."""
    # Pairs rather than request.GET.copy(): a page builds dozens of these links, and a
    # QueryDict copy is a deep copy.
    pairs: list[tuple[str, str]] = []
    for key, values in request.GET.lists():
        if key == "page":
            continue
        if key in changes:
            if changes[key]:
                pairs.append((key, changes[key]))
            continue
        pairs.extend((key, value) for value in values)
    pairs += [(key, value) for key, value in changes.items() if value and key not in request.GET]
    encoded = urlencode(pairs)
    return f"?{encoded}" if encoded else request.path


def _facet_groups(request, criteria, facets, vocabularies: Vocabularies) -> list[dict]:
    """The facets as lists of links (HTML), each with its count when counts are known."""
    from centres.models import LANGUAGE_CHOICES
    from offers.filters import WHEN_CHOICES
    from offers.models import DeliveryMode

    def count(name, key):
        return facets.count(name, key) if facets is not None else None

    def group(name, title, options, chosen):
        items = []
        for value, key, label in options:
            number = count(name, key)
            if facets is not None and not number and value != chosen:
                continue  # a value that would find nothing is not offered
            changes = {name: "" if value == chosen else value}
            if name == "when":
                changes.update(date_from="", date_to="")
            url = _url_with(request, **changes)
            items.append(_facet_link(label, url, number, chosen=value == chosen))
        return {"name": name, "title": title, "items": items}

    def slug_of(term):
        return term.slug if term else ""

    groups = [
        group(
            "theme",
            _("Theme"),
            [(t.slug, t.pk, t.name) for t in vocabularies.themes],
            slug_of(criteria.theme),
        ),
        group(
            "audience",
            _("For whom"),
            [(a.slug, a.pk, a.name) for a in vocabularies.audiences],
            slug_of(criteria.audience),
        ),
        group(
            "format",
            _("Kind of offer"),
            [(f.slug, f.pk, f.name) for f in vocabularies.formats],
            slug_of(criteria.format),
        ),
        group(
            "when",
            _("When"),
            [(value, value, label) for value, label in WHEN_CHOICES],
            criteria.when,
        ),
        group(
            "province",
            _("Province"),
            [(p.slug, p.pk, p.name) for p in vocabularies.provinces],
            slug_of(criteria.province),
        ),
        group(
            "mode",
            _("How"),
            [(value, value, label) for value, label in DeliveryMode.choices],
            criteria.mode,
        ),
        group(
            "free",
            _("Price"),
            [("1", "1", _("Free only"))],
            "1" if criteria.free else "",
        ),
        group(
            "anonymous",
            _("Anonymity"),
            [("1", "1", _("Anonymous possible"))],
            "1" if criteria.anonymous else "",
        ),
        group(
            "no_booking",
            _("Booking"),
            [("1", "1", _("No booking needed"))],
            "1" if criteria.no_booking else "",
        ),
        group(
            "language",
            _("Language"),
            [(code, code, label) for code, label in LANGUAGE_CHOICES],
            criteria.language,
        ),
    ]
    return [g for g in groups if g["items"]]


def _facet_link(label, url: str, count: int | None, *, chosen: bool) -> SafeString:
    """One facet value as a link and its count (built here: a page shows about sixty)."""
    number = format_html(' <span class="count">{}</span>', count) if count is not None else ""
    if chosen:
        return format_html(
            '<a href="{}" aria-current="true" class="facet-chosen">{} '
            '<span class="visually-hidden">{}</span></a>{}',
            url,
            label,
            _("(chosen: remove)"),
            number,
        )
    return format_html('<a href="{}">{}</a>{}', url, label, number)


def _chosen(request, criteria, facets) -> list[dict]:
    """The chosen filters, each with the number of results once it is removed."""
    labels = {
        "theme": criteria.theme.name if criteria.theme else "",
        "audience": criteria.audience.name if criteria.audience else "",
        "format": criteria.format.name if criteria.format else "",
        "province": criteria.province.name if criteria.province else "",
        "mode": dict(_mode_labels()).get(criteria.mode, ""),
        "free": _("Free only") if criteria.free else "",
        "anonymous": _("Anonymous possible") if criteria.anonymous else "",
        "no_booking": _("No booking needed") if criteria.no_booking else "",
        "when": _when_label(criteria),
        "language": _language_label(criteria.language),
    }
    chosen = []
    for name, label in labels.items():
        if not label:
            continue
        remove = {name: ""}
        if name == "when":
            remove = {"when": "", "date_from": "", "date_to": ""}
        without = facets.count("without", name) if facets is not None else None
        chosen.append({"label": label, "url": _url_with(request, **remove), "without": without})
    return chosen


def _mode_labels():
    from offers.models import DeliveryMode

    return DeliveryMode.choices


def _when_label(criteria) -> str:
    from offers.filters import WHEN_CHOICES

    if criteria.when:
        return str(dict(WHEN_CHOICES)[criteria.when])
    start, end = criteria.date_range(timezone.localdate())
    if start is None:
        return ""
    return _("From %(start)s to %(end)s") % {
        "start": start.strftime("%d/%m/%Y"),
        "end": end.strftime("%d/%m/%Y"),
    }


def _language_label(code: str) -> str:
    from centres.models import LANGUAGE_CHOICES

    return str(dict(LANGUAGE_CHOICES).get(code, "")) if code else ""
