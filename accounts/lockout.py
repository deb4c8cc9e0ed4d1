"""How django-axes counts failed sign-ins: one key per e-mail address, two limits.

Axes reads the e-mail address through ``username_for_axes`` (``AXES_USERNAME_CALLABLE``), so
``Someone@Example.org`` and ``someone@example.org`` are one account to it, as they are to
sign-in. It locks an address and client pair after ``AXES_FAILURE_LIMIT`` failures;
``AccountLockoutHandler`` also locks the address itself after
``SIGN_IN_ACCOUNT_FAILURE_LIMIT`` failures from any mix of clients within the cool-off, so
spreading guesses over many connections does not buy more of them. The second limit is
higher: one client cannot lock a counsellor out of their account from everywhere.

Addresses that belong to no account are counted and locked the same way, and the lockout
page says the same thing, so it never tells whether an account exists.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import normalise_email


def username_for_axes(request: HttpRequest, credentials: dict | None) -> str | None:
    """The e-mail address a sign-in attempt is counted under, normalised as sign-in does."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_email(username) if isinstance(username, str) else None


class AccountLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a limit per e-mail address whatever the client.

    The failures are counted from axes' own rows (one per address, client and browser), so
    the cool-off, the reset after a successful sign-in and ``axes_reset`` apply to both limits.
    """

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self._account_is_locked(
            request, credentials
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if self._account_is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def _account_is_locked(self, request: HttpRequest, credentials: dict | None) -> bool:
        username = get_client_username(request, credentials)
        if not username:
            return False
        failures = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        return (failures or 0) >= settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page shown while sign-in is blocked (``AXES_LOCKOUT_CALLABLE``), on the portal's
    login and the admin's: the same words whichever limit was reached, and for any address."""
    cool_off = get_cool_off(request)
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": int(cool_off.total_seconds() // 60)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
