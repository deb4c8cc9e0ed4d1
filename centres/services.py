"""Multi-step writes of the centres app. Each is atomic and checks who may do it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User, normalise_email
from centres.models import (
    Centre,
    Invitation,
    InvitationEmail,
    InvitationState,
    Membership,
    PostalCode,
    Role,
)
from centres.tasks import send_invitation, send_invitation_to_join


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
def invite_member(
    *, centre: Centre, email: str, full_name: str, role: str, by: User
) -> Membership | Invitation:
    """Invite a person into the centre's team; they are e-mailed by a task queued after commit.

    An address without an account gets one, with this membership and a link to choose a
    password (an ``InvitationEmail`` row): the new account has no other access to protect.
    An existing account is never attached by someone else: it gets an ``Invitation`` that it
    must accept, signed in, and nothing about the account (name, password, other teams)
    changes; the invitation is also the e-mail owed to it. Either e-mail is sent once by
    ``guidance_portal.mail``, queued after commit. The centre's row is locked, so two
    managers inviting the same person at once make one invitation.
    """
    locked = (
        Centre.objects.managed_by(by).select_for_update(of=("self",)).filter(pk=centre.pk).first()
    )
    if locked is None:
        raise CentreError(_("Only the centre's managers may invite counsellors."))
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        try:
            with transaction.atomic():  # the address may be taken by another centre's invitation
                user = User.objects.create_user(email, None, full_name=full_name)
        except IntegrityError:
            user = User.objects.get(email__iexact=email)
        else:
            membership = Membership.objects.create(centre=centre, user=user, role=role)
            owed = InvitationEmail.objects.create(membership=membership)
            send_invitation.kind.queue([owed.pk])
            return membership
    if Membership.objects.filter(centre=centre, user=user).exists():
        raise CentreError(_("This person is already a member of the centre."))
    waiting = Invitation.objects.filter(centre=centre, user=user).pending().first()
    if waiting is not None:
        raise CentreError(
            _("This person already has an invitation waiting for an answer, until %(date)s.")
            % {"date": date_format(timezone.localtime(waiting.expires_at), "DATE_FORMAT")}
        )
    invitation = Invitation.objects.create(
        centre=centre, user=user, email=email, role=role, invited_by=by
    )
    send_invitation_to_join.kind.queue([invitation.pk])
    return invitation


def _lock_pending(invitations: QuerySet, pk: int, *, refusal: str) -> Invitation:
    """Lock an invitation the person may act on, and check it can still be answered."""
    invitation = invitations.select_for_update(of=("self",)).filter(pk=pk).first()
    if invitation is None:
        raise CentreError(refusal)
    if invitation.state != InvitationState.PENDING:
        raise CentreError(INVITATION_CLOSED[invitation.state])
    return invitation


INVITATION_CLOSED = {
    InvitationState.ACCEPTED: gettext_lazy("This invitation has already been accepted."),
    InvitationState.DECLINED: gettext_lazy("This invitation has been declined."),
    InvitationState.WITHDRAWN: gettext_lazy("This invitation has been withdrawn by the centre."),
    InvitationState.EXPIRED: gettext_lazy("This invitation has expired."),
}


@transaction.atomic
def accept_invitation(*, invitation: Invitation, by: User) -> Membership:
    """Join the centre's team with the invited role: only the invited account, only once.

    The invitation's row is locked and stamped with the membership, so a second accept (a
    double click, a second tab) finds it accepted and changes nothing. A membership that
    already exists (an administrator added it meanwhile) is kept as it is.
    """
    invitation = _lock_pending(
        Invitation.objects.addressed_to(by),
        invitation.pk,
        refusal=_("This invitation was sent to another account."),
    )
    membership, _created = Membership.objects.get_or_create(
        centre=invitation.centre, user=by, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def decline_invitation(*, invitation: Invitation, by: User) -> Invitation:
    """Say no to an invitation; only the invited account, while it can still be answered."""
    invitation = _lock_pending(
        Invitation.objects.addressed_to(by),
        invitation.pk,
        refusal=_("This invitation was sent to another account."),
    )
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    return invitation


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw an invitation not yet answered (an expired one too, to clear the list).

    Only the centre's managers; the row lock orders it with an accept happening at once.
    """
    locked = (
        Invitation.objects.managed_by(by)
        .select_for_update(of=("self",))
        .filter(pk=invitation.pk)
        .first()
    )
    if locked is None:
        raise CentreError(_("Only the centre's managers may withdraw its invitations."))
    if locked.state not in (InvitationState.PENDING, InvitationState.EXPIRED):
        raise CentreError(INVITATION_CLOSED[locked.state])
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = by
    locked.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return locked


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
