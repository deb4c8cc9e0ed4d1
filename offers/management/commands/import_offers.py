from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from offers import csv_io


class Command(BaseCommand):
    help = (
        "Import offers as drafts from a CSV file (columns: centre (slug), title, format (slug), "
        "and optionally title_nl, title_en, summary, themes, audiences (slugs separated by ;), "
        "delivery_mode, booking_need, is_free, price, age_min, age_max, external_url). "
        "Nothing is written when any row is invalid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and report only")

    def handle(self, *args, path: Path, dry_run: bool, **options) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            rows = list(csv_io.read_rows(path))
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}") from None
        report = csv_io.validate(tqdm(rows, desc="validating", unit="row", disable=None))
        if not report.is_valid:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} invalid row(s): nothing was imported.")
        if dry_run:
            self.stdout.write(f"{len(report.rows)} valid row(s); dry run: nothing was written.")
            return
        count = csv_io.write(
            report, progress=lambda r: tqdm(r, desc="importing", unit="row", disable=None)
        )
        self.stdout.write(self.style.SUCCESS(f"{count} draft offer(s) created."))
