"""Load the demonstration data. Idempotent: a second run changes nothing.

Each app that has demo content contributes a step here as it is built; for now the portal
has a demo administrator so that the admin site can be visited after ``make run``.
"""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User

DEMO_ADMIN_EMAIL = "admin@demo.invalid"


class Command(BaseCommand):
    help = "Load the demonstration data (once; running it again changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no demo administrator is created.")
            return
        if User.objects.filter(email__iexact=DEMO_ADMIN_EMAIL).exists():
            self.stdout.write("Demo data already loaded.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(DEMO_ADMIN_EMAIL, password, full_name="Demo Admin")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo administrator created: {DEMO_ADMIN_EMAIL} / {password} "
                "(change it with: make manage ARGS='changepassword admin@demo.invalid')"
            )
        )
