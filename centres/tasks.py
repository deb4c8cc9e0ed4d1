"""E-mails of the centres app, sent by Celery after the transaction that asked for them."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from centres.models import Invitation, Membership


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation(membership_id: int) -> bool:
    """E-mail the invited person a link to choose a password.

    Once per membership: the row is locked and stamped in the same transaction as the
    sending, so a second run (a redelivery) finds it stamped and does nothing. An SMTP error
    rolls back and retries with backoff.
    """
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "centre")
            .filter(pk=membership_id, invitation_sent_at__isnull=True)
            .first()
        )
        if membership is None:
            return False
        user = membership.user
        with translation.override(user.language):
            link = settings.SITE_URL + reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            context = {"membership": membership, "user": user, "link": link}
            subject = render_to_string("centres/email/invitation_subject.txt", context).strip()
            message = EmailMultiAlternatives(
                subject,
                render_to_string("centres/email/invitation.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("centres/email/invitation.html", context), "text/html"
            )
        message.send()
        membership.invitation_sent_at = timezone.now()
        membership.save(update_fields=["invitation_sent_at"])
    return True


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation_to_join(invitation_id: int) -> bool:
    """E-mail an existing account that it was invited into a centre's team.

    The message says who invited them and links to the page where they accept or decline,
    signed in; it holds no password link, since the account has one already. Once per
    invitation: the row is locked and stamped in the same transaction as the sending, so a
    redelivery finds it stamped and does nothing; an invitation withdrawn or expired before
    it was sent, or addressed to a deactivated account, is not sent. An SMTP error rolls
    back and retries with backoff (at most 8 times).
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.pending()
            .select_for_update(of=("self",))
            .select_related("user", "centre", "invited_by")
            .filter(pk=invitation_id, sent_at__isnull=True, user__is_active=True)
            .first()
        )
        if invitation is None:
            return False
        user = invitation.user
        with translation.override(user.language):
            context = {
                "invitation": invitation,
                "centre": invitation.centre,
                "inviter": invitation.invited_by,
                "link": settings.SITE_URL + invitation.get_absolute_url(),
                "expires_at": timezone.localtime(invitation.expires_at),
            }
            subject = render_to_string("centres/email/invitation_to_join_subject.txt", context)
            message = EmailMultiAlternatives(
                " ".join(subject.split()),  # one line, whatever the centre's name holds
                render_to_string("centres/email/invitation_to_join.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("centres/email/invitation_to_join.html", context), "text/html"
            )
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return True
