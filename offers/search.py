"""The citizens' search, one path for every query: sets → parse → match → counts → order → cards.

1. ``read_index``: one statement parses what was typed in each text-search configuration
   (quotes, ``or`` and ``-word`` included), finds the closest spelling of any word found in
   no offer, and reads the sets of offers (``offers.bitmaps``) for those words, every facet
   value, the date buckets, the days and months asked for and the places within the radius.
2. ``parse_query``: PostgreSQL's tsquery text becomes a tree per configuration
   (``offers.tsquery``).
3. ``match``: the trees are evaluated on the sets; a phrase is checked in SQL on the offers
   holding all its words, only when there is one.
4. ``count``: the facet counts (a facet counts as if its value were chosen, every other
   choice applying) and the results; when the typed words find nothing, their correction
   is tried the same way.
5. ``plan_page`` and ``order_page``: the results are cut into tiers (every word in a title,
   some, the rest; or place by place, nearest first), each walked bucket by bucket in date
   order until the page is reached; one statement orders the one or two buckets the page
   falls in.
6. ``cards`` (``offers.search_cards``): one statement reads the page's cards.

Two or three statements a page whatever the number of matches (one more for a phrase, one
fewer when nothing is found). When the index was never built (a new database), the page says
so and a rebuild is queued, once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from pyroaring import BitMap

from centres.querysets import EARTH_RADIUS_KM, KM_PER_DEGREE_LAT
from offers import bitmaps, search_sql, tsquery
from offers.bitmaps import binary_cursor
from offers.filters import Criteria
from offers.models import Session
from offers.search_cards import OfferCard, cards
from offers.tasks import queue_rebuild

PAGE_SIZE = 20
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A tier with at most this many offers is ordered whole, without walking the buckets.
_ORDER_WHOLE_AT_MOST = 100
# Facets counted value by value from the sets whose key starts with their prefix.
_VALUE_PREFIXES = {
    "theme": "f:theme:",
    "audience": "f:audience:",
    "format": "f:format:",
    "province": "f:province:",
    "language": "f:language:",
}
_FLAGS = {"free": "f:free", "anonymous": "f:anonymous", "no_booking": "f:no_booking"}
MODES = ("on_site", "online", "hybrid")
WHEN = ("today", "week", "month")

__all__ = ["PAGE_SIZE", "Agenda", "Facets", "OfferCard", "SearchResult", "agenda", "search"]


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
    is_index_building: bool = False  # the index was never built: a rebuild is queued

    @property
    def total(self) -> int:
        return self.facets.total


def search(criteria: Criteria, *, page: int = 1, page_size: int = PAGE_SIZE) -> SearchResult:
    """The page of results, its facet counts and, when nothing matches, a spelling."""
    today = timezone.localdate()
    index = read_index(criteria, today)
    if not index.is_built:
        queue_rebuild()
        return SearchResult(criteria, [], Facets(), page=1, page_count=1, is_index_building=True)
    values, chosen = facet_values(index, today), chosen_sets(criteria, index, today)
    found = match(parse_query(index.typed, text=criteria.text), index)
    result, facets = count(found.offers & index.nearby, values, chosen)
    shown, suggestion, searched = criteria, "", ""
    if criteria.text and not facets.total and index.correction:
        suggestion = index.correction
        fixed = match(parse_query(index.corrected, text=suggestion), index)
        fixed_result, fixed_facets = count(fixed.offers & index.nearby, values, chosen)
        if fixed_facets.total:
            found, result, facets = fixed, fixed_result, fixed_facets
            shown, searched = replace(criteria, text=suggestion), criteria.text
    page_count = max(1, math.ceil(facets.total / page_size))
    page = min(max(page, 1), page_count)
    segments = plan_page(
        tiers(shown, result, found, index),
        index.buckets(),
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    ids = order_page(segments)
    offers = cards(ids, shown.text)
    distance_of = _distances(ids, index.places)
    for offer in offers:
        offer.distance = distance_of.get(offer.pk)
    return SearchResult(
        shown,
        offers,
        facets,
        page=page,
        page_count=page_count,
        suggestion=suggestion,
        searched_text=searched,
    )


# 1. Sets ---------------------------------------------------------------------------------


@dataclass
class Place:
    key: str
    distance: float  # km from the place asked for
    offers: BitMap


@dataclass
class IndexSets:
    """What the first statement read: the parsed text, its correction and the sets."""

    typed: list[str]  # tsquery text of the typed words, per configuration
    correction: str  # the typed words, unknown ones replaced by the closest word ('': none)
    corrected: list[str]  # tsquery text of the correction, per configuration
    stored: dict[str, bytes]  # the sets read, as stored (deserialised when first used)
    places: list[Place]  # within the radius, nearest first ([] when no place is asked for)
    is_near: bool = False
    _sets: dict[str, BitMap] = field(default_factory=dict, repr=False)

    def get(self, key: str) -> BitMap:
        """The set of a key (empty when the index has none)."""
        if key not in self._sets:
            self._sets[key] = bitmaps.load(self.stored.get(key))
        return self._sets[key]

    def union(self, keys) -> BitMap:
        return BitMap.union(BitMap(), *(self.get(key) for key in keys))

    @property
    def is_built(self) -> bool:
        return bitmaps.BUILT in self.stored

    @property
    def universe(self) -> BitMap:
        """Every findable offer."""
        return self.get(bitmaps.ALL)

    @property
    def nearby(self) -> BitMap:
        """The offers within the radius of the place asked for (all without a place)."""
        if "nearby" not in self._sets:
            self._sets["nearby"] = (
                BitMap.union(BitMap(), *(place.offers for place in self.places))
                if self.is_near
                else self.universe
            )
        return self._sets["nearby"]

    def keys(self, prefix: str) -> list[str]:
        return [key for key in self.stored if key.startswith(prefix)]

    def keys_between(self, ranges: list[tuple[str, str]]) -> list[str]:
        return [key for key in self.stored if any(low <= key <= high for low, high in ranges)]

    def buckets(self) -> Iterable[BitMap]:
        """The date buckets in date order (see ``offers.bitmaps``), read as they are walked."""
        return _Buckets(self, bitmaps.date_buckets(self.keys("n:")))


@dataclass
class _Buckets:
    index: IndexSets
    keys: list[str]

    def __iter__(self) -> Iterator[BitMap]:
        return (self.index.get(key) for key in self.keys)


def read_index(criteria: Criteria, today: date) -> IndexSets:
    """Step 1: one statement (``search_sql.READ_INDEX``)."""
    spans = [span for span in date_spans(criteria, today).values() if span]
    ranges = [key_range for span in spans for key_range in span]
    params = {
        "text": criteria.text,
        "words": _WORD.findall(criteria.text.lower()),
        "keys": [bitmaps.ALL, bitmaps.BUILT],
        "ranges_from": [low for low, _high in ranges],
        "ranges_to": [high for _low, high in ranges],
        **_near_params(criteria),
    }
    with binary_cursor() as cursor:
        cursor.execute(search_sql.READ_INDEX, params)
        (typed, correction, corrected, keys, data, place_keys, distances, place_data) = (
            cursor.fetchone()
        )
    return IndexSets(
        typed=list(typed),
        correction=correction or "",
        corrected=list(corrected),
        stored=dict(zip(keys, data, strict=True)),
        places=[
            Place(key, distance, bitmaps.load(stored))
            for key, distance, stored in zip(place_keys, distances, place_data, strict=True)
        ],
        is_near=criteria.place is not None,
    )


def _near_params(criteria: Criteria) -> dict:
    """The place asked for, its radius, the box around it and the band of keys to read."""
    place = criteria.place
    if place is None:
        return {
            "is_near": False,
            "band_from": "p:",
            "band_to": "p:",
            **dict.fromkeys(("south", "north", "west", "east", "radius"), 0.0),
            "earth_radius": EARTH_RADIUS_KM,
            "latitude": 0.0,
            "longitude": 0.0,
        }
    radius = float(criteria.radius_km)
    delta_lat = radius / KM_PER_DEGREE_LAT
    delta_lon = radius / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(place.latitude)), 0.01))
    south, north = place.latitude - delta_lat, place.latitude + delta_lat
    # Keys sort by latitude when it has two digits before the point (all of Belgium).
    band = (f"p:{south:.6f}", f"p:{north:.6f};") if south >= 10 and north < 100 else ("p:", "p;")
    return {
        "is_near": True,
        "band_from": band[0],
        "band_to": band[1],
        "south": south,
        "north": north,
        "west": place.longitude - delta_lon,
        "east": place.longitude + delta_lon,
        "radius": radius,
        "earth_radius": EARTH_RADIUS_KM,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }


def date_spans(criteria: Criteria, today: date) -> dict[str, list[tuple[str, str]]]:
    """The key ranges of each period counted ("today", "week", "month") and chosen."""
    spans = {when: key_ranges(*Criteria(when=when).date_range(today), today) for when in WHEN}
    start, end = criteria.date_range(today)
    spans["chosen"] = key_ranges(start, end, today) if start is not None else []
    return spans


def key_ranges(start: date, end: date, today: date) -> list[tuple[str, str]]:
    """Key ranges whose sets' union is the offers with an upcoming session in [start, end].

    Whole months are read as their month's set; from today to the end of a month counts as
    whole, since the index holds no past day (``refresh_past_sessions``). Any date up to
    ``date.max`` is safe.
    """
    first_whole = start if start.day == 1 or start == today else _next_month(start)
    last_whole = end if _is_month_end(end) else end.replace(day=1) - timedelta(days=1)
    if first_whole is None or first_whole > last_whole:
        return [(bitmaps.day_key(start), bitmaps.day_key(end))]
    ranges = [(bitmaps.month_key(first_whole), bitmaps.month_key(last_whole))]
    if start < first_whole:
        ranges.append((bitmaps.day_key(start), bitmaps.day_key(first_whole - timedelta(days=1))))
    if last_whole < end:
        ranges.append((bitmaps.day_key(last_whole + timedelta(days=1)), bitmaps.day_key(end)))
    return ranges


def _next_month(day: date) -> date | None:
    if day.year == date.max.year and day.month == 12:
        return None
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _is_month_end(day: date) -> bool:
    return day == date.max or (day + timedelta(days=1)).day == 1


# 2. Parse --------------------------------------------------------------------------------


@dataclass
class Query:
    """The typed words as one tree per configuration; an offer matches when any tree does."""

    trees: list[tsquery.Node]
    has_text: bool  # False: nothing was typed, every offer matches

    def words(self) -> list[str]:
        return list(dict.fromkeys(word for tree in self.trees for word in tsquery.words(tree)))


def parse_query(texts: list[str], *, text: str) -> Query:
    """Step 2: PostgreSQL's tsquery texts as trees ('' parses to nothing: only stop words)."""
    trees = [tree for tree in map(tsquery.parse, texts) if tree is not None]
    return Query(trees=trees, has_text=bool(text))


# 3. Match --------------------------------------------------------------------------------


@dataclass
class Match:
    offers: BitMap  # the offers matching the words (all, when nothing was typed)
    all_in_title: BitMap  # those whose titles hold the query (every word)
    any_in_title: BitMap  # those with at least one of the words in a title


def match(query: Query, index: IndexSets) -> Match:
    """Step 3: the trees on the sets; phrases checked on their candidates (one statement)."""
    universe = index.universe
    if not query.has_text:
        return Match(universe, BitMap(), BitMap())

    def word_set(lexeme: str) -> BitMap:
        return index.get(bitmaps.word_key(lexeme))

    def title_set(lexeme: str) -> BitMap:
        return index.get(bitmaps.title_key(lexeme))

    phrases = list(dict.fromkeys(p for tree in query.trees for p in tsquery.phrases(tree)))
    checked = check_phrases(
        {phrase: tsquery.candidates(phrase, word_set, universe) for phrase in phrases}
    )
    offers, all_in_title, any_in_title = BitMap(), BitMap(), BitMap()
    for tree in query.trees:
        offers |= tsquery.evaluate(tree, word_set, universe, checked)
        all_in_title |= tsquery.candidates(tree, title_set, universe)
        for word in tsquery.positive_words(tree):
            any_in_title |= title_set(word)
    return Match(offers, all_in_title & offers, any_in_title & offers)


def check_phrases(candidates: dict[tsquery.Phrase, BitMap]) -> dict[tsquery.Phrase, BitMap]:
    """The candidates of each phrase that hold its words in order (one statement, if any)."""
    checked = {phrase: BitMap() for phrase in candidates}
    to_check = [(phrase, offers) for phrase, offers in candidates.items() if offers]
    if not to_check:
        return checked
    offer_ids, numbers = [], []
    for number, (_phrase, offers) in enumerate(to_check, start=1):
        offer_ids += list(offers)
        numbers += [number] * len(offers)
    with binary_cursor() as cursor:
        cursor.execute(
            search_sql.CHECK_PHRASES,
            {
                "offer_ids": offer_ids,
                "phrase_numbers": numbers,
                "phrases": [tsquery.as_text(phrase) for phrase, _offers in to_check],
            },
        )
        for number, ids in cursor.fetchall():
            checked[to_check[number - 1][0]] = BitMap(ids)
    return checked


# 4. Counts -------------------------------------------------------------------------------


def facet_values(index: IndexSets, today: date) -> dict[str, dict[object, BitMap]]:
    """Every value of every facet the page counts, as the set of offers it keeps."""
    values: dict[str, dict[object, BitMap]] = {}
    for facet, prefix in _VALUE_PREFIXES.items():
        values[facet] = {
            _value(facet, key[len(prefix) :]): index.get(key) for key in index.keys(prefix)
        }
    values["mode"] = {mode: _mode_set(index, mode) for mode in MODES}
    for flag, key in _FLAGS.items():
        values[flag] = {"1": index.get(key)}
    spans = date_spans(Criteria(), today)
    values["when"] = {when: index.union(index.keys_between(spans[when])) for when in WHEN}
    return values


def _value(facet: str, text: str) -> object:
    return text if facet == "language" else int(text)


def _mode_set(index: IndexSets, mode: str) -> BitMap:
    """Hybrid offers can be followed on site and online, so both filters find them."""
    hybrid = index.get(bitmaps.facet_key("mode", "hybrid"))
    return hybrid if mode == "hybrid" else index.get(bitmaps.facet_key("mode", mode)) | hybrid


def choices(criteria: Criteria) -> dict[str, tuple]:
    """The values chosen in each facet: several in one facet are read as "any of them"."""
    chosen = {
        "theme": (criteria.theme.pk,) if criteria.theme else (),
        "audience": (criteria.audience.pk,) if criteria.audience else (),
        "format": (criteria.format.pk,) if criteria.format else (),
        "province": (criteria.province.pk,) if criteria.province else (),
        "language": (criteria.language,) if criteria.language else (),
        "mode": (criteria.mode,) if criteria.mode else (),
        **{flag: ("1",) if getattr(criteria, flag) else () for flag in _FLAGS},
    }
    return {facet: values for facet, values in chosen.items() if values}


def chosen_sets(criteria: Criteria, index: IndexSets, today: date) -> dict[str, BitMap]:
    """The set each chosen facet keeps: the union of its chosen values' sets."""
    sets: dict[str, BitMap] = {}
    for facet, values in choices(criteria).items():
        if facet == "mode":
            sets[facet] = BitMap.union(BitMap(), *(_mode_set(index, v) for v in values))
        elif facet in _FLAGS:
            sets[facet] = index.get(_FLAGS[facet])
        else:
            prefix = _VALUE_PREFIXES[facet]
            sets[facet] = index.union(f"{prefix}{value}" for value in values)
    chosen_dates = date_spans(criteria, today)["chosen"]
    if chosen_dates:
        sets["when"] = index.union(index.keys_between(chosen_dates))
    return sets


def count(
    base: BitMap, values: dict[str, dict[object, BitMap]], chosen: dict[str, BitMap]
) -> tuple[BitMap, Facets]:
    """Step 4: the results, and each value's count with the other facets' choices applied.

    Also how many results each chosen facet hides ("without"): what the page would show
    once that choice is removed.
    """

    def others(facet: str | None) -> BitMap:
        kept = base
        for other, offers in chosen.items():
            if other != facet:
                kept = kept & offers
        return kept

    result = others(None)
    facets = Facets(total=len(result))
    for facet, by_value in values.items():
        scope = others(facet) if facet in chosen else result
        numbers = {
            value: scope.intersection_cardinality(offers) for value, offers in by_value.items()
        }
        if facet in _VALUE_PREFIXES:
            numbers = {value: number for value, number in numbers.items() if number}
        facets.counts[facet] = numbers
    facets.counts["without"] = {facet: len(others(facet)) for facet in chosen}
    return result, facets


# 5. Order --------------------------------------------------------------------------------


def tiers(
    criteria: Criteria, result: BitMap, found: Match, index: IndexSets
) -> Iterator[tuple[BitMap, float | None]]:
    """The results cut into tiers, in the page's order, each to be shown in date order.

    By distance, one tier per place, nearest first; by relevance, the offers whose titles
    hold every word, then some, then the rest. Each with its distance, if any.
    """
    sort = criteria.effective_sort
    if sort == "distance":
        for place in index.places:
            yield result & place.offers, place.distance
    elif sort == "relevance" and criteria.text:
        all_in_title = result & found.all_in_title
        yield all_in_title, None
        yield (result & found.any_in_title) - all_in_title, None
        yield result - found.any_in_title, None
    else:
        yield result, None


@dataclass
class Segment:
    """Offers of one tier and one date bucket: skip some in date order, take the next."""

    offers: BitMap
    skip: int
    take: int
    distance: float | None = None


def plan_page(
    tiers: Iterator[tuple[BitMap, float | None]],
    buckets: Iterable[BitMap],
    *,
    offset: int,
    limit: int,
) -> list[Segment]:
    """The segments that make up the page, in order: tiers are skipped by their size, then
    the tier the page starts in is walked bucket by bucket (a cardinality each) until the
    page is full. A small tier is one segment, ordered whole."""
    segments: list[Segment] = []
    skip, left = offset, limit
    for tier, distance in tiers:
        size = len(tier)
        if skip >= size:
            skip -= size
            continue
        parts = [tier] if size <= _ORDER_WHOLE_AT_MOST else buckets
        for bucket in parts:
            number = size if bucket is tier else tier.intersection_cardinality(bucket)
            if skip >= number:
                skip -= number
                continue
            take = min(left, number - skip)
            segments.append(
                Segment(tier if bucket is tier else tier & bucket, skip, take, distance)
            )
            skip, left = 0, left - take
            if not left:
                return segments
    return segments


def order_page(segments: list[Segment]) -> list[int]:
    """The page's offer ids: each segment ordered exactly from the documents (one statement)."""
    if not segments:
        return []
    offer_ids: list[int] = []
    numbers: list[int] = []
    for number, segment in enumerate(segments, start=1):
        offer_ids += list(segment.offers)
        numbers += [number] * len(segment.offers)
    with binary_cursor() as cursor:
        cursor.execute(
            search_sql.ORDER_SEGMENTS,
            {
                "offer_ids": offer_ids,
                "segment_numbers": numbers,
                "skips": [segment.skip for segment in segments],
                "takes": [segment.take for segment in segments],
            },
        )
        return [row[0] for row in cursor.fetchall()]


def _distances(ids: list[int], places: list[Place]) -> dict[int, float]:
    """The distance of each offer of the page, when a place was asked for."""
    if not places:
        return {}
    page, distance_of = BitMap(ids), {}
    for place in places:
        for offer_id in page & place.offers:
            distance_of.setdefault(offer_id, place.distance)
    return distance_of


# The agenda ------------------------------------------------------------------------------


@dataclass
class Agenda:
    sessions: list[Session]
    total: int
    page: int
    page_count: int
    is_index_building: bool = False


def agenda(criteria: Criteria, *, page: int = 1, page_size: int = 50) -> Agenda:
    """Upcoming sessions of the offers matching the criteria, soonest first.

    The offers are found as the search finds them, every facet but the dates applying; the
    period asked for bounds the sessions (three statements: the sets, the count and the
    page, and one for the sessions' rows).
    """
    today = timezone.localdate()
    index = read_index(criteria, today)
    if not index.is_built:
        queue_rebuild()
        return Agenda([], 0, 1, 1, is_index_building=True)
    chosen = chosen_sets(criteria, index, today)
    chosen.pop("when", None)  # the period bounds the sessions themselves
    found = match(parse_query(index.typed, text=criteria.text), index)
    with_sessions = [key for key in index.keys("n:") if not key.startswith(bitmaps.UNDATED)]
    offers = found.offers & index.nearby & index.union(with_sessions)
    for kept in chosen.values():
        offers &= kept
    start, end = criteria.date_range(today)
    zone = timezone.get_default_timezone()
    params = {
        "offer_ids": list(offers),
        "starts_from": timezone.now(),
        "starts_before": None,
    }
    if start is not None:
        params["starts_from"] = max(params["starts_from"], datetime.combine(start, time.min, zone))
        if end < date.max:
            params["starts_before"] = datetime.combine(end + timedelta(days=1), time.min, zone)
    with binary_cursor() as cursor:
        cursor.execute(search_sql.AGENDA_COUNT, params)
        total = cursor.fetchone()[0]
        page_count = max(1, math.ceil(total / page_size))
        page = min(max(page, 1), page_count)
        cursor.execute(
            search_sql.AGENDA_PAGE, {**params, "limit": page_size, "offset": (page - 1) * page_size}
        )
        ids = [row[0] for row in cursor.fetchall()]
    sessions = (
        Session.objects.filter(pk__in=ids)
        .select_related("offer__centre__municipality", "offer__format", "offer__municipality")
        .order_by("starts_at", "pk")
    )
    return Agenda(list(sessions), total, page, page_count)
