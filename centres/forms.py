"""Forms of the counsellors' space: the listing, its weekly hours and exceptional days."""

from __future__ import annotations

from django import forms
from django.db import models
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import normalise_email
from centres.models import (
    LANGUAGE_CHOICES,
    Centre,
    ExceptionalDay,
    Membership,
    Municipality,
    OpeningSlot,
    PostalCode,
    Region,
    Role,
)
from guidance_portal.validators import SingleLineCharField


class ListingForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.filter(
            province__region__in=[Region.WALLONIA, Region.BRUSSELS]
        ).order_by("name"),
    )

    class Meta:
        model = Centre
        fields = [
            "description_fr",
            "description_nl",
            "description_en",
            "street",
            "postcode",
            "municipality",
            "phone",
            "email",
            "website",
            "languages",
            "has_step_free_access",
            "has_accessible_toilets",
            "has_induction_loop",
            "offers_sign_language",
            "is_free",
            "is_anonymous_possible",
        ]
        labels = {
            "description_fr": _("Description in French"),
            "description_nl": _("Description in Dutch"),
            "description_en": _("Description in English"),
        }
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 5}),
            "description_nl": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        postcode, municipality = cleaned.get("postcode"), cleaned.get("municipality")
        if postcode and municipality:
            place = PostalCode.objects.filter(code=postcode).select_related("municipality")
            if not place:
                self.add_error(
                    "postcode",
                    _("%(code)s is not a Belgian postcode.") % {"code": postcode},
                )
            elif not any(p.municipality_id == municipality.pk for p in place):
                names = ", ".join(sorted(p.municipality.name for p in place))
                self.add_error(
                    "postcode",
                    _("%(code)s is the postcode of %(names)s, not of %(municipality)s.")
                    % {"code": postcode, "names": names, "municipality": municipality},
                )
        return cleaned


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class OpeningSlotForm(forms.ModelForm):
    class Meta:
        model = OpeningSlot
        fields = ["weekday", "opens", "closes"]
        widgets = {"opens": TimeInput(), "closes": TimeInput()}

    def clean(self) -> dict:
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens and closes and closes <= opens:
            self.add_error(
                "closes",
                _("The closing time (%(closes)s) must be after the opening time (%(opens)s).")
                % {"closes": closes.strftime("%H:%M"), "opens": opens.strftime("%H:%M")},
            )
        return cleaned


class BaseOpeningSlotFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        seen: dict[int, list[tuple]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("opens") or not data.get("closes"):
                continue
            day, period = data["weekday"], (data["opens"], data["closes"])
            if any(period[0] < closes and opens < period[1] for opens, closes in seen.get(day, [])):
                form.add_error("opens", _("This period overlaps another period of the same day."))
            seen.setdefault(day, []).append(period)


class ExceptionalDayForm(forms.ModelForm):
    class Meta:
        model = ExceptionalDay
        fields = ["date", "opens", "closes", "reason"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "opens": TimeInput(),
            "closes": TimeInput(),
        }
        help_texts = {
            "opens": _("Leave both times empty when the centre is closed all day."),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if bool(opens) != bool(closes):
            self.add_error(
                "closes" if opens else "opens",
                _("Give both the opening and the closing time, or neither for a closed day."),
            )
        elif opens and closes and closes <= opens:
            self.add_error("closes", _("The closing time must be after the opening time."))
        return cleaned


OpeningSlotFormSet = inlineformset_factory(
    Centre,
    OpeningSlot,
    form=OpeningSlotForm,
    formset=BaseOpeningSlotFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
    validate_max=True,
)
ExceptionalDayFormSet = inlineformset_factory(
    Centre,
    ExceptionalDay,
    form=ExceptionalDayForm,
    extra=1,
    can_delete=True,
    max_num=60,
    validate_max=True,
)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    full_name = SingleLineCharField(
        label=_("Full name"),
        max_length=150,
        help_text=_(
            "Used when the address has no account yet; an existing account keeps its name."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.COUNSELLOR)

    def __init__(self, *args, centre: Centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if Membership.objects.filter(centre=self.centre, user__email__iexact=email).exists():
            raise forms.ValidationError(_("This person is already a member of the centre."))
        return email


class InvitationAnswer(models.TextChoices):
    ACCEPT = "accept", _("Join the team")
    DECLINE = "decline", _("Decline the invitation")


class InvitationAnswerForm(forms.Form):
    """The invited person's answer: one of the two buttons of the invitation page."""

    answer = forms.ChoiceField(choices=InvitationAnswer.choices)
