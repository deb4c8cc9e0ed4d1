from django.core.management.base import BaseCommand
from tqdm import tqdm

from offers.indexing import BATCH_SIZE, rebuild_index
from offers.models import Offer


class Command(BaseCommand):
    help = (
        "Rebuild the search index of every offer, in batches. The site stays up: each batch "
        "replaces its documents in one short transaction, and searches see the old or the new "
        "document, never none; the sets are swapped in one transaction at the end."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options) -> None:
        total = Offer.objects.count()
        with tqdm(total=total, desc="indexing", unit="offer", disable=None) as progress:
            rebuilt = rebuild_index(batch_size=batch_size, progress=progress.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"{rebuilt.findable} offer(s) findable, of {rebuilt.offers}; {rebuilt.keys} sets."
            )
        )
