"""The search index's sets of offers: one Roaring bitmap per word, facet value, day and place.

Counting facets and matching common words over a large register row by row is what made the
search slow: "formation" is in most offers, and every facet count read every matching row.
So the index also keeps, for every key below, the set of findable offers that have it, as a
Roaring bitmap (``pyroaring``: sorted arrays for rare keys, bitmaps for dense ones, runs for
consecutive ids), stored with ``BitMap.serialize()`` in ``SearchBitmap``. Intersecting and
counting sets of 100,000 offers takes microseconds.

Keys (``keys_of`` computes an offer's keys from its search document):
- ``all``: every findable offer (kept, even empty, once the index is built);
- ``built``: an empty set written by a full rebuild: without it the index is not usable;
- ``w:<lexeme>``: the offers whose document holds the lexeme (any weight),
  ``t:<lexeme>``: the same, in a title (weight A), for ranking;
- ``f:theme:<id>``, ``f:audience:<id>``, ``f:format:<id>``, ``f:province:<id>``,
  ``f:mode:<mode>``, ``f:language:<code>``, ``f:free``, ``f:anonymous``, ``f:no_booking``;
- ``d:<YYYY-MM-DD>`` and ``m:<YYYY-MM>``: offers with an upcoming session that day or month;
- ``n:<YYYY-MM-DD>``: offers whose next session is that day, and ``n:~<YYYY-MM>``: offers
  without upcoming sessions, by month of publication (``n:~0000-00``: never published).
  Every findable offer is in exactly one ``n:`` set, and those sets, dated ones first by
  day, then the others by month, newest first, cut the date order into buckets
  (``date_buckets``): the search walks a result set bucket by bucket and orders exactly
  only the bucket its page falls in, so a write moves an offer between two buckets instead
  of rewriting a whole order;
- ``p:<latitude>:<longitude>``: the offers at a place (a search near a postcode reads the
  places within its radius and sorts by distance place by place).

``move`` updates the sets of the offers a write changed, in the same transaction as their
documents, so a search never sees one without the other; ``rebuild`` recomputes them all.
Both run under the search-index lock (``guidance_portal.locking``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import psycopg
from django.db import connection
from pyroaring import BitMap

from offers import indexing_sql

ALL = "all"
BUILT = "built"
UNDATED = "n:~"  # prefix of the buckets of offers without upcoming sessions


def word_key(lexeme: str) -> str:
    return f"w:{lexeme}"


def title_key(lexeme: str) -> str:
    return f"t:{lexeme}"


def facet_key(facet: str, value: object = None) -> str:
    """``f:free``, ``f:theme:12``, ``f:language:nl``…"""
    return f"f:{facet}" if value is None else f"f:{facet}:{value}"


def day_key(day) -> str:
    return f"d:{day:%Y-%m-%d}"


def month_key(day) -> str:
    return f"m:{day:%Y-%m}"


def load(data: bytes | memoryview | None) -> BitMap:
    """A stored set (an absent row is the empty set)."""
    return BitMap.deserialize(bytes(data)) if data else BitMap()


def dump(bits: BitMap) -> bytes:
    """A set as stored: runs of consecutive ids are compressed first."""
    bits.run_optimize()
    return bits.serialize()


def date_buckets(keys: Iterable[str]) -> list[str]:
    """The ``n:`` keys in date order: next session day ascending, then publication newest."""
    keys = list(keys)
    dated = sorted(key for key in keys if not key.startswith(UNDATED))
    undated = sorted((key for key in keys if key.startswith(UNDATED)), reverse=True)
    return dated + undated


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
    """The keys of each of these offers' documents (offers without a document are absent)."""
    cursor.execute(indexing_sql.KEYS_OF_DOCUMENTS, [offer_ids])
    return {offer_id: set(keys) for offer_id, keys in cursor.fetchall()}


def move(cursor, offer_ids: list[int], before: dict[int, set[str]]) -> list[str]:
    """Move the offers between sets after their documents changed (``before``: old keys).

    Only the sets an offer enters or leaves are read and written. Returns those keys.
    """
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
    if not keys:
        return []
    cursor.execute(indexing_sql.READ_SETS, [keys])
    stored = {key: load(data) for key, data in cursor.fetchall()}
    rows, emptied = [], []
    for key in keys:
        bits = (stored.get(key, BitMap()) | BitMap(added.get(key, ()))) - BitMap(
            removed.get(key, ())
        )
        if bits or key == ALL:
            rows.append((key, dump(bits)))
        else:
            emptied.append(key)
    if emptied:
        cursor.execute(indexing_sql.DELETE_SETS, [emptied])
    _write(cursor, rows)
    return keys


def _write(cursor, rows: list[tuple[str, bytes]]) -> None:
    if rows:
        cursor.executemany(indexing_sql.WRITE_SET, rows)


def rebuild(cursor) -> int:
    """Recompute every set from the documents, replacing the old ones in one transaction.

    Call inside ``transaction.atomic`` with the index lock held: searches see the old sets
    until it commits, then the new ones. Returns the number of keys.
    """
    cursor.execute(indexing_sql.DELETE_EVERY_SET)
    # A server-side cursor streams the offers of each key (in key order, so related rows sit
    # together on disk); the sets, compact once built, are then copied in (COPY: far cheaper
    # than one INSERT a row, and it cannot share the connection with the streaming read).
    rows = [(BUILT, dump(BitMap()))]
    with connection.chunked_cursor() as reader:
        reader.execute(indexing_sql.EVERY_SET)
        while chunk := reader.fetchmany(2000):
            rows += [(key, dump(BitMap(ids))) for key, ids in chunk]
    with cursor.cursor.copy(indexing_sql.COPY_SETS) as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(indexing_sql.KEEP_ALL_SET, [dump(BitMap())])
    return len(rows) - 1
