"""Public pages: the directory of centres, a centre's page and the Cités des Métiers network."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from centres import selectors
from centres.filters import CentreFilter
from centres.hours import Schedule
from centres.jsonld import centre_jsonld
from centres.models import Centre
from charter import selectors as charter_selectors

PAGE_SIZE = 20


def directory(request: HttpRequest) -> HttpResponse:
    filterset = CentreFilter(request.GET or None, queryset=selectors.directory_queryset())
    centres = filterset.qs
    if not filterset.origin:
        centres = centres.order_by("name")
    paginator = Paginator(centres, PAGE_SIZE)
    requested = request.GET.get("page", "1")
    page = paginator.get_page(requested)
    page_note = ""
    if requested != "1" and str(page.number) != requested:
        page_note = _("Page %(asked)s does not exist; here is page %(shown)s.") % {
            "asked": requested[:10],
            "shown": page.number,
        }
    return render(
        request,
        "centres/directory.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "page_note": page_note,
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
