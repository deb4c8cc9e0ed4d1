import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import PostalCode
from tests.factories import (
    CentreFactory,
    MunicipalityFactory,
    OpeningSlotFactory,
    PostalCodeFactory,
    ProvinceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    namur = PostalCodeFactory()
    liege_province = ProvinceFactory(
        refnis="60000", name="Province de Liège", name_fr="Province de Liège", slug="liege"
    )
    liege = MunicipalityFactory(
        refnis="62063", name="Liège", name_fr="Liège", name_nl="Luik",
        province=liege_province, latitude=50.6326, longitude=5.5797,
    )  # fmt: skip
    PostalCodeFactory(code="4000", municipality=liege)
    huy = MunicipalityFactory(
        refnis="61031", name="Huy", name_fr="Huy", name_nl="Hoei",
        province=liege_province, latitude=50.5185, longitude=5.2402,
    )  # fmt: skip
    PostalCodeFactory(code="4500", municipality=huy)
    return {"namur": namur.municipality, "liege": liege, "huy": huy}


def directory(client, **params):
    return client.get(reverse("centres:directory"), params)


def test_near_search_lists_the_nearest_first_within_the_radius(client, places):
    CentreFactory(name="SIEP Namur", municipality=places["namur"])
    CentreFactory(name="Carrefour des Métiers de Huy", municipality=places["huy"])
    CentreFactory(name="SIEP Liège", municipality=places["liege"])

    response = directory(client, near="5000", radius=40)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("SIEP Namur") < html.index("Carrefour des Métiers de Huy")
    assert "SIEP Liège" not in html  # about 52 km from Namur


def test_near_accepts_a_municipality_name_without_accents(client, places):
    CentreFactory(name="SIEP Liège", municipality=places["liege"])

    html = directory(client, near="liege", radius=5).content.decode()

    assert "SIEP Liège" in html


def test_a_postcode_shared_by_two_municipalities_resolves_to_both():
    brussels = ProvinceFactory(refnis="04000", name="Bruxelles", slug="brussels", region="04000")
    for refnis, name in (("21004", "Bruxelles"), ("21005", "Etterbeek")):
        PostalCodeFactory(
            code="1040",
            municipality=MunicipalityFactory(
                refnis=refnis, name=name, name_fr=name, province=brussels
            ),
        )

    names = {p.municipality.name for p in PostalCode.objects.matching("1040")}

    assert names == {"Bruxelles", "Etterbeek"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"near": "9999"}, "« 9999 »"),
        ({"near": "5000", "radius": "-3"}, "supérieure ou égale à 1"),
        ({"near": "5000", "radius": "abc"}, "Saisissez un nombre"),
        ({"q": "x" * 2000}, "au plus 100 caractères"),
    ],
)
def test_bad_filters_give_a_clear_message_not_an_error(client, places, params, message):
    CentreFactory(name="SIEP Namur", municipality=places["namur"])

    response = directory(client, **params)

    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert message in html


@pytest.mark.parametrize("page", ["999999", "abc", "-1"])
def test_impossible_page_numbers_show_a_page(client, places, page):
    CentreFactory(municipality=places["namur"])

    assert directory(client, page=page).status_code == 200


def test_empty_result_suggests_widening_the_search(client, places):
    html = directory(client, near="5000", radius=1).content.decode()
    assert "50 km" in html


def test_filters_by_kind_province_and_language(client, places):
    CentreFactory(
        name="Cité de Namur", cite=True, municipality=places["namur"], languages=["fr", "nl"]
    )
    CentreFactory(name="SIEP Huy", municipality=places["huy"])

    assert "SIEP Huy" not in directory(client, kind="cite_des_metiers").content.decode()
    assert "Cité de Namur" not in directory(client, province="liege").content.decode()
    assert "SIEP Huy" not in directory(client, language="nl").content.decode()


def count_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert directory(client, **params).status_code == 200
    return len(queries)


def test_directory_query_count_does_not_grow_with_the_centres(client, places):
    CentreFactory.create_batch(2, municipality=places["namur"])
    few = count_queries(client, near="5000", radius=50)
    CentreFactory.create_batch(18, municipality=places["huy"])
    assert count_queries(client, near="5000", radius=50) == few
    assert few <= 6


def test_centre_page_query_count_is_fixed(client, places, django_assert_num_queries):
    centre = CentreFactory(
        name="Cité des Métiers de Liège", cite=True, municipality=places["liege"]
    )
    for day in range(5):
        OpeningSlotFactory(centre=centre, weekday=day)
    CentreFactory.create_batch(3, parent=centre, municipality=places["huy"])

    # the centre with its badge, 3 prefetches, its approved charter statements
    with django_assert_num_queries(5):
        response = client.get(centre.get_absolute_url())

    assert response.status_code == 200


def test_centre_page_carries_valid_schema_org_json_ld(client, places):
    centre = CentreFactory(name="SIEP Namur", municipality=places["namur"], phone="081 00 00 00")
    OpeningSlotFactory(centre=centre, weekday=2, opens="09:00", closes="12:30")

    html = client.get(centre.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))

    assert data["@type"] == ["Organization", "Place"]
    assert data["address"]["addressLocality"] == "Namur"
    assert data["geo"]["latitude"] == pytest.approx(50.4669)
    assert data["openingHoursSpecification"][0] == {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": "https://schema.org/Wednesday",
        "opens": "09:00",
        "closes": "12:30",
    }


def test_inactive_centre_page_is_not_found(client, places):
    centre = CentreFactory(municipality=places["namur"], is_active=False)
    assert client.get(centre.get_absolute_url()).status_code == 404


def test_cites_network_shows_each_cite_with_its_associated_centres(
    client, places, django_assert_num_queries
):
    cite = CentreFactory(name="Cité des Métiers de Liège", cite=True, municipality=places["liege"])
    CentreFactory(
        name="Carrefour des Métiers de Huy",
        kind="carrefour_des_metiers",
        parent=cite,
        municipality=places["huy"],
    )

    with django_assert_num_queries(2):
        html = client.get(reverse("centres:cites")).content.decode()

    assert "Carrefour des Métiers de Huy" in html
