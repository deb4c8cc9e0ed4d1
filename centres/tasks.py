"""E-mails of the centres app: rows sent once by ``guidance_portal.mail``, after the
transaction that asked for them."""

from __future__ import annotations

from accounts.tasks import reset_link
from centres.models import InvitationEmail
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
