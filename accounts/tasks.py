"""E-mails of the accounts app, sent once by ``guidance_portal.mail``, and their clean-up."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import PasswordResetRequest, User
from guidance_portal import mail

RESET_REQUESTS_KEPT_DAYS = 7


def reset_link(user: User, language: str) -> str:
    """A link to choose a new password, valid for PASSWORD_RESET_TIMEOUT."""
    return mail.link(
        language,
        "accounts:password_reset_confirm",
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=default_token_generator.make_token(user),
    )


@mail.sender(PasswordResetRequest)
def send_password_reset(reset: PasswordResetRequest) -> mail.Email | None:
    """E-mail the account the request names a link to choose a new password.

    Any active account qualifies, with or without a password: a person invited to a team who
    never chose one can ask for a new link. An address no account uses gets nothing.
    """
    user = User.objects.filter(email__iexact=reset.email.strip(), is_active=True).first()
    PasswordResetRequest.objects.filter(pk=reset.pk).update(user=user)
    if user is None:
        return None
    return mail.Email(
        to=user.email,
        language=reset.language,
        template="accounts/email/password_reset",
        context={"user": user, "link": reset_link(user, reset.language)},
    )


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def purge_password_reset_requests() -> int:
    """Daily: forget the requests of more than a week ago, the addresses people typed with
    them; running it twice deletes nothing more."""
    limit = timezone.now() - timedelta(days=RESET_REQUESTS_KEPT_DAYS)
    deleted, _by_model = PasswordResetRequest.objects.filter(requested_at__lt=limit).delete()
    return deleted
