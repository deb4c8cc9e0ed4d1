"""Keeping the search index in step with the register.

``index_offers`` writes the search documents of the given offers in one statement and removes
those of offers a citizen can no longer find; it is idempotent, so the Celery task that calls
it can run twice. ``queue_reindex`` is what services call: it queues the task after commit.

One offer never stops the others: the text fed to ``to_tsvector`` is capped (a tsvector
holds at most 1 MB), and should the batch's statement fail all the same, each offer is
written in its own savepoint, and one that fails is logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from offers import bitmaps

logger = logging.getLogger(__name__)

# Characters of each description read for the index: far above what a description may hold
# (offers.models.offer.DESCRIPTION_LENGTH), far below what would overflow a tsvector.
INDEXED_DESCRIPTION_LENGTH = 50_000

# The offer's place: its own municipality when it is not at the centre's address.
_UPSERT = """
INSERT INTO offers_searchdocument (
    offer_id, document, theme_ids, audience_ids, format_id, province_id, latitude, longitude,
    delivery_mode, is_free, is_anonymous_possible, needs_booking, languages, session_dates,
    next_session_at, published_at, review_due, indexed_at
)
SELECT
    o.id,
    setweight(to_tsvector('french_unaccent', coalesce(o.title_fr, '')), 'A')
    || setweight(to_tsvector('dutch_unaccent', coalesce(o.title_nl, '')), 'A')
    || setweight(to_tsvector('simple_unaccent', coalesce(o.title_en, '')), 'A')
    || setweight(to_tsvector('french_unaccent', coalesce(terms.fr, '')), 'B')
    || setweight(to_tsvector('dutch_unaccent', coalesce(terms.nl, '')), 'B')
    || setweight(to_tsvector('simple_unaccent', concat_ws(' ', terms.en, c.name_fr, c.name_nl,
                                                           m.name_fr, m.name_nl)), 'B')
    || setweight(to_tsvector('french_unaccent', concat_ws(' ', o.summary_fr,
           regexp_replace(left(o.description_fr, %(cap)s), '<[^>]*>', ' ', 'g'))), 'C')
    || setweight(to_tsvector('dutch_unaccent', concat_ws(' ', o.summary_nl,
           regexp_replace(left(o.description_nl, %(cap)s), '<[^>]*>', ' ', 'g'))), 'C')
    || setweight(to_tsvector('simple_unaccent', concat_ws(' ', o.summary_en,
           regexp_replace(left(o.description_en, %(cap)s), '<[^>]*>', ' ', 'g'))), 'C'),
    ARRAY(SELECT ot.theme_id FROM offers_offer_themes ot WHERE ot.offer_id = o.id ORDER BY 1),
    ARRAY(SELECT oa.audience_id FROM offers_offer_audiences oa WHERE oa.offer_id = o.id
          ORDER BY 1),
    o.format_id,
    m.province_id,
    CASE WHEN o.uses_centre_address OR om.id IS NULL THEN c.latitude ELSE om.latitude END,
    CASE WHEN o.uses_centre_address OR om.id IS NULL THEN c.longitude ELSE om.longitude END,
    o.delivery_mode,
    o.is_free,
    o.is_anonymous_possible,
    o.booking_need <> 'none',
    o.languages,
    coalesce(sessions.dates, '{}'),
    sessions.next_at,
    o.published_at,
    o.review_due,
    %(now)s
FROM offers_offer o
JOIN centres_centre c ON c.id = o.centre_id
LEFT JOIN centres_municipality om ON om.id = o.municipality_id AND NOT o.uses_centre_address
JOIN centres_municipality m ON m.id = coalesce(om.id, c.municipality_id)
LEFT JOIN LATERAL (
    SELECT string_agg(t.name_fr, ' ') AS fr, string_agg(t.name_nl, ' ') AS nl,
           string_agg(t.name_en, ' ') AS en
    FROM (
        SELECT th.name_fr, th.name_nl, th.name_en FROM offers_theme th
        JOIN offers_offer_themes ot ON ot.theme_id = th.id WHERE ot.offer_id = o.id
        UNION ALL
        SELECT au.name_fr, au.name_nl, au.name_en FROM offers_audience au
        JOIN offers_offer_audiences oa ON oa.audience_id = au.id WHERE oa.offer_id = o.id
        UNION ALL
        SELECT f.name_fr, f.name_nl, f.name_en FROM offers_format f WHERE f.id = o.format_id
    ) t
) terms ON true
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT (s.starts_at AT TIME ZONE %(tz)s)::date) AS dates,
           min(s.starts_at) AS next_at
    FROM offers_session s
    WHERE s.offer_id = o.id AND NOT s.is_cancelled AND s.starts_at >= %(now)s
) sessions ON true
WHERE o.id = ANY(%(ids)s) AND o.status = 'published' AND c.is_active
ON CONFLICT (offer_id) DO UPDATE SET
    document = EXCLUDED.document, theme_ids = EXCLUDED.theme_ids,
    audience_ids = EXCLUDED.audience_ids, format_id = EXCLUDED.format_id,
    province_id = EXCLUDED.province_id, latitude = EXCLUDED.latitude,
    longitude = EXCLUDED.longitude, delivery_mode = EXCLUDED.delivery_mode,
    is_free = EXCLUDED.is_free, is_anonymous_possible = EXCLUDED.is_anonymous_possible,
    needs_booking = EXCLUDED.needs_booking, languages = EXCLUDED.languages,
    session_dates = EXCLUDED.session_dates, next_session_at = EXCLUDED.next_session_at,
    published_at = EXCLUDED.published_at, review_due = EXCLUDED.review_due,
    indexed_at = EXCLUDED.indexed_at
"""

_DELETE_UNFINDABLE = """
DELETE FROM offers_searchdocument d
WHERE d.offer_id = ANY(%(ids)s) AND NOT EXISTS (
    SELECT 1 FROM offers_offer o JOIN centres_centre c ON c.id = o.centre_id
    WHERE o.id = d.offer_id AND o.status = 'published' AND c.is_active
)
"""

# Words people may mistype: titles, summaries, vocabularies, centres and municipalities.
_WORDS = """
INSERT INTO offers_searchword (word)
SELECT DISTINCT w FROM (
    SELECT regexp_split_to_table(lower(unaccent(concat_ws(' ',
        o.title_fr, o.title_nl, o.title_en, o.summary_fr, o.summary_nl, o.summary_en,
        c.name_fr, c.name_nl, m.name_fr, m.name_nl))), '[^a-z0-9]+') AS w
    FROM offers_offer o
    JOIN centres_centre c ON c.id = o.centre_id
    JOIN centres_municipality m ON m.id = c.municipality_id
    WHERE o.id = ANY(%(ids)s) AND o.status = 'published'
    UNION ALL
    SELECT regexp_split_to_table(lower(unaccent(concat_ws(' ', name_fr, name_nl, name_en))),
                                 '[^a-z0-9]+')
    FROM (SELECT name_fr, name_nl, name_en FROM offers_theme
          UNION ALL SELECT name_fr, name_nl, name_en FROM offers_audience
          UNION ALL SELECT name_fr, name_nl, name_en FROM offers_format) terms
    WHERE %(with_terms)s
) words
WHERE length(w) BETWEEN 3 AND 60 AND w !~ '^[0-9]+$'
ON CONFLICT (word) DO NOTHING
"""

BATCH_SIZE = 2000


def index_offers(
    offer_ids: Iterable[int], *, with_terms: bool = True, with_bitmaps: bool = True
) -> int:
    """Write (or remove) the search documents of these offers; returns how many are findable.

    The offers' bitmaps move in the same transaction (``with_bitmaps=False`` is for the
    rebuild command, which recomputes them all at the end).
    """
    ids = sorted(set(offer_ids))
    if not ids:
        return 0
    params = {
        "ids": ids,
        "now": timezone.now(),
        "tz": timezone.get_default_timezone_name(),
        "with_terms": with_terms,
        "cap": INDEXED_DESCRIPTION_LENGTH,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [bitmaps.INDEX_LOCK])
        before = bitmaps.keys_of(cursor, ids) if with_bitmaps else {}
        written = _write_documents(cursor, params)
        cursor.execute(_DELETE_UNFINDABLE, params)
        cursor.execute(_WORDS, params)
        if with_bitmaps:
            bitmaps.update(cursor, ids, before)
    return written


def _write_documents(cursor, params: dict) -> int:
    """Upsert the documents in one statement; if it fails, offer by offer, skipping (and
    logging) those that fail, so one bad document keeps its old row and blocks nobody."""
    try:
        with transaction.atomic():
            cursor.execute(_UPSERT, params)
            return cursor.rowcount
    except DatabaseError:
        logger.warning(
            "indexing %d offers at once failed; indexing them one by one", len(params["ids"])
        )
    written = 0
    for offer_id in params["ids"]:
        try:
            with transaction.atomic():
                cursor.execute(_UPSERT, {**params, "ids": [offer_id]})
                written += cursor.rowcount
        except DatabaseError:
            logger.exception(
                "offer %s could not be indexed; its search document is unchanged", offer_id
            )
    return written


def forget_offers(offer_ids: Iterable[int]) -> None:
    """Take offers about to be deleted out of the index, bitmaps included.

    Their documents would go with them (cascade), but not their bits: so this runs first,
    in the deletion's transaction (a ``pre_delete`` receiver).
    """
    ids = sorted(set(offer_ids))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [bitmaps.INDEX_LOCK])
        before = bitmaps.keys_of(cursor, ids)
        if before:
            cursor.execute(
                "DELETE FROM offers_searchdocument WHERE offer_id = ANY(%s)", [list(before)]
            )
            bitmaps.update(cursor, ids, before)


def rebuild_bitmaps() -> int:
    """Recompute every bitmap of the index from the documents (one transaction)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [bitmaps.INDEX_LOCK])
        return bitmaps.rebuild(cursor)


def queue_reindex(offer_ids: Iterable[int]) -> None:
    """Reindex these offers once the current transaction commits."""
    ids = sorted(set(offer_ids))
    if not ids:
        return
    from offers.tasks import reindex_offers

    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        transaction.on_commit(lambda batch=batch: reindex_offers.delay(batch))


def queue_reindex_of_centre(centre_id: int) -> None:
    from offers.models import Offer

    queue_reindex(Offer.objects.filter(centre_id=centre_id).values_list("pk", flat=True))


def queue_reindex_of_term(field: str, term_id: int) -> None:
    """A taxonomy label changed: reindex the offers that carry the term."""
    from offers.models import Offer

    lookup = {"format": "format_id"}.get(field, f"{field}__id")
    queue_reindex(Offer.objects.filter(**{lookup: term_id}).values_list("pk", flat=True))
