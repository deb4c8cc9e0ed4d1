"""Every text field of every model of the project is bounded and follows the one text rule:
a CharField is single-line (or, for the few typed in a textarea, multi-line), a TextField is
multi-line with a maximum length that ``full_clean`` checks. A new field without them fails
here, so the next title cannot take a line break and the next description cannot take a
million characters."""

import pytest
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models

from guidance_portal.validators import MultiLineValidator, SingleLineValidator

OUR_APPS = ["accounts", "guidance_portal", "centres", "charter", "offers"]
# Written by SQL from rows that were validated; never typed.
DERIVED = {"SearchDocument", "SearchBitmap", "SearchWord"}
# Typed in a textarea, stored in a bounded CharField.
MULTI_LINE_CHARFIELDS = {("Booking", "accessibility_needs")}


def text_fields():
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            historical = hasattr(model, "instance_type")  # simple-history's copies
            if model.__name__ in DERIVED or historical:
                continue
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField):
                    continue
                if not field.editable or field.name == "password":  # a hash, set by Django
                    continue
                yield pytest.param(model, field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize(("model", "field"), list(text_fields()))
def test_every_text_field_is_bounded_and_follows_the_text_rule(model, field):
    rules = {type(validator) for validator in field.validators}
    assert field.max_length, "a text field needs a maximum length"
    if isinstance(field, models.TextField):
        assert MultiLineValidator in rules
        assert any(
            isinstance(v, MaxLengthValidator) and v.limit_value == field.max_length
            for v in field.validators
        ), "full_clean must check a TextField's maximum length"
    elif (model.__name__, field.name) in MULTI_LINE_CHARFIELDS:
        assert MultiLineValidator in rules
    else:
        assert SingleLineValidator in rules


def test_the_rule_covers_the_translated_columns_too():
    offer = apps.get_model("offers", "Offer")
    for name in ("title_fr", "title_nl", "title_en", "description_nl"):
        field = offer._meta.get_field(name)
        assert {SingleLineValidator, MultiLineValidator} & {type(v) for v in field.validators}
