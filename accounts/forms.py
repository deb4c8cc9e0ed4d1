from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from guidance_portal.validators import single_line


class SignInForm(AuthenticationForm):
    """E-mail and password; the field keeps the name ``username`` that django-axes watches."""

    username = forms.EmailField(
        label=_("E-mail address"),
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
