"""The counsellors' space: a counsellor keeps their centre's listing true.

Every view finds its centre through ``Centre.objects.editable_by(user)`` or
``managed_by(user)``: a centre the user has no part in is a 404, not a hint that it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centres import services
from centres.forms import ExceptionalDayFormSet, InviteForm, ListingForm, OpeningSlotFormSet
from centres.history import centre_history
from centres.hours import Schedule
from centres.models import Centre, ExceptionalDay, Invitation, Membership, OpeningSlot, Role
from centres.selectors import team_of


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    centres = Centre.objects.editable_by(request.user).for_listing().order_by("name")
    managed = set(Centre.objects.managed_by(request.user).values_list("pk", flat=True))
    invitations = (
        Invitation.objects.addressed_to(request.user)
        .pending()
        .select_related("centre")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "centres/manage/dashboard.html",
        {"centres": centres, "managed": managed, "invitations": invitations},
    )


def _listing_forms(request: HttpRequest, centre: Centre) -> list:
    data = request.POST if request.method == "POST" else None
    today = timezone.localdate()
    return [
        ListingForm(data, instance=centre, prefix="listing"),
        OpeningSlotFormSet(data, instance=centre, prefix="hours"),
        ExceptionalDayFormSet(
            data,
            instance=centre,
            prefix="days",
            queryset=ExceptionalDay.objects.filter(date__gte=today).order_by("date"),
        ),
    ]


def _preview_schedule(forms: list) -> Schedule:
    _listing, hours, days = forms
    slots = [
        OpeningSlot(
            weekday=int(f.cleaned_data["weekday"]),
            opens=f.cleaned_data["opens"],
            closes=f.cleaned_data["closes"],
        )
        for f in hours.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("opens")
    ]
    exceptions = [
        ExceptionalDay(**{k: f.cleaned_data[k] for k in ("date", "opens", "closes", "reason")})
        for f in days.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("date")
    ]
    return Schedule(slots, exceptions)


@login_required
def edit_listing(request: HttpRequest, slug: str) -> HttpResponse:
    centre = get_object_or_404(Centre.objects.editable_by(request.user).for_listing(), slug=slug)
    forms = _listing_forms(request, centre)
    preview = None
    if request.method == "POST":
        if all(form.is_valid() for form in forms):
            if "preview" in request.POST:
                schedule = _preview_schedule(forms)
                preview = {
                    "centre": forms[0].instance,
                    "week": schedule.week(timezone.localdate()),
                    "status": schedule.status(timezone.now()),
                }
            else:
                try:
                    services.save_listing(centre=centre, forms=forms, by=request.user)
                except Centre.DoesNotExist:  # membership removed while editing
                    raise Http404 from None
                messages.success(request, _("The listing is saved and visible to the public."))
                return redirect("centres:edit", slug=centre.slug)
        else:
            messages.error(request, _("The listing was not saved: please correct the errors."))
    listing, hours, days = forms
    status = 400 if request.method == "POST" and preview is None else 200
    return render(
        request,
        "centres/manage/edit.html",
        {"centre": centre, "form": listing, "hours": hours, "days": days, "preview": preview},
        status=status,
    )


@login_required
def history(request: HttpRequest, slug: str) -> HttpResponse:
    centre = get_object_or_404(Centre.objects.managed_by(request.user), slug=slug)
    return render(
        request,
        "centres/manage/history.html",
        {"centre": centre, "entries": centre_history(centre)},
    )


@login_required
def team(request: HttpRequest, slug: str) -> HttpResponse:
    centre = get_object_or_404(Centre.objects.managed_by(request.user), slug=slug)
    form = InviteForm(request.POST or None, centre=centre)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invited = services.invite_member(
                    centre=centre, by=request.user, **form.cleaned_data
                )
            except services.CentreError as error:
                form.add_error("email", str(error))
            else:
                messages.success(request, _invited_message(invited))
                return redirect("centres:team", slug=centre.slug)
        status = 400
    return render(
        request,
        "centres/manage/team.html",
        {"centre": centre, "form": form, "roles": Role, **team_of(centre)},
        status=status,
    )


def _invited_message(invited: Membership | Invitation) -> str:
    if isinstance(invited, Invitation):
        return _(
            "%(email)s was e-mailed an invitation: they will join the team once they accept it."
        ) % {"email": invited.email}
    return _("%(email)s is invited: a link to set a password was e-mailed.") % {
        "email": invited.user.email
    }


@login_required
@require_POST
def remove_member(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    centre = get_object_or_404(Centre.objects.managed_by(request.user), slug=slug)
    membership = get_object_or_404(Membership.objects.filter(centre=centre), pk=membership_id)
    try:
        services.remove_member(membership=membership, by=request.user)
    except services.CentreError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(person)s no longer belongs to the team.") % {"person": membership.user}
        )
    return redirect("centres:team", slug=centre.slug)


@login_required
@require_POST
def withdraw_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    centre = get_object_or_404(Centre.objects.managed_by(request.user), slug=slug)
    invitation = get_object_or_404(
        Invitation.objects.managed_by(request.user).filter(centre=centre), pk=invitation_id
    )
    try:
        services.withdraw_invitation(invitation=invitation, by=request.user)
    except services.CentreError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The invitation of %(email)s is withdrawn.") % {"email": invitation.email},
        )
    return redirect("centres:team", slug=centre.slug)
