"""Keeping the search index in step with the register.

The index holds exactly the offers of ``Offer.objects.findable()``: ``index_offers`` asks
that QuerySet which of the given offers are findable, writes their documents and moves them
between the sets (``offers.bitmaps``), and removes the others, in one transaction under the
search-index lock. It is idempotent, so the Celery task that calls it can run twice.
``queue_reindex`` is what services call: it queues the task after commit. ``rebuild_index``
rebuilds everything (the management command and the task a search queues when the index was
never built).

One offer never stops the others: the text fed to ``to_tsvector`` is capped (a tsvector
holds at most 1 MB), and should the batch's statement fail all the same, each offer is
written in its own savepoint, and one that fails is logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from guidance_portal.locking import LockKind, hold
from offers import bitmaps, indexing_sql
from offers.models import Offer, SearchDocument

logger = logging.getLogger(__name__)

# Characters of each description read for the index: far above what a description may hold
# (offers.models.offer.DESCRIPTION_LENGTH), far below what would overflow a tsvector.
INDEXED_DESCRIPTION_LENGTH = 50_000

BATCH_SIZE = 2000


def index_offers(
    offer_ids: Iterable[int], *, with_terms: bool = True, with_sets: bool = True
) -> int:
    """Write (or remove) the search documents of these offers; returns how many were written.

    The offers' sets move in the same transaction (``with_sets=False`` is for the rebuild,
    which recomputes them all at the end).
    """
    ids = sorted(set(offer_ids))
    if not ids:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        hold(LockKind.SEARCH_INDEX)
        findable = sorted(Offer.objects.findable().filter(pk__in=ids).values_list("pk", flat=True))
        gone = sorted(set(ids) - set(findable))
        before = bitmaps.keys_of(cursor, ids) if with_sets else {}
        params = {
            "ids": findable,
            "now": timezone.now(),
            "tz": timezone.get_default_timezone_name(),
            "with_terms": with_terms,
            "cap": INDEXED_DESCRIPTION_LENGTH,
        }
        written = _write_documents(cursor, params) if findable else 0
        if gone:
            cursor.execute(indexing_sql.DELETE_DOCUMENTS, [gone])
        if findable or with_terms:
            cursor.execute(indexing_sql.INSERT_WORDS, params)
        if with_sets:
            bitmaps.move(cursor, ids, before)
    return written


def _write_documents(cursor, params: dict) -> int:
    """Upsert the documents in one statement; if it fails, offer by offer, skipping (and
    logging) those that fail, so one bad document keeps its old row and blocks nobody.
    Returns how many were written."""
    try:
        with transaction.atomic():
            cursor.execute(indexing_sql.UPSERT_DOCUMENTS, params)
            return cursor.rowcount
    except DatabaseError:
        logger.warning(
            "indexing %d offers at once failed; indexing them one by one", len(params["ids"])
        )
    written = 0
    for offer_id in params["ids"]:
        try:
            with transaction.atomic():
                cursor.execute(indexing_sql.UPSERT_DOCUMENTS, {**params, "ids": [offer_id]})
                written += cursor.rowcount
        except DatabaseError:
            logger.exception(
                "offer %s could not be indexed; its search document is unchanged", offer_id
            )
    return written


def forget_offers(offer_ids: Iterable[int]) -> None:
    """Take offers about to be deleted out of the index, sets included.

    Their documents would go with them (cascade), but not their bits: so this runs first,
    in the deletion's transaction (a ``pre_delete`` receiver).
    """
    ids = sorted(set(offer_ids))
    with transaction.atomic(), connection.cursor() as cursor:
        hold(LockKind.SEARCH_INDEX)
        before = bitmaps.keys_of(cursor, ids)
        if before:
            cursor.execute(indexing_sql.DELETE_DOCUMENTS, [list(before)])
            bitmaps.move(cursor, ids, before)


@dataclass
class Rebuilt:
    offers: int  # offers looked at
    findable: int  # documents written
    keys: int  # sets written


def rebuild_index(
    *, batch_size: int = BATCH_SIZE, progress: Callable[[int], object] | None = None
) -> Rebuilt:
    """Rebuild every document in batches, then every set in one transaction.

    The site stays up: each batch replaces its documents in one short transaction (searches
    see the old document or the new one), and the sets are swapped at once at the end, when
    the index is marked built. ``progress`` is told how many offers each batch held.
    """
    ids = list(Offer.objects.order_by("pk").values_list("pk", flat=True))
    findable = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        findable += index_offers(batch, with_terms=start == 0, with_sets=False)
        if progress is not None:
            progress(len(batch))
    with transaction.atomic(), connection.cursor() as cursor:
        hold(LockKind.SEARCH_INDEX)
        # Documents of offers deleted outright have gone with them (cascade).
        keys = bitmaps.rebuild(cursor)
    with connection.cursor() as cursor:
        # Fresh planner statistics, so the first searches after a rebuild are planned well.
        for table in ("offers_searchdocument", "offers_searchword", "offers_searchbitmap"):
            cursor.execute(f"ANALYZE {table}")
    return Rebuilt(offers=len(ids), findable=findable, keys=keys)


def unfindable_offer_ids() -> list[int]:
    """Offers still in the index that are no longer findable (a review date passed by)."""
    return list(
        SearchDocument.objects.exclude(offer__in=Offer.objects.findable())
        .order_by("offer_id")
        .values_list("offer_id", flat=True)
    )


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
    queue_reindex(Offer.objects.filter(centre_id=centre_id).values_list("pk", flat=True))


def queue_reindex_of_term(field: str, term_id: int) -> None:
    """A taxonomy label changed: reindex the offers that carry the term."""
    lookup = {"format": "format_id"}.get(field, f"{field}__id")
    queue_reindex(Offer.objects.filter(**{lookup: term_id}).values_list("pk", flat=True))
