"""Counsellors keep the listing true: validation, preview, all-or-nothing saves, history."""

import pytest
from django.urls import reverse

from centres.history import centre_history
from centres.models import OpeningSlot
from tests.factories import CentreFactory, MembershipFactory, OpeningSlotFactory, PostalCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre():
    place = PostalCodeFactory()
    return CentreFactory(name="SIEP Namur", municipality=place.municipality, postcode="5000")


@pytest.fixture
def counsellor(centre, client):
    user = MembershipFactory(centre=centre).user
    client.force_login(user)
    return user


def form_data(centre, slots=(), days=(), **changes):
    data = {
        "listing-description_fr": "Information sur les études et les métiers.",
        "listing-description_nl": "",
        "listing-description_en": "",
        "listing-street": "",
        "listing-postcode": centre.postcode,
        "listing-municipality": centre.municipality_id,
        "listing-phone": "",
        "listing-email": "",
        "listing-website": "",
        "listing-languages": ["fr"],
        "listing-is_free": "on",
        "hours-TOTAL_FORMS": len(slots),
        "hours-INITIAL_FORMS": 0,
        "days-TOTAL_FORMS": len(days),
        "days-INITIAL_FORMS": 0,
        "save": "1",
    }
    for index, (weekday, opens, closes) in enumerate(slots):
        data.update(
            {
                f"hours-{index}-weekday": weekday,
                f"hours-{index}-opens": opens,
                f"hours-{index}-closes": closes,
            }
        )
    for index, (day, opens, closes, reason) in enumerate(days):
        data.update(
            {
                f"days-{index}-date": day,
                f"days-{index}-opens": opens,
                f"days-{index}-closes": closes,
                f"days-{index}-reason": reason,
            }
        )
    data.update(changes)
    return data


def edit_url(centre):
    return reverse("centres:edit", kwargs={"slug": centre.slug})


def test_counsellor_saves_description_and_hours(client, centre, counsellor):
    response = client.post(
        edit_url(centre), form_data(centre, slots=[(0, "09:00", "12:00"), (0, "13:30", "17:00")])
    )

    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.description_fr.startswith("Information")
    assert centre.opening_slots.count() == 2


def test_closing_before_opening_is_refused_and_nothing_is_saved(client, centre, counsellor):
    response = client.post(
        edit_url(centre),
        form_data(centre, slots=[(0, "18:00", "09:00")], **{"listing-phone": "081 22 33 44"}),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "18:00" in html and 'href="#id_hours-0-closes"' in html
    centre.refresh_from_db()
    assert centre.phone == ""
    assert not OpeningSlot.objects.exists()


def test_overlapping_periods_are_refused(client, centre, counsellor):
    response = client.post(
        edit_url(centre), form_data(centre, slots=[(1, "09:00", "12:00"), (1, "11:00", "14:00")])
    )
    assert response.status_code == 400
    assert not OpeningSlot.objects.exists()


def test_unknown_postcode_is_a_field_error(client, centre, counsellor):
    response = client.post(edit_url(centre), form_data(centre, **{"listing-postcode": "9999"}))

    assert response.status_code == 400
    assert 'href="#id_listing-postcode"' in response.content.decode()


def test_exceptional_day_needs_both_times_or_none(client, centre, counsellor):
    response = client.post(
        edit_url(centre), form_data(centre, days=[("2030-12-24", "09:00", "", "")])
    )
    assert response.status_code == 400


def test_preview_shows_the_hours_without_saving(client, centre, counsellor):
    data = form_data(centre, slots=[(2, "10:00", "16:00")])
    data.pop("save")
    data["preview"] = "1"

    response = client.post(edit_url(centre), data)

    assert response.status_code == 200
    assert "10:00–16:00" in response.content.decode()
    assert not OpeningSlot.objects.exists()


def test_every_change_is_recorded_with_who_and_what(client, centre, counsellor):
    OpeningSlotFactory(centre=centre, weekday=4)
    client.post(
        edit_url(centre),
        form_data(centre, slots=[(0, "09:00", "12:00")], **{"listing-phone": "081 22 33 44"}),
    )

    entries = centre_history(centre)

    listing = next(
        e for e in entries if e.changes and any(c.new == "081 22 33 44" for c in e.changes)
    )
    assert listing.who == str(counsellor)
    assert any("09:00" in e.what for e in entries)


def test_history_page_is_shown_to_managers(client, centre):
    manager = MembershipFactory(centre=centre, manager=True).user
    client.force_login(manager)
    client.post(edit_url(centre), form_data(centre, **{"listing-phone": "081 22 33 44"}))

    html = client.get(reverse("centres:history", kwargs={"slug": centre.slug})).content.decode()

    assert "081 22 33 44" in html
    assert str(manager) in html
