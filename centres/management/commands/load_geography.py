from django.core.management.base import BaseCommand

from centres.geography import load_geography


class Command(BaseCommand):
    help = "Load Belgian provinces, municipalities and postcodes from the shipped open data."

    def handle(self, *args, **options) -> None:
        counts = load_geography()
        self.stdout.write(", ".join(f"{value} {key}" for key, value in counts.items()))
