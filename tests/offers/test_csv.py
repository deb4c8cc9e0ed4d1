import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from offers.models import Offer
from tests.factories import CentreFactory, FormatFactory, OfferFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """These tests check behaviour; the messages are matched in the source language."""
    with translation.override("en"):
        yield


def write_csv(tmp_path, rows):
    path = tmp_path / "offers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["centre", "title", "format", "themes", "is_free", "price", "age_min", "age_max"]
        )
        writer.writerows(rows)
    return path


@pytest.fixture
def vocab():
    return CentreFactory(name="SIEP Namur"), FormatFactory(), ThemeFactory()


def test_import_creates_drafts(tmp_path, vocab):
    path = write_csv(
        tmp_path, [("siep-namur", "Atelier CV", "workshop", "choose-a-direction", "1", "", "", "")]
    )

    call_command("import_offers", str(path), stdout=StringIO(), stderr=StringIO())

    offer = Offer.objects.get()
    assert offer.status == "draft" and offer.themes.count() == 1


def test_a_bad_row_stops_everything_with_a_report(tmp_path, vocab):
    path = write_csv(
        tmp_path,
        [
            ("siep-namur", "Atelier CV", "workshop", "", "1", "", "", ""),
            ("nowhere", "X", "workshop", "", "1", "", "", ""),
            ("siep-namur", "Y", "juggling", "unknown-theme", "0", "", "30", "15"),
        ],
    )
    errors = StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_offers", str(path), stdout=StringIO(), stderr=errors)

    report = errors.getvalue()
    for expected in (
        "line 3: centre",
        "line 4: format",
        "line 4: themes",
        "line 4: price",
        "line 4: age_max",
    ):
        assert expected in report
    assert not Offer.objects.exists()


def test_dry_run_writes_nothing(tmp_path, vocab):
    path = write_csv(tmp_path, [("siep-namur", "Atelier CV", "workshop", "", "1", "", "", "")])
    out = StringIO()
    call_command("import_offers", str(path), "--dry-run", stdout=out)
    assert "1 valid row" in out.getvalue() and not Offer.objects.exists()


def test_admin_bulk_archives_and_exports(client):
    offers = OfferFactory.create_batch(2, published=True)
    client.force_login(UserFactory(staff=True))
    url = reverse("admin:offers_offer_changelist")
    ids = [o.pk for o in offers]

    export = client.post(url, {"action": "export_offers", "_selected_action": ids})
    client.post(url, {"action": "archive_offers", "_selected_action": ids})

    assert len(list(csv.reader(StringIO(export.content.decode())))) == 3
    assert set(Offer.objects.values_list("status", flat=True)) == {"archived"}


def test_admin_filters_overdue_reviews(client):
    client.force_login(UserFactory(staff=True))
    response = client.get(reverse("admin:offers_offer_changelist"), {"review": "overdue"})
    assert response.status_code == 200
