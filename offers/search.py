"""The citizens' search: ranked results, facet counts and "did you mean", on the search index.

A search of plain words is answered from the index's bitmaps (``_Sets``, see
``offers.bitmaps``), in the same few statements whatever the page size or the number of
matches:
1. the sets of offers for the words, every facet value, the dates and the places asked for,
   with the start of the date order and, for a word found in no offer, the closest word of
   the register and its sets (``_Sets.load``); Python intersects and counts them, and
   shows the corrected words' results when the typed ones find nothing;
2. only when the page needs it, more of the date order or the offers' positions in it;
3. the result cards with their highlighted words (``_offers``).
A query with operators (a phrase in quotes, ``or``, ``-word``) is answered row by row from
``offers_searchdocument`` instead (``_run_sql``), with the same counts; when it finds
nothing, one look-up in the vocabulary suggests a spelling (``suggest``).

A facet's count is the number of results the page would show with that value chosen: the
other facets' choices apply, its own does not.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from centres.models import LANGUAGE_CHOICES
from centres.querysets import EARTH_RADIUS_KM, KM_PER_DEGREE_LAT
from charter.querysets import IN_FORCE
from offers import bitmaps
from offers.filters import Criteria
from offers.models import Session
from offers.querysets import OVERDUE_GRACE_DAYS

PAGE_SIZE = 20
_TSQUERY = (
    "(websearch_to_tsquery('french_unaccent', %s)"
    " || websearch_to_tsquery('dutch_unaccent', %s)"
    " || websearch_to_tsquery('simple_unaccent', %s))"
)
_CONFIG = {"fr": "french_unaccent", "nl": "dutch_unaccent", "en": "simple_unaccent"}
_MARK_START, _MARK_STOP = "\x02", "\x03"
_HEADLINE_OPTIONS = f"HighlightAll=true, StartSel={_MARK_START}, StopSel={_MARK_STOP}"
# Facet name -> its values are grouped from this column (arrays are unnested).
_GROUPED = {
    "theme": ("theme_ids", True),
    "audience": ("audience_ids", True),
    "format": ("format_id", False),
    "province": ("province_id", False),
    "language": ("languages", True),
}
# Grouped facet values are counted as integers (one hash of ints is far cheaper than of
# text pairs): facet number × _SPAN + the value's id (languages: their position below).
_SPAN = 1_000_000
_LANGUAGE_CODES = [code for code, _label in LANGUAGE_CHOICES]


@dataclass
class Facets:
    total: int = 0
    counts: dict[str, dict] = field(default_factory=dict)

    def count(self, facet: str, value) -> int:
        return self.counts.get(facet, {}).get(value, 0)


@dataclass
class SearchResult:
    criteria: Criteria
    offers: list[OfferCard]
    facets: Facets
    page: int
    page_count: int
    suggestion: str = ""
    searched_text: str = ""

    @property
    def total(self) -> int:
        return self.facets.total


class _Sql:
    """WHERE conditions of a search: those every count shares, and one per chosen facet."""

    def __init__(self, criteria: Criteria, today: date) -> None:
        self.criteria = criteria
        hidden_before = date.fromordinal(today.toordinal() - OVERDUE_GRACE_DAYS)
        self.base: list[tuple[str, list]] = [
            ("(d.review_due IS NULL OR d.review_due >= %s)", [hidden_before])
        ]
        text = criteria.text
        if text:
            self.base.append((f"d.document @@ {_TSQUERY}", [text, text, text]))
        place = criteria.place
        if place is not None:
            radius = float(criteria.radius_km)
            delta_lat = radius / KM_PER_DEGREE_LAT
            delta_lon = radius / (
                KM_PER_DEGREE_LAT * max(math.cos(math.radians(place.latitude)), 0.01)
            )
            self.base.append(
                (
                    "d.latitude BETWEEN %s AND %s AND d.longitude BETWEEN %s AND %s"
                    f" AND {self.distance_sql} <= %s",
                    [
                        place.latitude - delta_lat,
                        place.latitude + delta_lat,
                        place.longitude - delta_lon,
                        place.longitude + delta_lon,
                        *self.distance_params,
                        radius,
                    ],
                )
            )
        self.facets: dict[str, tuple[str, list]] = {}
        if criteria.theme:
            self.facets["theme"] = ("%s = ANY(d.theme_ids)", [criteria.theme.pk])
        if criteria.audience:
            self.facets["audience"] = ("%s = ANY(d.audience_ids)", [criteria.audience.pk])
        if criteria.format:
            self.facets["format"] = ("d.format_id = %s", [criteria.format.pk])
        if criteria.province:
            self.facets["province"] = ("d.province_id = %s", [criteria.province.pk])
        if criteria.mode:
            self.facets["mode"] = self.mode_condition(criteria.mode)
        if criteria.free:
            self.facets["free"] = ("d.is_free", [])
        if criteria.anonymous:
            self.facets["anonymous"] = ("d.is_anonymous_possible", [])
        if criteria.no_booking:
            self.facets["no_booking"] = ("NOT d.needs_booking", [])
        days = criteria.dates(today)
        if days is not None:
            self.facets["when"] = ("d.session_dates && %s::date[]", [days])
        if criteria.language:
            self.facets["language"] = ("%s = ANY(d.languages)", [criteria.language])

    @property
    def distance_sql(self) -> str:
        return (
            "(%s * acos(least(1.0, greatest(-1.0, cos(radians(%s)) * cos(radians(d.latitude))"
            " * cos(radians(d.longitude) - radians(%s)) + sin(radians(%s))"
            " * sin(radians(d.latitude))))))"
        )

    @property
    def distance_params(self) -> list:
        place = self.criteria.place
        return [EARTH_RADIUS_KM, place.latitude, place.longitude, place.latitude]

    @staticmethod
    def mode_condition(mode: str) -> tuple[str, list]:
        """Hybrid offers can be followed on site and online, so both filters find them."""
        if mode == "hybrid":
            return ("d.delivery_mode = 'hybrid'", [])
        return ("d.delivery_mode IN (%s, 'hybrid')", [mode])

    def where(self, *, without: str | None = None) -> tuple[str, list]:
        parts = self.base + [cond for name, cond in self.facets.items() if name != without]
        return " AND ".join(f"({sql})" for sql, _ in parts), [p for _, ps in parts for p in ps]


def search(criteria: Criteria, *, page: int = 1, page_size: int = PAGE_SIZE) -> SearchResult:
    """Run the search; when nothing matches the words, try the closest known spelling."""
    today = timezone.localdate()
    sets = _Sets.load(criteria, today)
    if sets is not None:
        return sets.search(page=page, page_size=page_size)
    # A query with operators (a phrase, or, not), or no bitmaps yet: row by row.
    result = _run_sql(criteria, today, page=page, page_size=page_size)
    if result.total == 0 and criteria.text:
        suggestion = suggest(criteria.text)
        if suggestion and suggestion != criteria.text.lower():
            corrected = _run_sql(
                _replace_text(criteria, suggestion), today, page=page, page_size=page_size
            )
            if corrected.total:
                corrected.suggestion = suggestion
                corrected.searched_text = criteria.text
                return corrected
            result.suggestion = suggestion
    return result


def _replace_text(criteria: Criteria, text: str) -> Criteria:
    from dataclasses import replace

    return replace(criteria, text=text)


def _run_sql(criteria: Criteria, today: date, *, page: int, page_size: int) -> SearchResult:
    """The same search, row by row: for queries the bitmaps cannot answer."""
    sql = _Sql(criteria, today)
    facets = _facets(sql, today)
    page_count = max(1, math.ceil(facets.total / page_size))
    page = min(max(page, 1), page_count)
    ids, distances = _page_ids(sql, offset=(page - 1) * page_size, limit=page_size)
    return _result(criteria, ids, distances, facets, page=page, page_count=page_count)


def _result(criteria, ids, distances, facets, *, page: int, page_count: int) -> SearchResult:
    offers = _offers(ids, criteria.text) if ids else []
    for offer in offers:
        offer.distance = distances.get(offer.pk)
    return SearchResult(criteria, offers, facets, page=page, page_count=page_count)


def _page_ids(sql: _Sql, *, offset: int, limit: int) -> tuple[list[int], dict[int, float]]:
    where, params = sql.where()
    criteria = sql.criteria
    select_distance, distance_params = "NULL", []
    if criteria.place is not None:
        select_distance, distance_params = sql.distance_sql, sql.distance_params
    sort = criteria.effective_sort
    order_params: list = []
    if sort == "relevance" and criteria.text:
        order = f"ts_rank(d.document, {_TSQUERY}, 1) DESC, d.next_session_at ASC NULLS LAST"
        order_params = [criteria.text] * 3
    elif sort == "distance":
        order = "distance ASC, d.next_session_at ASC NULLS LAST"
    else:
        order = "d.next_session_at ASC NULLS LAST, d.published_at DESC"
    query = (
        f"SELECT d.offer_id, {select_distance} AS distance FROM offers_searchdocument d "
        f"WHERE {where} ORDER BY {order}, d.offer_id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*distance_params, *params, *order_params, limit, offset])
        rows = cursor.fetchall()
    return [row[0] for row in rows], {row[0]: row[1] for row in rows if row[1] is not None}


def _facets(sql: _Sql, today: date) -> Facets:
    """The total and all facet counts in one statement over the rows matching the words.

    The matching rows are read once (``m``); each chosen facet becomes a boolean column, so
    "every choice but this facet's" is a cheap AND of columns.
    """
    chosen = list(sql.facets)
    flags = "".join(f", ({cond}) AS f_{name}" for name, (cond, _ps) in sql.facets.items())
    flag_params = [p for _cond, ps in sql.facets.values() for p in ps]
    base_where = " AND ".join(f"({cond})" for cond, _ps in sql.base)
    base_params = [p for _cond, ps in sql.base for p in ps]

    def others(name: str | None) -> str:
        return " AND ".join(f"m.f_{other}" for other in chosen if other != name) or "true"

    # Scalar facets: one pass over m, a FILTER per value.
    scalar: list[tuple[str, str, str, list]] = [("total", "", "true", [])]
    for mode in ("on_site", "online", "hybrid"):
        cond, ps = _Sql.mode_condition(mode)
        scalar.append(("mode", mode, cond.replace("d.", "m."), ps))
    scalar += [
        ("free", "1", "m.is_free", []),
        ("anonymous", "1", "m.is_anonymous_possible", []),
        ("no_booking", "1", "NOT m.needs_booking", []),
    ]
    for when in ("today", "week", "month"):
        days = Criteria(when=when).dates(today)
        scalar.append(("when", when, "m.session_dates && %s::date[]", [days]))
    # How many results each chosen facet hides: what the page shows when it is removed.
    scalar += [("without", name, others(name), []) for name in chosen]

    def counted(name: str, cond: str) -> str:
        if name == "without":
            return f"count(*) FILTER (WHERE {cond})"
        return f"count(*) FILTER (WHERE {others(None if name == 'total' else name)} AND {cond})"

    aggregates = ", ".join(counted(name, cond) for name, _key, cond, _ps in scalar)
    scalar_params = [p for *_rest, ps in scalar for p in ps]

    # Grouped facets: their values, unnested where the column is an array, in one GROUP BY.
    def value_sql(column: str, is_array: bool) -> str:
        if column == "languages":
            return "array_position(%s::text[], unnest(m.languages)::text)"
        return f"unnest(m.{column})" if is_array else f"m.{column}"

    facet_names = list(_GROUPED)
    values = " UNION ALL ".join(
        f"SELECT {index * _SPAN} + {value_sql(column, is_array)} AS k FROM m WHERE {others(facet)}"
        for index, (facet, (column, is_array)) in enumerate(_GROUPED.items())
    )
    value_params = [_LANGUAGE_CODES]
    query = (
        "WITH m AS MATERIALIZED (SELECT d.theme_ids, d.audience_ids, d.format_id, "
        "d.province_id, d.languages, d.delivery_mode, d.is_free, d.is_anonymous_possible, "
        f"d.needs_booking, d.session_dates{flags} FROM offers_searchdocument d "
        f"WHERE {base_where}) "
        f"SELECT -1, ARRAY[{aggregates}]::bigint[] FROM m "
        f"UNION ALL SELECT k, ARRAY[count(*)] FROM ({values}) u GROUP BY k"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*flag_params, *base_params, *scalar_params, *value_params])
        rows = cursor.fetchall()
    facets = Facets()
    for key, numbers in rows:
        if key == -1:
            for (name, value, _cond, _ps), number in zip(scalar, numbers, strict=True):
                if name == "total":
                    facets.total = number
                else:
                    facets.counts.setdefault(name, {})[value] = number
        elif key is not None:
            facet = facet_names[key // _SPAN]
            value = key % _SPAN
            if facet == "language":
                value = _LANGUAGE_CODES[value - 1]
            facets.counts.setdefault(facet, {})[value] = numbers[0]
    return facets


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


def _session_labels():
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


_CARD_LANGUAGES = ("fr", "nl", "en")
# The columns a result card shows, each in the three languages (modeltranslation's columns).
_CARD_TEXTS = {
    "title": "o.title",
    "summary": "o.summary",
    "centre_name": "c.name",
    "centre_place": "cm.name",
    "own_place": "om.name",
    "format_name": "f.name",
}
_CARD_SQL = (
    "WITH q AS (SELECT "
    + _TSQUERY.replace("%s", "%(text)s")
    + " AS tsq)"
    + """
SELECT o.id, o.uses_centre_address, o.is_free, o.is_anonymous_possible, o.booking_need,
    (SELECT min(s.starts_at) FROM offers_session s
     WHERE s.offer_id = o.id AND s.starts_at >= %(now)s AND NOT s.is_cancelled),
    EXISTS (SELECT 1 FROM charter_signature g
            WHERE g.centre_id = o.centre_id AND g.status = ANY(%(in_force)s)),
    {texts}, {marked}
FROM offers_offer o
JOIN centres_centre c ON c.id = o.centre_id
JOIN centres_municipality cm ON cm.id = c.municipality_id
LEFT JOIN centres_municipality om ON om.id = o.municipality_id
JOIN offers_format f ON f.id = o.format_id
CROSS JOIN q
WHERE o.id = ANY(%(ids)s)
"""
)


def _headline(column: str, language: str) -> str:
    """The column in the page's language (else the first filled one), the words marked."""
    own = f"o.{column}_{language}"
    return (
        f"CASE WHEN %(text)s = '' THEN NULL WHEN coalesce({own}, '') <> '' "
        f"THEN ts_headline(%(config)s::regconfig, {own}, q.tsq, %(options)s) "
        f"ELSE ts_headline('french_unaccent', coalesce(nullif(o.{column}_fr, ''), "
        f"nullif(o.{column}_nl, ''), o.{column}_en, ''), q.tsq, %(options)s) END"
    )


@functools.cache
def _card_sql(language: str) -> str:
    texts = ", ".join(
        f"{column}_{code}" for column in _CARD_TEXTS.values() for code in _CARD_LANGUAGES
    )
    marked = ", ".join(_headline(column, language) for column in ("title", "summary"))
    return _CARD_SQL.format(texts=texts, marked=marked)


def _offers(ids: list[int], text: str) -> list[OfferCard]:
    """The page's offers in the ranked order, with the matched words marked (one query).

    One hand-written statement reads only what a result card shows, as plain values (the
    same text for every page, so PostgreSQL keeps its plan): building model objects for
    twenty offers, their centres, places and formats cost more than the query itself.
    """
    language = get_language() or "fr"
    language = language if language in _CONFIG else "fr"
    with bitmaps.binary_cursor() as cursor:
        cursor.execute(
            _card_sql(language),
            {
                "ids": ids,
                "now": timezone.now(),
                "in_force": list(IN_FORCE),
                "text": text,
                "config": _CONFIG[language],
                "options": _HEADLINE_OPTIONS,
            },
        )
        rows = cursor.fetchall()
    order = list(_CARD_TEXTS)
    url_of, session_label = _detail_urls(), _session_labels()
    by_id = {}
    for row in rows:
        pk, uses_centre_address, is_free, anonymous, booking, next_session, signatory = row[:7]
        *values, title_marked, summary_marked = row[7:]
        text_of = {}
        for position, name in enumerate(order):
            texts = values[3 * position : 3 * position + 3]
            by_language = dict(zip(_CARD_LANGUAGES, texts, strict=True))
            text_of[name] = next(
                (by_language[code] for code in (language, *_CARD_LANGUAGES) if by_language[code]),
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


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def suggest(text: str) -> str:
    """The query with each unknown word replaced by the closest word of the register."""
    words = _WORD.findall(text.lower())
    if not words:
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT w.position, coalesce(known.word, close.word, w.input)
            FROM unnest(%s::text[]) WITH ORDINALITY AS w(input, position)
            LEFT JOIN offers_searchword known ON known.word = unaccent(w.input)
            LEFT JOIN LATERAL (
                SELECT s.word FROM offers_searchword s
                WHERE length(w.input) >= 3 AND s.word %% unaccent(w.input)
                ORDER BY s.word <-> unaccent(w.input), s.word LIMIT 1
            ) close ON known.word IS NULL
            ORDER BY w.position
            """,
            [words],
        )
        corrected = [row[1] for row in cursor.fetchall()]
    suggestion = " ".join(corrected)
    return suggestion if suggestion != " ".join(words) else ""


def agenda(
    criteria: Criteria, *, page: int = 1, page_size: int = 50
) -> tuple[list[Session], int, int, int]:
    """Upcoming sessions of the findable offers matching the criteria, soonest first.

    Returns the page's sessions, their total, the page shown and the number of pages
    (two queries for the ids and the total, one for the sessions).
    """
    today = timezone.localdate()
    sql = _Sql(criteria, today)
    where, params = sql.where(without="when")
    conditions = ["NOT s.is_cancelled", "s.starts_at >= %s"]
    extra: list = [timezone.now()]
    start, end = criteria.date_range(today)
    if start is not None:
        zone = timezone.get_default_timezone()
        conditions += ["s.starts_at >= %s", "s.starts_at < %s"]
        extra += [
            datetime.combine(start, time.min, zone),
            datetime.combine(end + timedelta(days=1), time.min, zone),
        ]
    joined = (
        "FROM offers_session s JOIN offers_searchdocument d ON d.offer_id = s.offer_id "
        f"WHERE {where} AND {' AND '.join(conditions)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {joined}", [*params, *extra])
        total = cursor.fetchone()[0]
        page_count = max(1, math.ceil(total / page_size))
        page = min(max(page, 1), page_count)
        cursor.execute(
            f"SELECT s.id {joined} ORDER BY s.starts_at, s.id LIMIT %s OFFSET %s",
            [*params, *extra, page_size, (page - 1) * page_size],
        )
        ids = [row[0] for row in cursor.fetchall()]
    sessions = (
        Session.objects.filter(pk__in=ids)
        .select_related("offer__centre__municipality", "offer__format", "offer__municipality")
        .order_by("starts_at", "pk")
    )
    return list(sessions), total, page, page_count


# --- The bitmap path (see offers.bitmaps) ------------------------------------------------

_QUOTED = re.compile(r"'((?:[^'\\]|''|\\.)*)'")
_PLAIN_AND = re.compile(r"^(?:L(?: & L)*)?$")
# A tier is walked along the date order when its page is expected within this many steps
# (or it has more offers than steps); otherwise its offers are sorted by their position.
_WALK_AT_MOST = 4000
# How much of the date order the first statement reads (offer ids): a page that can be
# walked within it needs no second statement.
_ORDER_READ_FIRST = 4096
# Tiers to sort with at most this many offers in all are sorted by their documents, not by
# reading every offer's position.
_SORT_IN_SQL_AT_MOST = 1000
_SINGLE_KEYS = {"free": "f:free", "anonymous": "f:anonymous", "no_booking": "f:no_booking"}


def _lexemes(tsquery: str) -> list[str] | None:
    """The words of a query that only ANDs words, or None when it has other operators."""
    if not _PLAIN_AND.match(_QUOTED.sub("L", tsquery.strip())):
        return None
    return [re.sub(r"\\(.)", r"\1", word.replace("''", "'")) for word in _QUOTED.findall(tsquery)]


class _Sets:
    """A search answered with the bitmaps: one statement to read them, Python to combine."""

    def __init__(self, criteria: Criteria, today: date) -> None:
        self.criteria = criteria
        self.today = today
        self.bits: dict[str, int] = {}
        self.places: list[tuple[float, str]] = []  # (distance, key) within the radius
        self.place_ids: dict[str, numpy.ndarray] = {}
        self.order_start: numpy.ndarray = _NO_IDS
        self.hidden = 0  # offers hidden for an overdue review
        self.words: list[list[str]] = []  # the lexemes of the words, one list per configuration
        self.suggestion = ""  # the words, spelled as in the register, when some are not
        self.fixed_words: list[list[str]] | None = None  # the lexemes of the suggestion

    @classmethod
    def load(cls, criteria: Criteria, today: date) -> _Sets | None:
        sets = cls(criteria, today)
        return sets if sets._read() else None

    # Reading -------------------------------------------------------------------------------

    def _date_keys(self, start: date, end: date) -> list[str]:
        """The day and month keys whose union is the offers with a session in [start, end].

        The index holds upcoming sessions only (a session leaves it once started, see
        ``refresh_past_sessions``), so from today to the end of this month is the month's key:
        "this month" reads one set rather than up to 31.
        """
        keys, day = [], start
        while day <= end:
            next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            whole = day.day == 1 or day == self.today
            if whole and next_month - timedelta(days=1) <= end:
                keys.append(f"m:{day:%Y-%m}")
                day = next_month
            else:
                keys.append(f"d:{day:%Y-%m-%d}")
                day += timedelta(days=1)
        return keys

    def _read(self) -> bool:
        criteria, today = self.criteria, self.today
        self.when_keys = {
            when: self._date_keys(*Criteria(when=when).date_range(today))
            for when in ("today", "week", "month")
        }
        start, end = criteria.date_range(today)
        self.chosen_when = self._date_keys(start, end) if start is not None else None
        keys = {"all"} | {k for ks in self.when_keys.values() for k in ks}
        keys |= set(self.chosen_when or ())
        params: dict = {
            "text": criteria.text,
            "has_text": bool(criteria.text),
            "keys": sorted(keys),
            "hidden_before": date.fromordinal(today.toordinal() - OVERDUE_GRACE_DAYS),
        }
        near = ""
        if criteria.place is not None:
            # The places within the radius: their key holds their coordinates.
            sql = _Sql(criteria, today)
            where, near_params = sql.base[-1]
            # (A row's set is read only once its place passed the filter.)
            near = (
                " UNION ALL SELECT d.key, d.kind, d.data, NULL, ARRAY[d.distance] FROM ("
                f" SELECT d.key, d.kind, d.data, {sql.distance_sql} AS distance FROM ("
                "  SELECT key, kind, data, split_part(key, ':', 2)::float8 AS latitude,"
                "   split_part(key, ':', 3)::float8 AS longitude"
                "  FROM offers_searchbitmap WHERE key >= %(band_from)s AND key < %(band_to)s) d"
                f" WHERE {where}) d"
            )
            for index, value in enumerate([*sql.distance_params, *near_params]):
                near = near.replace("%s", f"%(near{index})s", 1)
                params[f"near{index}"] = value
            # Keys sort by latitude (two digits before the point here): only the band of
            # latitudes the radius reaches is read.
            low, high = near_params[0], near_params[1]
            if low >= 10 and high < 100:
                params["band_from"], params["band_to"] = f"p:{low:.6f}", f"p:{high:.6f};"
            else:
                params["band_from"], params["band_to"] = "p:", "p;"
        params["words"] = _WORD.findall(criteria.text.lower())
        query = (
            "WITH configs(n, config) AS (VALUES (1, 'french_unaccent'::regconfig),"
            " (2, 'dutch_unaccent'::regconfig), (3, 'simple_unaccent'::regconfig)"
            "), q(n, tsq) AS ("
            " SELECT n, websearch_to_tsquery(config, %(text)s)::text FROM configs"
            " WHERE %(has_text)s"
            # "Did you mean": each word found in no offer (in no configuration) and unknown
            # to the register's vocabulary is replaced by the closest word of it.
            "), fixed AS ("
            " SELECT string_agg(coalesce(close.word, w.input), ' ' ORDER BY w.position) AS text,"
            "  bool_or(close.word IS NOT NULL) AS changed"
            " FROM unnest(%(words)s::text[]) WITH ORDINALITY AS w(input, position)"
            " LEFT JOIN LATERAL (SELECT s.word FROM offers_searchword s"
            "  WHERE length(w.input) >= 3"
            "  AND NOT EXISTS (SELECT FROM offers_searchword k WHERE k.word = unaccent(w.input))"
            "  AND NOT EXISTS (SELECT FROM offers_searchbitmap b WHERE b.key = ANY(ARRAY("
            "   SELECT 'w:' || unnest(tsvector_to_array(to_tsvector(config, w.input)))"
            "   FROM configs)))"
            "  AND s.word %% unaccent(w.input)"
            "  ORDER BY s.word <-> unaccent(w.input), s.word LIMIT 1) close ON true"
            "), every_q AS ("
            " SELECT n, tsq FROM q UNION ALL"
            " SELECT 3 + n, websearch_to_tsquery(config, fixed.text)::text FROM configs, fixed"
            " WHERE fixed.changed"
            "), lexemes AS ("
            " SELECT DISTINCT unnest(tsvector_to_array(tsq::tsvector)) AS lexeme FROM every_q"
            ") "
            "SELECT 'q:' || n, tsq, NULL::bytea, NULL::bigint[], NULL::float8[] FROM every_q "
            "UNION ALL SELECT 'fix', text, NULL, NULL, NULL FROM fixed WHERE changed "
            "UNION ALL SELECT b.key, b.kind, b.data, NULL, NULL FROM offers_searchbitmap b"
            " WHERE b.key = ANY(ARRAY(SELECT unnest(%(keys)s::text[]) UNION ALL"
            "  SELECT prefix || lexeme FROM lexemes, unnest(ARRAY['w:', 't:']) AS prefix)) "
            "UNION ALL SELECT b.key, b.kind, b.data, NULL, NULL FROM offers_searchbitmap b"
            " WHERE b.key LIKE 'f:%%' "
            "UNION ALL SELECT 'hidden', NULL, NULL, array_agg(d.offer_id), NULL"
            " FROM offers_searchdocument d WHERE d.review_due < %(hidden_before)s "
            # The start of the date order: enough to walk to most first pages.
            "UNION ALL SELECT 'order', NULL, substring(b.data from 1 for %(order_bytes)s::int),"
            " NULL, NULL FROM offers_searchbitmap b WHERE b.key = %(order_key)s" + near
        )
        params["order_bytes"], params["order_key"] = 4 * _ORDER_READ_FIRST, bitmaps.ORDER_KEY
        queries: dict[int, list[str] | None] = {}
        with bitmaps.binary_cursor() as cursor:
            cursor.execute(query, params)
            for key, kind, data, ids, distances in cursor.fetchall():
                if key.startswith("q:"):
                    queries[int(key[2:])] = _lexemes(kind)
                elif key == "fix":
                    self.suggestion = kind
                elif key == "hidden":
                    self.hidden = bitmaps.from_ids(ids or ())
                elif key == "order":
                    self.order_start = bitmaps.order_of(bytes(data or b""))
                elif distances:  # a place: its offers stay a list (most places have few)
                    data = bytes(data)
                    self.place_ids[key] = (
                        bitmaps.ids_of_list(data)
                        if kind == "l"
                        else bitmaps.members(bitmaps.decode(kind, data))
                    )
                    self.places.append((distances[0], key))
                else:
                    self.bits[key] = bitmaps.decode(kind, bytes(data))
        self.places.sort()
        typed = [queries.get(n) for n in (1, 2, 3) if n in queries]
        if "all" not in self.bits or any(words is None for words in typed):
            return False
        self.words = [words for words in typed if words]
        fixed = [queries.get(n) for n in (4, 5, 6) if n in queries]
        self.fixed_words = None if any(words is None for words in fixed) else fixed
        return True

    def search(self, *, page: int, page_size: int) -> SearchResult:
        """The page of results; when nothing matches the words, those of the correction."""
        sets, facets = self, self.facets()
        searched = ""
        if not facets.total and self.suggestion and self.fixed_words is not None:
            corrected = copy.copy(self)
            corrected.criteria = _replace_text(self.criteria, self.suggestion)
            corrected.words = [words for words in self.fixed_words if words]
            corrected_facets = corrected.facets()
            if corrected_facets.total:
                sets, facets, searched = corrected, corrected_facets, self.criteria.text
        page_count = max(1, math.ceil(facets.total / page_size))
        page = min(max(page, 1), page_count)
        ids, distances = sets.page_ids(offset=(page - 1) * page_size, limit=page_size)
        result = _result(sets.criteria, ids, distances, facets, page=page, page_count=page_count)
        if not facets.total or searched:
            result.suggestion, result.searched_text = self.suggestion, searched
        return result

    # Combining -----------------------------------------------------------------------------

    def _get(self, key: str) -> int:
        return self.bits.get(key, 0)

    def _union(self, keys) -> int:
        bits = 0
        for key in keys:
            bits |= self._get(key)
        return bits

    def _facet_sets(self) -> dict[str, int]:
        """The set each chosen facet keeps."""
        criteria, chosen = self.criteria, {}
        if criteria.theme:
            chosen["theme"] = self._get(f"f:theme:{criteria.theme.pk}")
        if criteria.audience:
            chosen["audience"] = self._get(f"f:audience:{criteria.audience.pk}")
        if criteria.format:
            chosen["format"] = self._get(f"f:format:{criteria.format.pk}")
        if criteria.province:
            chosen["province"] = self._get(f"f:province:{criteria.province.pk}")
        if criteria.mode:
            chosen["mode"] = self._mode(criteria.mode)
        for name, key in _SINGLE_KEYS.items():
            if getattr(criteria, name):
                chosen[name] = self._get(key)
        if self.chosen_when is not None:
            chosen["when"] = self._union(self.chosen_when)
        if criteria.language:
            chosen["language"] = self._get(f"f:language:{criteria.language}")
        return chosen

    def _mode(self, mode: str) -> int:
        """Hybrid offers can be followed on site and online, so both filters find them."""
        hybrid = self._get("f:mode:hybrid")
        return hybrid if mode == "hybrid" else self._get(f"f:mode:{mode}") | hybrid

    def _text(self) -> tuple[int, int, int]:
        """The offers matching the words, those with all of them and any in the title."""
        if not self.criteria.text:
            return self._get("all"), 0, 0
        matching = all_in_title = any_in_title = 0
        for words in self.words:
            found, titled = -1, -1
            for word in words:
                found &= self._get(f"w:{word}")
                titled &= self._get(f"t:{word}")
                any_in_title |= self._get(f"t:{word}")
            matching |= found
            all_in_title |= titled
        return matching, all_in_title, any_in_title

    def facets(self) -> Facets:
        matching, self.all_in_title, self.any_in_title = self._text()
        base = matching & ~self.hidden & self._get("all")
        if self.criteria.place is not None:
            base &= bitmaps.from_ids(numpy.concatenate([*self.place_ids.values(), _NO_IDS]))
        chosen = self._facet_sets()

        def others(name: str | None) -> int:
            bits = base
            for other, kept in chosen.items():
                if other != name:
                    bits &= kept
            return bits

        self.result = others(None)
        facets = Facets(total=self.result.bit_count())
        counts = facets.counts
        for prefix, facet in (
            ("f:theme:", "theme"),
            ("f:audience:", "audience"),
            ("f:format:", "format"),
            ("f:province:", "province"),
            ("f:language:", "language"),
        ):
            scope = others(facet)
            for key, bits in self.bits.items():
                if key.startswith(prefix):
                    value = key[len(prefix) :]
                    number = (scope & bits).bit_count()
                    if number:
                        counts.setdefault(facet, {})[
                            value if facet == "language" else int(value)
                        ] = number
        scope = others("mode")
        counts["mode"] = {
            mode: (scope & self._mode(mode)).bit_count() for mode in ("on_site", "online", "hybrid")
        }
        for name, key in _SINGLE_KEYS.items():
            counts[name] = {"1": (others(name) & self._get(key)).bit_count()}
        scope = others("when")
        counts["when"] = {
            when: (scope & self._union(keys)).bit_count() for when, keys in self.when_keys.items()
        }
        counts["without"] = {name: others(name).bit_count() for name in chosen}
        return facets

    # Ordering ------------------------------------------------------------------------------

    def page_ids(self, *, offset: int, limit: int) -> tuple[list[int], dict[int, float]]:
        """The page's offer ids, in the page's order, and their distances when near a place.

        The results are cut into tiers, each in date order: by distance, one tier per place,
        nearest first; by relevance, the offers with every word in their title, then with
        some, then the rest.
        """
        criteria = self.criteria
        distance_of: dict[int, float] = {}
        if criteria.effective_sort == "distance":
            found = bitmaps.flags_of(self.result)

            def at(key: str, distance: float) -> int:
                here = _within(self.place_ids[key], found)
                distance_of.update(dict.fromkeys(here.tolist(), distance))
                return bitmaps.from_ids(here)

            tiers = ((at(key, distance), distance) for distance, key in self.places)
        elif criteria.effective_sort == "relevance" and criteria.text:
            tiers = iter(
                [
                    (self.result & self.all_in_title, None),
                    (self.result & self.any_in_title & ~self.all_in_title, None),
                    (self.result & ~self.any_in_title, None),
                ]
            )
        else:
            tiers = iter([(self.result, None)])
        wanted = []  # (tier, its size, how many to skip, how many to take)
        skip, left = offset, limit
        for tier, _distance in tiers:
            size = tier.bit_count()
            if skip >= size:
                skip -= size
                continue
            take = min(left, size - skip)
            wanted.append((tier, size, skip, take))
            skip, left = 0, left - take
            if not left:
                break
        ids = self._in_order(wanted) if wanted else []
        if self.places and not distance_of:  # near a place, in another order
            page = numpy.asarray(ids, dtype=numpy.int64)
            for distance, key in self.places:
                for n in numpy.intersect1d(page, self.place_ids[key]).tolist():
                    distance_of[n] = distance
        return ids, distance_of

    def _in_order(self, wanted: list[tuple[int, int, int, int]]) -> list[int]:
        """Each tier's slice in date order, read in at most one more statement.

        A tier whose slice is expected within the first steps of the date order is walked
        along it; any other is sorted by its offers' positions in that order: asked of the
        documents when the tiers are small, else read from ``r:date``.
        """
        all_count = self._get("all").bit_count() or 1
        prefix, to_sort = 0, []
        for tier, size, skip, take in wanted:
            steps = math.ceil((skip + take) * all_count / size)
            if steps > _WALK_AT_MOST and size < steps:
                to_sort.append(bitmaps.members(tier))
            else:
                to_sort.append(None)
                prefix = max(prefix, min(math.ceil(steps * 1.5) + 1000, all_count))
        sorting = [members for members in to_sort if members is not None]
        few = numpy.concatenate([*sorting, _NO_IDS]) if sorting else _NO_IDS
        read = {
            "prefix": prefix > len(self.order_start),
            "rank": len(few) > _SORT_IN_SQL_AT_MOST,
            "few": 0 < len(few) <= _SORT_IN_SQL_AT_MOST,
        }
        order, rank = self.order_start, _NO_IDS
        if any(read.values()):
            with bitmaps.binary_cursor() as cursor:
                cursor.execute(
                    "SELECT (SELECT substring(data from 1 for %(bytes)s::int)"
                    " FROM offers_searchbitmap WHERE key = %(order)s AND %(read_prefix)s),"
                    " (SELECT data FROM offers_searchbitmap WHERE key = %(rank)s"
                    " AND %(read_rank)s),"
                    " ARRAY(SELECT d.offer_id FROM offers_searchdocument d"
                    f" WHERE d.offer_id = ANY(%(few)s) ORDER BY {bitmaps.DATE_ORDER})",
                    {
                        "bytes": prefix * 4,
                        "order": bitmaps.ORDER_KEY,
                        "rank": bitmaps.RANK_KEY,
                        "read_prefix": read["prefix"],
                        "read_rank": read["rank"],
                        "few": few.tolist() if read["few"] else [],
                    },
                )
                order_prefix, rank_data, ordered = cursor.fetchone()
            if read["prefix"]:
                order = bitmaps.order_of(bytes(order_prefix or b""))
            if read["rank"]:
                rank = bitmaps.rank_of(bytes(rank_data or b""))
            elif ordered:  # the positions of the few offers to sort
                ordered = numpy.asarray(ordered, dtype=numpy.int64)
                rank = numpy.full(int(ordered.max()) + 1, len(ordered), dtype=numpy.int64)
                rank[ordered] = numpy.arange(len(ordered))
        ids: list[int] = []
        for (tier, _size, skip, take), members in zip(wanted, to_sort, strict=True):
            if members is not None:
                members = members[members < len(rank)]
                members = members[numpy.argsort(rank[members], kind="stable")]
                ids += members[skip : skip + take].tolist()
            else:
                found = self._walk(order, tier, skip, take)
                if len(found) < take and len(order) < all_count:  # the prefix was too short
                    found = self._walk(self._whole_order(), tier, skip, take)
                ids += found
        return ids

    @staticmethod
    def _walk(order: numpy.ndarray, members: int, skip: int, take: int) -> list[int]:
        """The members met along ``order``, from the ``skip``-th, at most ``take``."""
        return _within(order, bitmaps.flags_of(members))[skip : skip + take].tolist()

    @staticmethod
    def _whole_order():
        with bitmaps.binary_cursor() as cursor:
            cursor.execute(
                "SELECT data FROM offers_searchbitmap WHERE key = %s", [bitmaps.ORDER_KEY]
            )
            row = cursor.fetchone()
        return bitmaps.order_of(bytes(row[0])) if row else _NO_IDS


_NO_IDS = numpy.zeros(0, dtype=numpy.int32)


def _within(ids: numpy.ndarray, flags: numpy.ndarray) -> numpy.ndarray:
    """The ids whose flag is set, in their order."""
    ids = ids[ids < len(flags)]
    return ids[flags[ids]]
