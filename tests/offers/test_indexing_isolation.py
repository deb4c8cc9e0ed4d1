"""One offer never stops the indexing of the others.

A description far over the limit (stored before the limit existed: the test lifts the
database check for that) is indexed from its first characters instead of overflowing the
tsvector; and a document the database refuses for any reason (the test adds a check that
refuses one) is skipped and logged while the rest of its batch, the reindex task and the
periodic refresh go on.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from offers.indexing import index_offers
from offers.models import Offer, SearchDocument, Session
from offers.tasks import refresh_past_sessions, reindex_offers
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def huge_text() -> str:
    """About 1.2 million characters of distinct words: a tsvector of several megabytes."""
    return " ".join(f"mot{n}" for n in range(150_000))


@pytest.fixture
def offers():
    return OfferFactory.create_batch(3, published=True)


def alter(sql: str) -> None:
    """DDL inside the test's transaction (rolled back with it), once the deferred foreign
    key checks of the rows written so far have run."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql)


def refuse_document_of(offer: Offer) -> None:
    alter(
        "ALTER TABLE offers_searchdocument ADD CONSTRAINT test_refuses_one "
        f"CHECK (offer_id <> {int(offer.pk)}) NOT VALID"
    )


def test_a_huge_description_is_indexed_from_its_start_and_its_batch_goes_on(offers):
    huge = offers[1]
    # As if stored before the limit existed.
    alter("ALTER TABLE offers_offer DROP CONSTRAINT offer_description_fr_length")
    Offer.objects.filter(pk=huge.pk).update(description_fr=huge_text())

    written = index_offers([offer.pk for offer in offers])

    assert written == 3
    assert set(SearchDocument.objects.values_list("offer_id", flat=True)) == {
        offer.pk for offer in offers
    }


def test_a_document_the_database_refuses_is_skipped_and_the_others_are_written(offers, caplog):
    refuse_document_of(offers[0])

    written = reindex_offers([offer.pk for offer in offers])  # the task, run in process

    assert written == 2
    assert set(SearchDocument.objects.values_list("offer_id", flat=True)) == {
        offers[1].pk,
        offers[2].pk,
    }
    assert f"offer {offers[0].pk} could not be indexed" in caplog.text


def test_the_periodic_refresh_goes_on_past_a_document_it_cannot_write(offers):
    soon = timezone.now() + timedelta(hours=1)
    for offer in offers:
        Session.objects.create(offer=offer, starts_at=soon, ends_at=soon + timedelta(hours=1))
    index_offers([offer.pk for offer in offers])
    refuse_document_of(offers[0])

    with time_machine.travel(soon + timedelta(minutes=5)):
        refresh_past_sessions()

    refreshed = SearchDocument.objects.filter(next_session_at__isnull=True)
    assert set(refreshed.values_list("offer_id", flat=True)) == {offers[1].pk, offers[2].pk}
