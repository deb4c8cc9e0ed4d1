from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from centres import csv_io


class Command(BaseCommand):
    help = (
        "Import centres from a CSV file (columns: kind, name, municipality, and optionally "
        "slug, name_nl, name_en, network, parent, description, street, postcode, latitude, "
        "longitude, website, phone, email, languages, is_free, is_anonymous_possible, "
        "is_active, source_url). Nothing is written when any row is invalid."
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
        csv_io.write(report, progress=lambda r: tqdm(r, desc="importing", unit="row", disable=None))
        self.stdout.write(
            self.style.SUCCESS(f"{report.created} centre(s) created, {report.updated} updated.")
        )
