from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import normalise_email
from guidance_portal.validators import single_line


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


class PasswordResetRequestForm(forms.Form):
    """The address of the account whose password is forgotten; nothing more is checked here
    (whether an account uses it is the worker's business)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        validators=[single_line],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AdminSignInForm(NormalisedUsernameMixin, AdminAuthenticationForm):
    """The admin site's sign-in (``/<lang>/admin/login/``), normalised as the portal's."""
