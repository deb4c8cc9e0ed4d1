"""E-mails about the charter. An invitation is a row: created once per manager and version,
claimed with SKIP LOCKED and stamped with the sending, so a second run sends nothing."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from centres.models import Membership, Role
from charter.models import CharterVersion, ResignInvitation, Signature, SignatureStatus


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=900,
    max_retries=10,
)
def invite_to_resign(version_id: int) -> int:
    """E-mail each manager of a centre invited to re-sign, once; returns how many were sent."""
    version = CharterVersion.objects.get(pk=version_id)
    invited = Signature.objects.filter(
        status=SignatureStatus.INVITED, centre__isnull=False
    ).exclude(centre__charter_signatures__version=version)
    managers = (
        Membership.objects.filter(role=Role.MANAGER, centre__in=invited.values("centre"))
        .filter(user__is_active=True)
        .order_by("user_id", "centre__name")
    )
    for membership in managers:
        ResignInvitation.objects.get_or_create(
            version=version, user_id=membership.user_id, defaults={"centre": membership.centre}
        )
    sent = 0
    for pk in ResignInvitation.objects.filter(version=version, sent_at__isnull=True).values_list(
        "pk", flat=True
    ):
        sent += _send(pk)
    return sent


def _send(invitation_id: int) -> int:
    with transaction.atomic():
        invitation = (
            ResignInvitation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "centre", "version")
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None:
            return 0
        user = invitation.user
        with translation.override(user.language):
            context = {
                "user": user,
                "centre": invitation.centre,
                "version": invitation.version,
                "link": settings.SITE_URL
                + reverse("charter:manage", kwargs={"slug": invitation.centre.slug}),
            }
            message = EmailMultiAlternatives(
                render_to_string("charter/email/resign_subject.txt", context).strip(),
                render_to_string("charter/email/resign.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("charter/email/resign.html", context), "text/html"
            )
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return 1
