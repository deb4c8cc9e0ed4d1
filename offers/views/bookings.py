"""Citizens' bookings: the form, the page the e-mailed link opens (see, cancel, delete my
data), and the counsellors' list of a session's bookings."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from guidance_portal.clients import client_address
from offers import bookings
from offers.booking_forms import BookingForm
from offers.models import Booking, BookingStatus, Offer, Session

BOOKING_RATE = "10/h"


def _bookable_session(pk: int, session_id: int) -> Session:
    session = (
        bookings.bookable_sessions()
        .filter(offer_id=pk, pk=session_id)
        .select_related("offer__centre__municipality")
        .annotate(taken=Sum("bookings__places", filter=Q(bookings__status=BookingStatus.CONFIRMED)))
        .first()
    )
    if session is None:
        raise Http404
    return session


def book(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    session = _bookable_session(pk, session_id)
    offer = session.offer
    form = BookingForm(
        request.POST if request.method == "POST" else None,
        max_places=offer.max_places_per_booking,
    )
    status = 200
    if request.method == "POST":
        limited = is_ratelimited(
            request, group="offers.book", key=client_address, rate=BOOKING_RATE, method="POST",
            increment=True,
        )  # fmt: skip
        if limited:
            return render(
                request,
                "offers/booking_limited.html",
                {"offer": offer, "session": session},
                status=429,
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = bookings.book(
                    session_id=session.pk,
                    request=bookings.Request(
                        first_name=data["first_name"].strip(),
                        email=data["email"].strip(),
                        phone=data["phone"].strip(),
                        places=data["places"],
                        accessibility_needs=data["accessibility_needs"].strip(),
                        language=(get_language() or "fr")[:2],
                    ),
                )
            except bookings.BookingError as error:
                form.add_error(error.field, str(error))
            else:
                if booking.status == BookingStatus.CONFIRMED:
                    messages.success(
                        request, _("Your booking is confirmed. We sent you an e-mail.")
                    )
                else:
                    messages.success(
                        request,
                        _("The session is full: you are on the waiting list. We e-mailed you."),
                    )
                return redirect("offers:booking", code=bookings.manage_code(booking))
        status = 400
    places_left = None if session.capacity is None else session.capacity - (session.taken or 0)
    return render(
        request,
        "offers/book.html",
        {"offer": offer, "session": session, "form": form, "places_left": places_left},
        status=status,
    )


def _booking(code: str) -> Booking:
    booking = bookings.booking_for_code(code)
    if booking is None:
        raise Http404
    return booking


def booking_detail(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking(code)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            bookings.cancel(booking=booking)
            messages.success(request, _("Your booking is cancelled. Thank you for telling us."))
            return redirect("offers:booking", code=code)
        if action == "forget":
            bookings.forget(booking=booking)
            messages.success(
                request, _("Your booking is cancelled and your personal data is deleted.")
            )
            return redirect("offers:detail", pk=booking.session.offer_id)
        return HttpResponse(status=400)
    return render(
        request,
        "offers/booking_detail.html",
        {
            "booking": booking,
            "session": booking.session,
            "offer": booking.session.offer,
            "retention_days": settings.BOOKING_RETENTION_DAYS,
        },
    )


def _centre_session(request: HttpRequest, pk: int, session_id: int) -> Session:
    """A session of an offer the user keeps; any other gives 404."""
    offer = get_object_or_404(Offer.objects.editable_by(request.user), pk=pk)
    return get_object_or_404(
        Session.objects.filter(offer=offer).select_related("offer"), pk=session_id
    )


@login_required
def session_bookings(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    session = _centre_session(request, pk, session_id)
    rows = list(session.bookings.exclude(purged_at__isnull=False).order_by("created_at", "pk"))
    if request.method == "POST":
        attended = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        for booking in rows:
            if booking.status == BookingStatus.CONFIRMED:
                bookings.set_attendance(booking=booking, attended=booking.pk in attended)
        messages.success(request, _("Attendance saved."))
        return redirect("offers:session_bookings", pk=pk, session_id=session_id)
    confirmed = [b for b in rows if b.status == BookingStatus.CONFIRMED]
    taken = sum(b.places for b in confirmed)
    return render(
        request,
        "offers/manage/session_bookings.html",
        {
            "offer": session.offer,
            "session": session,
            "confirmed": confirmed,
            "waiting": [b for b in rows if b.status == BookingStatus.WAITING],
            "cancelled": [b for b in rows if b.status == BookingStatus.CANCELLED],
            "places_left": None if session.capacity is None else session.capacity - taken,
            "taken": taken,
        },
    )


@login_required
@require_POST
def cancel_booking(request: HttpRequest, pk: int, session_id: int, booking_id: int) -> HttpResponse:
    session = _centre_session(request, pk, session_id)
    booking = get_object_or_404(session.bookings.all(), pk=booking_id)
    note = request.POST.get("note", "").strip()[:1000]
    bookings.cancel(booking=booking, by_centre=True, note=note)
    messages.success(request, _("The booking is cancelled; the person is told by e-mail."))
    return redirect("offers:session_bookings", pk=pk, session_id=session_id)


@login_required
def export_bookings(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    session = _centre_session(request, pk, session_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="bookings-{session.pk}-{timezone.localdate(session.starts_at)}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [_("First name or pseudonym"), _("E-mail"), _("Phone"), _("Places"), _("Status"),
         _("Accessibility needs"), _("Booked"), _("Attended")]
    )  # fmt: skip
    for booking in session.bookings.filter(purged_at__isnull=True).order_by("created_at", "pk"):
        writer.writerow(
            [
                _csv_safe(booking.first_name),
                booking.email,
                _csv_safe(booking.phone),
                booking.places,
                booking.get_status_display(),
                _csv_safe(booking.accessibility_needs),
                timezone.localtime(booking.created_at).strftime("%Y-%m-%d %H:%M"),
                {True: _("yes"), False: _("no"), None: ""}[booking.attended],
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Citizens typed these: a leading = + - @ would run as a formula in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
