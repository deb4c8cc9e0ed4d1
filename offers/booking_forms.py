"""The citizen's booking form: the least data, a consent line, and two bot traps that need no
third-party captcha (a field people never see, and a minimum time to fill the form)."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

MAX_FORM_AGE = 2 * 60 * 60
STARTED_SALT = "offers.booking.started"


class BookingForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name or pseudonym"),
        max_length=60,
        help_text=_("So that the centre can welcome you. A pseudonym is fine."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send the confirmation, a reminder and the link to cancel here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=30,
        validators=[RegexValidator(r"^[0-9+ ./()-]{6,30}$", _("Enter a phone number."))],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    places = forms.IntegerField(label=_("Number of places"), min_value=1, initial=1)
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs (optional)"),
        required=False,
        max_length=500,
        help_text=_("For example: wheelchair access, sign language, large print."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the centre uses my first name and e-mail address to manage this "
            "booking. They are deleted %(days)d days after the session at the latest, or at "
            "once if I ask."
        ),
        error_messages={"required": _("Tick the box to agree: we need it to keep your place.")},
    )
    # Bot traps: people never see "website"; "started" is signed when the form is shown.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, max_places: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["places"] = forms.IntegerField(
            label=_("Number of places"),
            min_value=1,
            max_value=max_places,
            initial=1,
            help_text=_("At most %(count)d.") % {"count": max_places},
        )
        self.fields["consent"].label = self.fields["consent"].label % {
            "days": settings.BOOKING_RETENTION_DAYS
        }
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time(), salt=STARTED_SALT)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _("This form was filled in by a program, not a person: nothing was booked."),
                code="bot",
            )
        try:
            started = signing.loads(
                self.data.get("started", ""), salt=STARTED_SALT, max_age=MAX_FORM_AGE
            )
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form is too old or was changed: reload the page and try again."),
                code="stale",
            ) from None
        if time.time() - float(started) < settings.BOOKING_MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("The form was sent too fast to be filled in by a person: wait a few seconds "
                  "and send it again."),
                code="too_fast",
            )  # fmt: skip
        return cleaned
