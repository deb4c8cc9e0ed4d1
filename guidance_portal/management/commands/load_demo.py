"""Load the demonstration data. Idempotent: a second run changes nothing.

- Belgian provinces, municipalities and postcodes (open data shipped with the project);
- the centres of ``centres/data/centres.csv`` (real centres, each with its public source);
- typical offers of each kind of centre with sessions over the next three months;
- the charter of 5 May 2022, its principles and its first signatories;
- demo accounts, only when DEBUG is on, with the password given in the README.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from centres import csv_io
from centres.geography import load_geography
from centres.models import Centre, Membership, Municipality, Role
from charter.demo import load_demo_charter
from offers.demo import load_demo_offers
from offers.models import Offer, SearchDocument

CENTRES_CSV = Path(settings.BASE_DIR) / "centres" / "data" / "centres.csv"
DEMO_PASSWORD = "demo-orientation-2026"  # noqa: S105 - documented demo accounts, DEBUG only
DEMO_ACCOUNTS = [
    # e-mail, full name, staff, centre slug, role
    ("admin@demo.invalid", "Alex Admin", True, None, None),
    ("manager@demo.invalid", "Marie Manager", False, "cite-des-metiers-de-namur", Role.MANAGER),
    (
        "counsellor@demo.invalid",
        "Chris Conseil",
        False,
        "cite-des-metiers-de-namur",
        Role.COUNSELLOR,
    ),
    ("other@demo.invalid", "Olivia Autre", False, "siep-liege", Role.COUNSELLOR),
]


class Command(BaseCommand):
    help = "Load the demonstration data (once; running it again changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not Municipality.objects.exists():
            counts = load_geography()
            self.stdout.write(f"Geography: {counts}")
        if not Centre.objects.exists():
            report = csv_io.validate(csv_io.read_rows(CENTRES_CSV))
            if not report.is_valid:
                raise CommandError("\n".join(report.errors))
            csv_io.write(report)
            self.stdout.write(f"Centres: {report.created} created from {CENTRES_CSV.name}")
        offers = load_demo_offers()
        if offers:
            self.stdout.write(f"Offers: {offers} demo offers published with their sessions")
        elif not SearchDocument.objects.exists() and Offer.objects.exists():
            call_command("rebuild_search_index", stdout=self.stdout)
        signatures = load_demo_charter()
        if signatures:
            self.stdout.write(f"Charter: the 2022 version with {signatures} signatories")
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no demo account is created.")
            return
        created = 0
        for email, name, is_staff, slug, role in DEMO_ACCOUNTS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, full_name=name, is_staff=is_staff, is_superuser=is_staff
                )
                created += 1
            if slug:
                centre = Centre.objects.get(slug=slug)
                Membership.objects.get_or_create(user=user, centre=centre, defaults={"role": role})
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{created} demo account(s) created; password {DEMO_PASSWORD} (see README)"
                )
            )
        else:
            self.stdout.write("Demo data already loaded.")
