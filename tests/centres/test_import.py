import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from centres.models import Centre
from tests.factories import CentreFactory, PostalCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """These tests check behaviour; the messages are matched in the source language."""
    with translation.override("en"):
        yield


COLUMNS = ["kind", "name", "municipality", "postcode", "website", "languages", "parent"]


def write_csv(tmp_path, rows):
    path = tmp_path / "centres.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows([dict(zip(COLUMNS, row)) for row in rows])
    return path


@pytest.fixture(autouse=True)
def namur():
    return PostalCodeFactory()


def test_import_creates_centres_placed_at_their_postcode(tmp_path):
    path = write_csv(
        tmp_path,
        [
            ("cite_des_metiers", "Cité des Métiers de Namur", "Namur", "5000", "", "fr;nl", ""),
            (
                "siep",
                "SIEP Namur",
                "namur",
                "",
                "https://siep.be",
                "fr",
                "cite-des-metiers-de-namur",
            ),
        ],
    )

    call_command("import_centres", str(path), stdout=StringIO(), stderr=StringIO())

    siep = Centre.objects.get(slug="siep-namur")
    assert siep.parent.slug == "cite-des-metiers-de-namur"
    assert Centre.objects.get(slug="cite-des-metiers-de-namur").languages == ["fr", "nl"]


def test_dry_run_writes_nothing(tmp_path):
    path = write_csv(tmp_path, [("siep", "SIEP Namur", "Namur", "", "", "fr", "")])
    out = StringIO()

    call_command("import_centres", str(path), "--dry-run", stdout=out, stderr=StringIO())

    assert "1 valid row" in out.getvalue()
    assert not Centre.objects.exists()


def test_one_bad_row_stops_the_whole_import_with_a_report(tmp_path):
    path = write_csv(
        tmp_path,
        [
            ("siep", "SIEP Namur", "Namur", "", "", "fr", ""),
            ("bakery", "Boulangerie", "Namur", "", "", "fr", ""),
            ("siep", "SIEP Atlantis", "Atlantis", "5000", "", "fr", ""),
            ("siep", "SIEP Namur bis", "Namur", "4000", "not a url", "xx", ""),
        ],
    )
    errors = StringIO()

    with pytest.raises(CommandError, match="invalid row"):
        call_command("import_centres", str(path), stdout=StringIO(), stderr=errors)

    report = errors.getvalue()
    assert "line 3: kind" in report
    assert "line 4: municipality" in report
    assert "line 5: postcode" in report and "line 5: website" in report
    assert "line 5: languages" in report
    assert not Centre.objects.exists()


def test_missing_file_and_missing_columns_are_clear(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_centres", str(tmp_path / "nope.csv"))
    path = tmp_path / "bad.csv"
    path.write_text("name\nSIEP\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_centres", str(path))


def test_admin_exports_the_selected_centres_as_csv(client):
    centre = CentreFactory(name="SIEP Namur")
    client.force_login(UserFactory(staff=True))

    response = client.post(
        reverse("admin:centres_centre_changelist"),
        {"action": "export_csv", "_selected_action": [centre.pk]},
    )

    assert response.status_code == 200
    rows = list(csv.reader(StringIO(response.content.decode())))
    assert rows[0][:3] == ["slug", "kind", "name"]
    assert rows[1][:3] == ["siep-namur", "siep", "SIEP Namur"]


def test_load_geography_knows_shared_postcodes():
    from centres.geography import load_geography
    from centres.models import PostalCode

    counts = load_geography()

    assert counts["municipalities"] == 565
    assert {p.municipality.name_fr for p in PostalCode.objects.matching("1050")} == {
        "Bruxelles",
        "Ixelles",
    }
    assert PostalCode.objects.matching("Luik").exists()
