"""E-mails of the centres app: rows sent once by ``guidance_portal.mail``, after the
transaction that asked for them."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from accounts.tasks import reset_link
from centres.models import Invitation, InvitationEmail
from guidance_portal import mail


@mail.sender(InvitationEmail, related=["membership__user", "membership__centre"])
def send_invitation(invitation: InvitationEmail) -> mail.Email:
    """E-mail the person added to a team a link to choose a password, in their language."""
    membership = invitation.membership
    user = membership.user
    return mail.Email(
        to=user.email,
        language=user.language,
        template="centres/email/invitation",
        context={"membership": membership, "user": user, "link": reset_link(user, user.language)},
    )


def _still_open() -> Q:
    """An invitation is e-mailed only while it can be answered, to an active account: one
    withdrawn, answered or expired before its e-mail left is never sent (nor swept)."""
    return Q(
        accepted_at__isnull=True,
        declined_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=timezone.now(),
        user__is_active=True,
    )


@mail.sender(Invitation, related=["user", "centre", "invited_by"], due=_still_open)
def send_invitation_to_join(invitation: Invitation) -> mail.Email:
    """E-mail an existing account, in its language, that it was invited into a centre's team.

    The message says who invited them and links to the page where they accept or decline,
    signed in; it holds no password link, since the account has one already.
    """
    user = invitation.user
    return mail.Email(
        to=user.email,
        language=user.language,
        template="centres/email/invitation_to_join",
        context={
            "invitation": invitation,
            "centre": invitation.centre,
            "inviter": invitation.invited_by,
            "link": mail.link(user.language, "centres:invitation", token=invitation.token),
            "expires_at": timezone.localtime(invitation.expires_at),
        },
    )
