"""Multi-step writes of the accounts app."""

from __future__ import annotations

from django.db import transaction

from accounts.models import PasswordResetRequest
from accounts.tasks import send_password_reset


@transaction.atomic
def request_password_reset(*, email: str, language: str) -> PasswordResetRequest:
    """Record a "forgot my password" request and queue its e-mail after commit.

    The same work whatever the address: no account is looked up here (the worker does it), so
    neither the answer nor its time tells whether an account uses the address.
    """
    reset = PasswordResetRequest.objects.create(email=email, language=language)
    send_password_reset.kind.queue([reset.pk])
    return reset
