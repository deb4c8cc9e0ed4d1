"""Multi-step writes of the centres app. Each is atomic and checks who may do it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from centres.models import Centre, InvitationEmail, Membership, PostalCode, Role


class CentreError(Exception):
    """A refused action, with a message for the person who asked."""


def place(centre: Centre) -> None:
    """Put the centre at its postcode (or its municipality's centre when there is none)."""
    point = None
    if centre.postcode:
        point = (
            PostalCode.objects.filter(code=centre.postcode, municipality=centre.municipality)
            .values_list("latitude", "longitude")
            .first()
        )
    if point is None and centre.municipality.latitude is not None:
        point = (centre.municipality.latitude, centre.municipality.longitude)
    if point is not None:
        centre.latitude, centre.longitude = point


@transaction.atomic
def save_listing(*, centre: Centre, forms: list, by: User) -> Centre:
    """Save the listing form and its formsets together: all or nothing.

    The caller has validated every form. Access is checked again here, under a row lock.
    """
    Centre.objects.editable_by(by).select_for_update(of=("self",)).get(pk=centre.pk)
    listing, *formsets = forms
    centre = listing.save(commit=False)
    if {"postcode", "municipality"} & set(listing.changed_data):
        place(centre)
    centre._change_reason = "listing edited in the counsellors' space"
    centre.save()
    for formset in formsets:
        formset.instance = centre
        formset.save()
    from offers.indexing import queue_reindex_of_centre

    queue_reindex_of_centre(centre.pk)  # its name and place are in its offers' documents
    return centre


@transaction.atomic
def invite_member(*, centre: Centre, email: str, full_name: str, role: str, by: User) -> Membership:
    """Add a person to the centre's team and e-mail them a link to choose a password.

    The e-mail is an ``InvitationEmail`` row, sent once by a task queued after commit.
    """
    if not Centre.objects.managed_by(by).filter(pk=centre.pk).exists():
        raise CentreError(_("Only the centre's managers may invite counsellors."))
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, None, full_name=full_name)
    try:
        with transaction.atomic():  # the unique constraint settles two invitations at once
            membership = Membership.objects.create(centre=centre, user=user, role=role)
    except IntegrityError:
        raise CentreError(_("This person is already a member of the centre.")) from None
    invitation = InvitationEmail.objects.create(membership=membership)
    from centres.tasks import send_invitation

    send_invitation.kind.queue([invitation.pk])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, by: User) -> None:
    """Remove a person from the centre's team; the last manager cannot be removed."""
    centre = (
        Centre.objects.managed_by(by)
        .select_for_update(of=("self",))
        .filter(pk=membership.centre_id)
        .first()
    )
    if centre is None:
        raise CentreError(_("Only the centre's managers may remove counsellors."))
    if membership.role == Role.MANAGER:
        managers = Membership.objects.filter(centre=centre, role=Role.MANAGER).count()
        if managers <= 1:
            raise CentreError(_("A centre keeps at least one manager."))
    membership.delete()
