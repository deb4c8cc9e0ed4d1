from django.core.management.base import BaseCommand
from django.db import connection
from tqdm import tqdm

from offers.indexing import BATCH_SIZE, index_offers, rebuild_bitmaps
from offers.models import Offer


class Command(BaseCommand):
    help = (
        "Rebuild the search index of every offer, in batches. The site stays up: each batch "
        "replaces its documents in one short transaction, and searches see the old or the new "
        "document, never none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options) -> None:
        ids = list(Offer.objects.order_by("pk").values_list("pk", flat=True))
        findable = 0
        with tqdm(total=len(ids), desc="indexing", unit="offer", disable=None) as progress:
            for start in range(0, len(ids), batch_size):
                batch = ids[start : start + batch_size]
                findable += index_offers(batch, with_terms=start == 0, with_bitmaps=False)
                progress.update(len(batch))
        # Then the sets of offers per word and facet value, swapped in one transaction.
        keys = rebuild_bitmaps()
        with connection.cursor() as cursor:
            # Documents of offers deleted outright have gone with them (cascade); refresh the
            # planner's statistics so the first searches after a rebuild are planned well.
            cursor.execute("ANALYZE offers_searchdocument")
            cursor.execute("ANALYZE offers_searchword")
            cursor.execute("ANALYZE offers_searchbitmap")
        self.stdout.write(
            self.style.SUCCESS(f"{findable} offer(s) findable, of {len(ids)}; {keys} bitmaps.")
        )
