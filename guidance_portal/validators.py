"""What a text may contain, decided once for every model and form of the project.

A single-line value (a title, a name, an address, a subject) holds no control character at
all: no line break, tab or NUL (C0 and C1 controls, DEL) and no Unicode line or paragraph
separator. A multi-line value (a description, a note) may break lines and hold tabs, and
nothing else of the kind. Models carry the validators, so ModelForms and the admin refuse the
value with a field error; plain forms use ``SingleLineCharField`` and ``MultiLineCharField``.

Stored text can still come from elsewhere (an older row, a raw update): whatever builds a
header, a subject or a calendar line from it goes through ``one_line``, which never raises.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Unicode category Cc is exactly C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F).
LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


@deconstructible(path="guidance_portal.validators.SingleLineValidator")
class SingleLineValidator:
    message = _(
        "Write this on a single line, without line breaks, tabs or other invisible "
        "control characters."
    )
    code = "single_line"
    pattern = LINE_BREAKING

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and self.pattern.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


@deconstructible(path="guidance_portal.validators.MultiLineValidator")
class MultiLineValidator(SingleLineValidator):
    message = _(
        "Remove the invisible control characters from this text (line breaks and tabs are fine)."
    )
    code = "control_characters"
    pattern = CONTROL_BUT_LINES


single_line = SingleLineValidator()
multi_line = MultiLineValidator()


def text_validators(max_length: int) -> list:
    """A TextField's validators: multi-line text of at most ``max_length`` characters.

    Django checks a TextField's ``max_length`` in its form field only; the validator makes
    ``full_clean`` (services, the admin, a sanitised value) check it too.
    """
    return [multi_line, MaxLengthValidator(max_length)]


def length_checks(
    table: str, field: str, max_length: int, *, translated: bool = False
) -> list[models.CheckConstraint]:
    """Database checks that a TextField never exceeds ``max_length``, whatever writes it
    (a raw update, an import): one per column, the translated ones (``description_fr``…)
    included."""
    columns = [field]
    if translated:
        columns += [f"{field}_{code}" for code, _name in settings.LANGUAGES]
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(column), max_length),
            name=f"{table}_{column}_length",
            violation_error_message=_("This text is too long."),
        )
        for column in columns
    ]


def one_line(value: object, *, limit: int | None = None) -> str:
    """The text on one line: every control character or run of white space becomes one
    space. For headers, subjects and calendar lines built from stored text; never raises."""
    text = _SPACES.sub(" ", LINE_BREAKING.sub(" ", str(value or ""))).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def without_controls(value: object) -> str:
    """The text with its line breaks and tabs, without any other control character."""
    return CONTROL_BUT_LINES.sub("", str(value or ""))


class SingleLineCharField(forms.CharField):
    """A plain form's one-line text: the project's single-line rule is built in."""

    default_validators = [single_line]


class MultiLineCharField(forms.CharField):
    """A plain form's free text (a textarea): line breaks and tabs, no other control."""

    default_validators = [multi_line]
    widget = forms.Textarea
