"""Public pages: the directory of centres, a centre's page and the Cités des Métiers network."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from centres import selectors
from centres.filters import CentreFilter
from centres.hours import Schedule
from centres.jsonld import centre_jsonld
from centres.models import Centre
from charter import selectors as charter_selectors
from guidance_portal.query import asked_page, missing_page_note

PAGE_SIZE = 20


def directory(request: HttpRequest) -> HttpResponse:
    filterset = CentreFilter(request.GET or None, queryset=selectors.directory_queryset())
    centres = filterset.qs
    if not filterset.origin:
        centres = centres.order_by("name")
    notes: list[str] = []
    asked = asked_page(request.GET, notes)
    page = Paginator(centres, PAGE_SIZE).get_page(asked)
    if page.number != asked:
        notes.append(missing_page_note(asked, page.number))
    return render(
        request,
        "centres/directory.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "page_note": " ".join(notes),
            "origin": filterset.origin,
            "radius": filterset.radius_km if filterset.is_bound else None,
        },
    )


def centre_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        centre = selectors.centre_for_page(Centre.objects.active(), slug)
    except Centre.DoesNotExist:
        raise Http404 from None
    schedule = Schedule(centre.opening_slots.all(), centre.exceptional_days.all())
    statements = list(charter_selectors.public_statements(centre.pk))
    return render(
        request,
        "centres/centre_detail.html",
        {
            "centre": centre,
            "status": schedule.status(timezone.now()),
            "week": schedule.week(timezone.localdate()),
            "has_hours": bool(schedule.weekly),
            "closures": centre.exceptional_days.all(),
            "is_charter_signatory": getattr(centre, "is_charter_signatory", False),
            "statements": statements,
            "jsonld": centre_jsonld(
                centre, url=request.build_absolute_uri(centre.get_absolute_url()), schedule=schedule
            ),
        },
    )


def cites_network(request: HttpRequest) -> HttpResponse:
    return render(request, "centres/cites_network.html", {"cites": selectors.cites_network()})
