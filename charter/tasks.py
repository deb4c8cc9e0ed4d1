"""E-mails about the charter. An invitation to re-sign is a row, created once per manager and
version and sent once by ``guidance_portal.mail``: a second run sends nothing."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from centres.models import Membership, Role
from charter.models import CharterVersion, ResignInvitation, Signature, SignatureStatus
from guidance_portal import mail


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def invite_to_resign(version_id: int) -> int:
    """Owe each manager of a centre invited to re-sign one e-mail; returns how many rows are
    new (each is queued after commit; the sweep picks up any other left unsent)."""
    version = CharterVersion.objects.get(pk=version_id)
    invited = Signature.objects.filter(
        status=SignatureStatus.INVITED, centre__isnull=False
    ).exclude(centre__charter_signatures__version=version)
    managers = (
        Membership.objects.filter(role=Role.MANAGER, centre__in=invited.values("centre"))
        .filter(user__is_active=True)
        .order_by("user_id", "centre__name")
    )
    new = []
    with transaction.atomic():
        for membership in managers:
            invitation, created = ResignInvitation.objects.get_or_create(
                version=version, user_id=membership.user_id, defaults={"centre": membership.centre}
            )
            if created:
                new.append(invitation.pk)
        send_resign_invitation.kind.queue(new)
    return len(new)


@mail.sender(ResignInvitation, related=["user", "centre", "version"])
def send_resign_invitation(invitation: ResignInvitation) -> mail.Email:
    """Invite a centre's manager, in their language, to sign the new version."""
    user = invitation.user
    return mail.Email(
        to=user.email,
        language=user.language,
        template="charter/email/resign",
        context={
            "user": user,
            "centre": invitation.centre,
            "version": invitation.version,
            "link": mail.link(user.language, "charter:manage", slug=invitation.centre.slug),
        },
    )
