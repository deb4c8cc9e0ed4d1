"""Reading a page's GET parameters: always through a form, every number bounded.

A query string is typed by anyone, so every value a page uses from ``request.GET`` goes
through a form (or a django-filter FilterSet, whose form is one) that checks it. A value
that cannot be used never breaks the page: it is ignored or corrected, and the page says
so. Numbers are read by fields with a lower and an upper bound (``BoundedIntegerField``),
so no arithmetic on them can overflow; ranges of dates are bounded where they are used
(see ``offers.filters.searched_period``). ``tests/guidance_portal/test_get_sweep.py`` sends
junk to every parameter of these forms on every page that reads them.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _

MAX_PAGE = 10_000
# What a note repeats of a value it ignored: enough to recognise it, never a whole essay.
SHOWN_LENGTH = 40


class BoundedIntegerField(forms.IntegerField):
    """An integer field that must be given both bounds (a forgotten bound is a bug)."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs) -> None:
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": 1}))
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class PageField(BoundedIntegerField):
    """The number of a page of a list: a whole number from 1 to ``MAX_PAGE``."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(min_value=1, max_value=MAX_PAGE, **kwargs)


class PageForm(forms.Form):
    page = PageField()


def shown(value: object) -> str:
    """A typed value as a note may repeat it: shortened, without control characters."""
    text = "".join(
        " " if unicodedata.category(char).startswith("C") else char
        for char in str(value)[:SHOWN_LENGTH]
    )
    return " ".join(text.split())


def asked_page(data: QueryDict, notes: list[str]) -> int:
    """The page number asked for; page 1, with a note, when ``page`` is not a page number."""
    form = PageForm(data)
    if form.is_valid():
        return form.cleaned_data["page"] or 1
    notes.append(
        _("“%(page)s” is not a page number: here is page 1.") % {"page": shown(data.get("page"))}
    )
    return 1


def missing_page_note(asked: int, shown_page: int) -> str:
    return _("Page %(asked)s does not exist; here is page %(shown)s.") % {
        "asked": asked,
        "shown": shown_page,
    }
