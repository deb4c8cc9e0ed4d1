"""The search's last step: the result cards of a page, read in one statement.

One hand-written statement reads only what a card shows, as plain values, with the matched
words marked (``ts_headline``): building model objects for twenty offers, their centres,
places and formats cost more than the query itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from charter.querysets import IN_FORCE
from offers import search_sql
from offers.bitmaps import binary_cursor

# The text-search configuration of each page language.
CONFIG = {"fr": "french_unaccent", "nl": "dutch_unaccent", "en": "simple_unaccent"}
_MARK_START, _MARK_STOP = "\x02", "\x03"
_HEADLINE_OPTIONS = f"HighlightAll=true, StartSel={_MARK_START}, StopSel={_MARK_STOP}"


@dataclass
class OfferCard:
    """What a result shows of an offer, in the page's language (read without model objects)."""

    pk: int
    title: str
    summary: str
    title_html: SafeString
    summary_html: SafeString
    centre_name: str
    place_name: str
    format_name: str
    next_session: datetime | None
    next_session_label: str
    is_free: bool
    is_anonymous_possible: bool
    booking_need: str
    is_charter_signatory: bool
    url: str  # the offer's page
    distance: float | None = None


def session_labels():
    """A function giving "Next session: Monday 2 March, 14:00" in the page's language.

    The same text as the ``date:"l j F, H:i"`` filter, at a fraction of its cost for a page
    of cards: the day and month names are translated once.
    """
    days = [str(WEEKDAYS[number]) for number in range(7)]
    months = {number: str(name) for number, name in MONTHS.items()}
    text = gettext("Next session: %(when)s")

    def label(moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = timezone.localtime(moment)
        when = f"{days[local.weekday()]} {local.day} {months[local.month]}, {local:%H:%M}"
        return text % {"when": when}

    return label


def _detail_urls():
    """A function giving an offer page's URL: one ``reverse()`` for a whole page of cards."""
    marker = 2_147_483_647
    head, tail = reverse("offers:detail", kwargs={"pk": marker}).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def cards(ids: list[int], text: str) -> list[OfferCard]:
    """The cards of these offers, in this order, with the words of ``text`` marked."""
    if not ids:
        return []
    language = get_language() or "fr"
    language = language if language in CONFIG else "fr"
    with binary_cursor() as cursor:
        cursor.execute(
            search_sql.CARDS[language],
            {
                "ids": ids,
                "now": timezone.now(),
                "in_force": list(IN_FORCE),
                "text": text,
                "config": CONFIG[language],
                "options": _HEADLINE_OPTIONS,
            },
        )
        rows = cursor.fetchall()
    names = list(search_sql.CARD_TEXTS)
    url_of, session_label = _detail_urls(), session_labels()
    by_id = {}
    for row in rows:
        pk, uses_centre_address, is_free, anonymous, booking, next_session, signatory = row[:7]
        *values, title_marked, summary_marked = row[7:]
        text_of = {}
        for position, name in enumerate(names):
            texts = values[3 * position : 3 * position + 3]
            by_language = dict(zip(search_sql.CARD_LANGUAGES, texts, strict=True))
            text_of[name] = next(
                (
                    by_language[code]
                    for code in (language, *search_sql.CARD_LANGUAGES)
                    if by_language[code]
                ),
                "",
            )
        by_id[pk] = OfferCard(
            pk=pk,
            title=text_of["title"],
            summary=text_of["summary"],
            title_html=_marked(title_marked, text_of["title"]),
            summary_html=_marked(summary_marked, text_of["summary"]),
            centre_name=text_of["centre_name"],
            place_name=(not uses_centre_address and text_of["own_place"])
            or text_of["centre_place"],
            format_name=text_of["format_name"],
            next_session=next_session,
            next_session_label=session_label(next_session),
            is_free=is_free,
            is_anonymous_possible=anonymous,
            booking_need=booking,
            is_charter_signatory=signatory,
            url=url_of(pk),
        )
    return [by_id[pk] for pk in ids if pk in by_id]


def _marked(headline: str | None, plain: str) -> SafeString:
    """Escape the text, then turn the headline's markers into <mark> elements."""
    text = headline if headline else (plain or "")
    return mark_safe(  # noqa: S308 - escaped first; only our markers become tags
        escape(text).replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>")
    )
