"""Offer texts are refused where they are typed: a line break in a title and a description
of a million characters are field errors (400, nothing saved), the model refuses them in
``full_clean`` (admin, services), and the database refuses an over-long description whatever
writes it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from offers.models import Offer
from offers.models.offer import DESCRIPTION_LENGTH
from tests.factories import MembershipFactory, OfferFactory
from tests.offers.test_views import offer_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsellor():
    return MembershipFactory().user


def create(client, counsellor, **changes):
    client.force_login(counsellor)
    centre = counsellor.memberships.get().centre
    return client.post(reverse("offers:manage_create"), offer_data(centre, **changes))


@pytest.mark.parametrize("title", ["Atelier\nCV", "Atelier\r\nCV", "Atelier\u2028CV", "CV\x1b"])
def test_a_title_with_a_line_break_is_a_field_error(client, counsellor, title):
    response = create(client, counsellor, **{"offer-title_fr": title})

    assert response.status_code == 400
    assert 'href="#id_offer-title_fr' in response.content.decode()
    assert not Offer.objects.exists()


def test_a_million_character_description_is_a_field_error(client, counsellor):
    response = create(client, counsellor, **{"offer-description_fr": "mot " * 250_000})

    assert response.status_code == 400
    assert 'href="#id_offer-description_fr' in response.content.decode()
    assert not Offer.objects.exists()


def test_a_description_that_grows_past_the_limit_when_sanitised_is_a_field_error(
    client, counsellor
):
    # Each "&" becomes "&amp;": within the limit as typed, over it once sanitised.
    typed = "&" * (DESCRIPTION_LENGTH - 10)

    response = create(client, counsellor, **{"offer-description_fr": typed})

    assert response.status_code == 400
    assert 'href="#id_offer-description_fr' in response.content.decode()
    assert not Offer.objects.exists()


def test_the_model_refuses_a_line_break_in_a_title():
    offer = OfferFactory.build(title="Atelier\nCV", title_fr="Atelier\nCV")

    with pytest.raises(ValidationError) as refused:
        offer.full_clean(exclude=["centre", "format"])

    assert "title_fr" in refused.value.error_dict


def test_the_database_refuses_an_over_long_description_whatever_writes_it():
    offer = OfferFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(description_fr="x" * (DESCRIPTION_LENGTH + 1))
