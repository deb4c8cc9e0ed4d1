from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import normalise_email


class NormalisedUsernameMixin:
    """Authenticate the normalised address: the backend and django-axes (which reads it the
    same way, see ``accounts/lockout.py``) then see one spelling of it, whatever was typed."""

    def clean_username(self) -> str:
        return normalise_email(self.cleaned_data["username"])


class SignInForm(NormalisedUsernameMixin, AuthenticationForm):
    """E-mail and password; the field keeps the name ``username`` that django-axes watches."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("This e-mail address and password do not match an account."),
        "inactive": _("This account is inactive."),
    }


class AdminSignInForm(NormalisedUsernameMixin, AdminAuthenticationForm):
    """The admin site's sign-in (``/<lang>/admin/login/``), normalised as the portal's."""
