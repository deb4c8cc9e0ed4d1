"""Asking for a new password: throttled per client and per address, the same answer and the
same work whether an account uses the address or not; the e-mail leaves from the worker."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django_ratelimit.core import is_ratelimited

from accounts import services
from accounts.forms import PasswordResetRequestForm
from guidance_portal.clients import client_address

CLIENT_LIMIT = 20  # requests an hour from one connection (a school's or a library's too)
ADDRESS_LIMIT = 3  # links an hour to one address; more requests get the same answer


def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "accounts/password_reset_form.html", {"form": form})
    if is_ratelimited(
        request,
        group="accounts.password_reset",
        key=client_address,
        rate=f"{CLIENT_LIMIT}/h",
        method="POST",
        increment=True,
    ):
        return render(
            request,
            "accounts/password_reset_limited.html",
            {"count": CLIENT_LIMIT},
            status=429,
        )
    if not form.is_valid():
        return render(request, "accounts/password_reset_form.html", {"form": form}, status=400)
    email = form.cleaned_data["email"].strip()
    address_limited = is_ratelimited(
        request,
        group="accounts.password_reset.address",
        key=lambda group, request: email.lower(),
        rate=f"{ADDRESS_LIMIT}/h",
        method="POST",
        increment=True,
    )
    if not address_limited:
        services.request_password_reset(email=email, language=get_language())
    return redirect("accounts:password_reset_done")
