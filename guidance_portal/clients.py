"""Who is asking: the client's address, as the rate limits count it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(group: str, request: HttpRequest) -> str:
    """The client's address: behind our proxy, the last hop it appended to X-Forwarded-For.

    The signature is django-ratelimit's ``key`` callable's (``group`` is unused).
    """
    if settings.BEHIND_HTTPS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
