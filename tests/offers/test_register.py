from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from offers.models import Audience, Format, MinimumOfferCategory, Session, Theme
from offers.sanitize import clean_html
from tests.factories import OfferFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_vocabularies_are_seeded_in_three_languages():
    assert Theme.objects.filter(is_promoted=True).count() == 2
    assert Theme.objects.count() == 8
    assert Audience.objects.count() == 12
    assert Format.objects.count() == 11
    assert MinimumOfferCategory.objects.exists()
    jobseekers = Audience.objects.get(slug="jobseekers")
    assert (jobseekers.name_fr, jobseekers.name_nl, jobseekers.name_en) == (
        "Demandeurs d’emploi",
        "Werkzoekenden",
        "Jobseekers",
    )


@pytest.mark.parametrize(
    "dirty",
    [
        "<p>Hi<script>alert(1)</script></p>",
        '<p onclick="alert(1)">Hi</p>',
        '<p><a href="javascript:alert(1)">Hi</a></p>',
        '<p style="position:fixed">Hi</p><style>body{}</style>',
    ],
)
def test_rich_text_loses_scripts_handlers_styles_and_javascript_links(dirty):
    clean = clean_html(dirty)
    for bad in ("<script", "onclick", "javascript:", "style", "alert(1)</"):
        assert bad not in clean
    assert "Hi" in clean


def test_links_keep_their_text_and_open_safely():
    assert clean_html('<a href="https://siep.be">SIEP</a>') == (
        '<a href="https://siep.be" rel="noopener noreferrer nofollow">SIEP</a>'
    )


def test_database_refuses_reversed_age_range_and_reversed_session():
    with pytest.raises(IntegrityError):
        OfferFactory(age_min=30, age_max=15)


def test_database_refuses_a_session_ending_before_it_starts():
    offer = OfferFactory()
    start = timezone.now()
    with pytest.raises(IntegrityError):
        Session.objects.create(offer=offer, starts_at=start, ends_at=start - timedelta(hours=1))


def test_database_refuses_zero_places():
    offer = OfferFactory()
    start = timezone.now()
    with pytest.raises(IntegrityError):
        Session.objects.create(
            offer=offer, starts_at=start, ends_at=start + timedelta(hours=1), capacity=0
        )


def test_deleting_a_theme_used_by_offers_is_refused_with_the_count(client):
    theme = ThemeFactory(slug="stem-test", name="STEM test")
    for offer in OfferFactory.create_batch(3):
        offer.themes.add(theme)
    client.force_login(UserFactory(staff=True))

    response = client.post(reverse("admin:offers_theme_delete", args=[theme.pk]), {"post": "yes"})

    assert Theme.objects.filter(pk=theme.pk).exists()
    assert "3" in response.content.decode()


def test_deleting_an_unused_theme_works(client):
    theme = ThemeFactory(slug="unused", name="Unused")
    client.force_login(UserFactory(staff=True))

    client.post(reverse("admin:offers_theme_delete", args=[theme.pk]), {"post": "yes"})

    assert not Theme.objects.filter(pk=theme.pk).exists()
