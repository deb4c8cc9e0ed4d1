"""The search index's sets of offers, one per word and per facet value, kept as bitmaps.

Counting facets and matching common words over a large register row by row is what made the
search slow: "formation" is in most offers, and every facet count read every matching row.
So the index also keeps, for every key below, the set of offers that have it, as a bitmap in
which bit ``n`` is the offer whose id is ``n`` (a rare key is kept as a sorted list of ids,
which is smaller). Intersecting and counting bitmaps of 100,000 offers takes microseconds.

Keys:
- ``all``: every findable offer;
- ``w:<lexeme>``: the offers whose document holds the lexeme (any weight),
  ``t:<lexeme>``: the same, in the title (weight A), for ranking;
- ``f:theme:<id>``, ``f:audience:<id>``, ``f:format:<id>``, ``f:province:<id>``,
  ``f:mode:<mode>``, ``f:language:<code>``, ``f:free``, ``f:anonymous``, ``f:no_booking``;
- ``d:<YYYY-MM-DD>`` and ``m:<YYYY-MM>``: offers with an upcoming session that day or month;
- ``p:<latitude>:<longitude>``: the offers at a place (a search near a postcode reads the
  places within its radius, and sorts by distance place by place);
- ``o:date``: not a set but every findable offer id in date order (next session first, then
  the most recently published), as big-endian 32-bit integers; ``r:date``: the inverse,
  each offer id's position in that order (to sort a few offers without reading them).

``index_offers`` updates the keys of the offers it writes, in the same transaction as their
documents, so a search never sees one without the other; ``rebuild`` recomputes them all.
Writers take one advisory lock, so two tasks never update the same bitmap at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy
import psycopg
from django.db import connection

# Taken by every writer of the index (pg_advisory_xact_lock), released at commit.
INDEX_LOCK = 7_310_001
ORDER_KEY = "o:date"
RANK_KEY = "r:date"
# The date order of documents ``d``: next session first, then the most recently published.
DATE_ORDER = "d.next_session_at ASC NULLS LAST, d.published_at DESC NULLS LAST, d.offer_id"
ORDER_SQL = (
    "SELECT string_agg(int4send(d.offer_id::int4), ''::bytea ORDER BY "
    + DATE_ORDER
    + ") FROM offers_searchdocument d"
)

# The keys of each document, computed from its row.
KEYS_SQL = """
SELECT d.offer_id, ARRAY(
    SELECT 'w:' || u.lexeme FROM unnest(d.document) u
    UNION ALL SELECT 't:' || u.lexeme FROM unnest(d.document) u WHERE 'A' = ANY(u.weights)
    UNION ALL SELECT 'f:theme:' || x FROM unnest(d.theme_ids) x
    UNION ALL SELECT 'f:audience:' || x FROM unnest(d.audience_ids) x
    UNION ALL SELECT DISTINCT 'f:language:' || x FROM unnest(d.languages) x
    UNION ALL SELECT 'd:' || to_char(x, 'YYYY-MM-DD') FROM unnest(d.session_dates) x
    UNION ALL SELECT DISTINCT 'm:' || to_char(x, 'YYYY-MM') FROM unnest(d.session_dates) x
    UNION ALL SELECT k FROM unnest(ARRAY[
        'all', 'f:format:' || d.format_id, 'f:province:' || d.province_id,
        'f:mode:' || d.delivery_mode,
        CASE WHEN d.is_free THEN 'f:free' END,
        CASE WHEN d.is_anonymous_possible THEN 'f:anonymous' END,
        CASE WHEN NOT d.needs_booking THEN 'f:no_booking' END,
        'p:' || round(d.latitude::numeric, 6) || ':' || round(d.longitude::numeric, 6)
    ]) k WHERE k IS NOT NULL
) FROM offers_searchdocument d
"""


def decode(kind: str, data: bytes) -> int:
    """A stored set as a Python integer whose bit n is offer n."""
    if kind == "b":
        return int.from_bytes(data, "little")
    return from_ids(ids_of_list(data))


def ids_of_list(data: bytes) -> numpy.ndarray:
    """The ids of an ``l`` row (little-endian 32-bit integers)."""
    return numpy.frombuffer(data, dtype="<i4")


def order_of(data: bytes) -> numpy.ndarray:
    """The offer ids of ``o:date`` (stored big-endian by int4send)."""
    return numpy.frombuffer(data or b"", dtype=">i4")


def from_ids(ids: Iterable[int] | numpy.ndarray) -> int:
    """The set of the given offer ids (numpy sets the bits, so a long list costs little)."""
    if not isinstance(ids, numpy.ndarray):
        ids = numpy.fromiter(ids, dtype=numpy.int64)
    if not ids.size:
        return 0
    flags = numpy.zeros(int(ids.max()) + 1, dtype=numpy.bool_)
    flags[ids] = True
    return int.from_bytes(numpy.packbits(flags, bitorder="little").tobytes(), "little")


def as_bytes(bits: int) -> bytes:
    """A set as bytes, bit n of the whole being offer n (what a ``b`` row stores)."""
    return bits.to_bytes((bits.bit_length() + 7) // 8, "little")


def flags_of(bits: int) -> numpy.ndarray:
    """A set as booleans: ``flags[n]`` is whether offer n is in it (for ``n < len(flags)``)."""
    data = numpy.frombuffer(as_bytes(bits), dtype=numpy.uint8)
    return numpy.unpackbits(data, bitorder="little").view(numpy.bool_)


def members(bits: int) -> numpy.ndarray:
    """The offer ids in a set, in increasing order."""
    return numpy.flatnonzero(flags_of(bits))


def ids_of(bits: int) -> list[int]:
    return members(bits).tolist()


def encode(bits: int) -> tuple[str, bytes]:
    """A bitmap, or a sorted list of 32-bit ids for a rare key.

    A list is decoded in Python, a bitmap in one C call: lists are kept for keys with
    fewer than one offer in 256 (mostly rare words), where they are also far smaller.
    """
    data = as_bytes(bits)
    if bits.bit_count() * 32 < len(data):
        return _list(ids_of(bits))
    return "b", data


def encode_ids(ids: list[int]) -> tuple[str, bytes]:
    if len(ids) * 256 < max(ids, default=0):
        return _list(sorted(ids))
    return encode(from_ids(ids))


def _list(ids: list[int]) -> tuple[str, bytes]:
    return "l", numpy.asarray(ids, dtype="<i4").tobytes()


def binary_cursor():
    """A cursor on Django's connection whose results come in binary (bytea not hex-encoded).

    Django's own cursors bind parameters on the client, which psycopg only allows with text
    results; this one binds them on the server, so psycopg prepares a statement run often
    (``prepare_threshold``, see ``guidance_portal.config.database``): the search's few
    statements are the same text on every page, and planning them once per connection saves
    much of their cost. It is wrapped like Django's cursors, so its queries are logged and
    counted the same way.
    """
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    raw.format = psycopg.pq.Format.BINARY
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def keys_of(cursor, offer_ids: list[int]) -> dict[int, set[str]]:
    cursor.execute(KEYS_SQL + " WHERE d.offer_id = ANY(%s)", [offer_ids])
    return {offer_id: set(keys) for offer_id, keys in cursor.fetchall()}


def update(cursor, offer_ids: list[int], before: dict[int, set[str]]) -> None:
    """Move the offers between sets after their documents changed (``before``: old keys)."""
    after = keys_of(cursor, offer_ids)
    added: dict[str, list[int]] = defaultdict(list)
    removed: dict[str, list[int]] = defaultdict(list)
    for offer_id in offer_ids:
        old, new = before.get(offer_id, set()), after.get(offer_id, set())
        for key in new - old:
            added[key].append(offer_id)
        for key in old - new:
            removed[key].append(offer_id)
    keys = sorted(added.keys() | removed.keys())
    if keys:
        cursor.execute(
            "SELECT key, kind, data FROM offers_searchbitmap WHERE key = ANY(%s)", [keys]
        )
        stored = {key: decode(kind, bytes(data)) for key, kind, data in cursor.fetchall()}
        rows, emptied = [], []
        for key in keys:
            bits = stored.get(key, 0) | from_ids(added.get(key, ()))
            bits &= ~from_ids(removed.get(key, ()))
            if bits:
                rows.append((key, *encode(bits)))
            else:
                emptied.append(key)
        if emptied:
            cursor.execute("DELETE FROM offers_searchbitmap WHERE key = ANY(%s)", [emptied])
        _write(cursor, rows)
    write_order(cursor)


def write_order(cursor) -> None:
    """Store the date order (``o:date``) and each offer's place in it (``r:date``)."""
    cursor.execute(ORDER_SQL)
    order = order_of(bytes(cursor.fetchone()[0] or b""))
    # Stored big-endian, like the order.
    rank = numpy.zeros(int(order.max(initial=0)) + 1, dtype=">i4")
    rank[order] = numpy.arange(order.size)
    _write(cursor, [(ORDER_KEY, "o", order.tobytes()), (RANK_KEY, "o", rank.tobytes())])


def rank_of(data: bytes) -> numpy.ndarray:
    """``r:date``: for each offer id, its position in the date order."""
    return order_of(data)


def _write(cursor, rows: list[tuple[str, str, bytes]]) -> None:
    if rows:
        cursor.executemany(
            "INSERT INTO offers_searchbitmap (key, kind, data) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET kind = EXCLUDED.kind, data = EXCLUDED.data",
            rows,
        )


def rebuild(cursor) -> int:
    """Recompute every set from the documents, replacing the old ones in one transaction.

    Call inside ``transaction.atomic`` with the index lock held. Returns the number of keys.
    """
    cursor.execute("DELETE FROM offers_searchbitmap")
    count = 0
    # A server-side cursor streams the sets while ``cursor`` writes them.
    with connection.chunked_cursor() as reader:
        reader.execute(
            f"SELECT key, array_agg(offer_id) FROM ({KEYS_SQL}) AS docs(offer_id, keys), "
            "unnest(docs.keys) AS key GROUP BY key ORDER BY key"
        )
        while chunk := reader.fetchmany(2000):
            _write(cursor, [(key, *encode_ids(ids)) for key, ids in chunk])
            count += len(chunk)
    write_order(cursor)
    return count
