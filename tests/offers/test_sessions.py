"""Adding and moving sessions: times are read on the local clock, never a server error.

A series keeps the wall-clock times typed on every date; a time that does not exist (the
night the clocks go forward) is moved forward by the gap, one that happens twice (the night
they go back) is the first, and the end follows the start by the length typed. Every date is
bounded: from yesterday to ``MAX_DAYS_AHEAD`` days ahead, the last date of a series too; a
date out of bounds is a field error and nothing is saved.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from offers.models import Session
from tests.factories import MembershipFactory, OfferFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = ZoneInfo("UTC")
# Today, for the tests about the changes of 2027: the last Sundays of March and October.
EARLY_2027 = "2027-03-01 09:00 +01:00"


@pytest.fixture
def early_2027():
    """Today is 1 March 2027 (requested before signing in, so the session is not expired)."""
    with time_machine.travel(EARLY_2027, tick=False):
        yield


@pytest.fixture
def offer():
    return OfferFactory(title="Atelier CV")


@pytest.fixture
def counsellor_client(client, offer):
    client.force_login(MembershipFactory(centre=offer.centre).user)
    return client


def add_sessions(client, offer, starts, ends, repeat="none", occurrences="1"):
    return client.post(
        reverse("offers:session_add", kwargs={"pk": offer.pk}),
        {
            "session-starts_at": starts,
            "session-ends_at": ends,
            "session-repeat": repeat,
            "session-occurrences": occurrences,
        },
    )


def local_times(offer) -> list[tuple[str, str]]:
    return [
        (
            session.starts_at.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M"),
            session.ends_at.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M"),
        )
        for session in Session.objects.filter(offer=offer).order_by("starts_at")
    ]


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_weekly_series_over_the_spring_change_moves_the_missing_time_by_the_gap(
    early_2027, counsellor_client, offer
):
    # 28 March 2027, 02:30 does not exist in Brussels: clocks go from 02:00 to 03:00.
    response = add_sessions(
        counsellor_client, offer, "2027-03-21T02:30", "2027-03-21T03:30", "weekly", "2"
    )

    assert response.status_code == 302
    assert local_times(offer) == [
        ("2027-03-21 02:30", "2027-03-21 03:30"),
        ("2027-03-28 03:30", "2027-03-28 04:30"),
    ]
    assert any("02:30" in text and "03:30" in text for text in texts(response))


def test_a_weekly_series_over_the_autumn_change_takes_the_first_of_the_repeated_times(
    early_2027, counsellor_client, offer
):
    # 31 October 2027, 02:30 happens twice: first in summer time (+02:00), then in winter time.
    response = add_sessions(
        counsellor_client, offer, "2027-10-24T02:30", "2027-10-24T03:30", "weekly", "2"
    )

    assert response.status_code == 302
    second = Session.objects.filter(offer=offer).order_by("starts_at")[1]
    assert second.starts_at.astimezone(BRUSSELS).utcoffset() == timedelta(hours=2)
    assert second.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert local_times(offer)[1] == ("2027-10-31 02:30", "2027-10-31 03:30")


def test_a_single_session_in_the_missing_hour_starts_after_the_gap_and_keeps_its_length(
    early_2027, counsellor_client, offer
):
    response = add_sessions(counsellor_client, offer, "2027-03-28T02:30", "2027-03-28T03:30")

    assert response.status_code == 302
    assert local_times(offer) == [("2027-03-28 03:30", "2027-03-28 04:30")]


def test_a_single_session_in_the_repeated_hour_is_the_first_one(
    early_2027, counsellor_client, offer
):
    response = add_sessions(counsellor_client, offer, "2027-10-31T02:15", "2027-10-31T02:45")

    assert response.status_code == 302
    session = Session.objects.get(offer=offer)
    assert session.starts_at == datetime(2027, 10, 31, 0, 15, tzinfo=UTC)
    assert session.ends_at - session.starts_at == timedelta(minutes=30)


def test_a_series_over_several_days_ends_at_the_time_typed_across_the_change(
    early_2027, counsellor_client, offer
):
    response = add_sessions(counsellor_client, offer, "2027-03-27T10:00", "2027-03-29T17:00")

    assert response.status_code == 302
    assert local_times(offer) == [("2027-03-27 10:00", "2027-03-29 17:00")]


def test_a_weekly_series_past_the_year_9999_is_a_field_error(counsellor_client, offer):
    response = add_sessions(
        counsellor_client, offer, "9999-12-24T10:00", "9999-12-24T12:00", "weekly", "3"
    )

    assert response.status_code == 400
    assert 'href="#id_session-starts_at"' in response.content.decode()
    assert not Session.objects.exists()


def test_a_series_ending_more_than_three_years_ahead_is_a_field_error_on_its_count(
    counsellor_client, offer
):
    first = timezone.localdate() + timedelta(days=1000)

    response = add_sessions(
        counsellor_client, offer, f"{first}T10:00", f"{first}T12:00", "weekly", "52"
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_session-occurrences"' in html
    assert not Session.objects.exists()
    weeks_left = (timezone.localdate() + timedelta(days=3 * 365 + 1) - first).days // 7 + 1
    accepted = add_sessions(
        counsellor_client, offer, f"{first}T10:00", f"{first}T12:00", "weekly", str(weeks_left)
    )
    assert accepted.status_code == 302
    assert Session.objects.count() == weeks_left


def test_a_monthly_series_past_the_horizon_is_refused_too(counsellor_client, offer):
    first = timezone.localdate().replace(day=1) + timedelta(days=40)

    response = add_sessions(
        counsellor_client, offer, f"{first}T10:00", f"{first}T12:00", "monthly", "52"
    )

    assert response.status_code == 400
    assert 'href="#id_session-occurrences"' in response.content.decode()


@pytest.mark.parametrize(
    "starts",
    ["2020-01-01T10:00", "0001-01-01T10:00", "10000-01-01T10:00", "2027-02-30T10:00", "²"],
)
def test_a_start_out_of_bounds_or_not_a_date_is_a_field_error(counsellor_client, offer, starts):
    response = add_sessions(counsellor_client, offer, starts, "2027-03-01T12:00")

    assert response.status_code == 400
    assert 'href="#id_session-starts_at"' in response.content.decode()
    assert not Session.objects.exists()


def test_a_session_starting_yesterday_may_still_be_recorded(counsellor_client, offer):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = add_sessions(counsellor_client, offer, f"{yesterday}T10:00", f"{yesterday}T12:00")

    assert response.status_code == 302


def test_a_session_moved_into_the_missing_hour_starts_after_the_gap(
    early_2027, counsellor_client, offer
):
    starts = datetime(2027, 3, 10, 10, tzinfo=BRUSSELS)
    session = Session.objects.create(
        offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    prefix = f"move-{session.pk}"

    counsellor_client.post(
        reverse("offers:session_move", kwargs={"pk": offer.pk, "session_id": session.pk}),
        {f"{prefix}-starts_at": "2027-03-28T02:30", f"{prefix}-ends_at": "2027-03-28T03:30"},
    )

    assert local_times(offer) == [("2027-03-28 03:30", "2027-03-28 04:30")]


def test_a_session_moved_past_the_horizon_is_refused_with_a_message(counsellor_client, offer):
    starts = timezone.now() + timedelta(days=3)
    session = Session.objects.create(
        offer=offer, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    prefix = f"move-{session.pk}"

    response = counsellor_client.post(
        reverse("offers:session_move", kwargs={"pk": offer.pk, "session_id": session.pk}),
        {f"{prefix}-starts_at": "9999-12-31T10:00", f"{prefix}-ends_at": "9999-12-31T11:00"},
    )

    assert response.status_code == 302
    assert Session.objects.get().starts_at == starts
    assert texts(response)
