"""The counsellors' space for offers. Offers are reached through
``Offer.objects.editable_by(user)``: another centre's offer is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from offers import selectors, services
from offers.forms import OfferForm, OfferListForm, SeriesForm, SessionMoveForm
from offers.indexing import queue_reindex
from offers.models import Offer, OfferStatus, Session
from offers.models.offer import RevisionStatus

EDITABLE = {OfferStatus.DRAFT, OfferStatus.REJECTED, OfferStatus.PUBLISHED}
ACTIONS = {
    "submit": (
        services.submit,
        gettext_lazy("The offer is sent to the administrators for review."),
    ),
    "archive": (
        services.archive,
        gettext_lazy("The offer is archived: citizens no longer see it."),
    ),
    "reopen": (
        services.reopen,
        gettext_lazy("The offer is back in draft: correct it and submit it again."),
    ),
    "confirm": (
        services.confirm_still_accurate,
        gettext_lazy("Thank you: the offer is confirmed as accurate."),
    ),
}


def _offer(request: HttpRequest, pk: int) -> Offer:
    return get_object_or_404(
        Offer.objects.editable_by(request.user).select_related("centre"), pk=pk
    )


@login_required
def offer_list(request: HttpRequest) -> HttpResponse:
    offers = selectors.offers_for_counsellor(request.user)
    status, asked = OfferListForm(request.GET).filters()
    if status:
        offers = offers.filter(status=status)
    page = Paginator(offers, 25).get_page(asked)
    return render(
        request,
        "offers/manage/list.html",
        {"page": page, "statuses": OfferStatus.choices, "status": status},
    )


@login_required
def offer_create(request: HttpRequest) -> HttpResponse:
    form = OfferForm(request.POST or None, user=request.user, prefix="offer")
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                offer = form.save(commit=False)
                offer.created_by = request.user
                offer.save()
                form.save_m2m()
            messages.success(request, _("The offer is saved as a draft."))
            return redirect("offers:manage_detail", pk=offer.pk)
        return render(request, "offers/manage/form.html", {"form": form}, status=400)
    return render(request, "offers/manage/form.html", {"form": form})


@login_required
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer(request, pk)
    sessions = offer.sessions.order_by("starts_at")
    pending = offer.revisions.filter(status=RevisionStatus.PENDING).first()
    last_rejected_edit = (
        offer.revisions.filter(status=RevisionStatus.REJECTED).order_by("-decided_at").first()
    )
    history = offer.history.select_related("history_user").order_by("-history_id")[:30]
    return render(
        request,
        "offers/manage/detail.html",
        {
            "offer": offer,
            "sessions": sessions,
            "pending": pending,
            "last_rejected_edit": last_rejected_edit,
            "history": history,
            "series_form": SeriesForm(prefix="session"),
        },
    )


@login_required
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer(request, pk)
    if offer.status not in EDITABLE:
        messages.error(request, _("An offer waiting for review or archived cannot be edited."))
        return redirect("offers:manage_detail", pk=offer.pk)
    form = OfferForm(request.POST or None, instance=offer, user=request.user, prefix="offer")
    if request.method == "POST":
        if form.is_valid():
            if offer.status == OfferStatus.PUBLISHED:
                try:
                    services.propose_edit(offer=offer, data=form.revision_data(), by=request.user)
                except services.TransitionError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(
                        request,
                        _("Your changes wait for an administrator; the offer stays as published."),
                    )
            else:
                form.save()
                messages.success(request, _("The offer is saved."))
            return redirect("offers:manage_detail", pk=offer.pk)
        return render(
            request, "offers/manage/form.html", {"form": form, "offer": offer}, status=400
        )
    return render(request, "offers/manage/form.html", {"form": form, "offer": offer})


@login_required
@require_POST
def offer_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    original = _offer(request, pk)
    with transaction.atomic():
        copy = Offer.objects.get(pk=original.pk)
        copy.pk = None
        copy.status = OfferStatus.DRAFT
        copy.title_fr = _("%(title)s (copy)") % {"title": original.title_fr}
        copy.rejection_reason = ""
        copy.submitted_at = copy.published_at = copy.last_confirmed_at = copy.review_due = None
        copy.created_by = request.user
        copy.save()
        for name in ("themes", "audiences", "minimum_offer_categories"):
            getattr(copy, name).set(getattr(original, name).all())
    messages.success(request, _("A copy of the offer is saved as a draft."))
    return redirect("offers:manage_detail", pk=copy.pk)


@login_required
@require_POST
def offer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    offer = _offer(request, pk)
    if action not in ACTIONS:
        return render(request, "400.html", status=400)
    service, done = ACTIONS[action]
    try:
        service(offer=offer, by=request.user)
    except services.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("offers:manage_detail", pk=offer.pk)


@login_required
@require_POST
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer(request, pk)
    form = SeriesForm(request.POST, prefix="session")
    if form.is_valid():
        sessions = form.sessions(offer)
        Session.objects.bulk_create(sessions)
        queue_reindex([offer.pk])
        messages.success(request, _("%(count)d session(s) added.") % {"count": len(sessions)})
        for note in form.notes():
            messages.info(request, note)
        return redirect("offers:manage_detail", pk=offer.pk)
    return render(
        request,
        "offers/manage/detail.html",
        {
            "offer": offer,
            "sessions": offer.sessions.order_by("starts_at"),
            "series_form": form,
            "history": offer.history.select_related("history_user").order_by("-history_id")[:30],
        },
        status=400,
    )


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    offer = _offer(request, pk)
    from offers.bookings import session_changed

    with transaction.atomic():
        session = get_object_or_404(
            Session.objects.select_for_update().filter(offer=offer), pk=session_id
        )
        if not session.is_cancelled:
            session.is_cancelled = True
            session.save(update_fields=["is_cancelled"])
            session_changed(session=session, kind="session_cancelled")  # each person told once
        queue_reindex([offer.pk])
    messages.success(request, _("The session is cancelled."))
    return redirect("offers:manage_detail", pk=offer.pk)


@login_required
@require_POST
def session_move(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    from offers.bookings import BookingError, move_session

    offer = _offer(request, pk)
    session = get_object_or_404(Session.objects.filter(offer=offer), pk=session_id)
    form = SessionMoveForm(request.POST, prefix=f"move-{session.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("offers:manage_detail", pk=offer.pk)
    try:
        move_session(session=session, **form.cleaned_data)
    except BookingError as error:
        messages.error(request, str(error))
    else:
        queue_reindex([offer.pk])
        messages.success(request, _("The session is moved; the people booked are told by e-mail."))
        for note in form.notes():
            messages.info(request, note)
    return redirect("offers:manage_detail", pk=offer.pk)
