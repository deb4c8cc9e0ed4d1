"""The counsellors' offer pages and the moderation queue: access, bad input, query counts."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from offers.models import Offer, OfferRevision, OfferStatus, Session
from tests.factories import (
    CentreFactory,
    FormatFactory,
    MembershipFactory,
    OfferFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    return OfferFactory(title="Atelier CV", title_fr="Atelier CV")


@pytest.fixture
def counsellor(offer):
    return MembershipFactory(centre=offer.centre).user


def offer_data(centre, **changes):
    data = {
        "offer-centre": centre.pk,
        "offer-title_fr": "Séance d’information sur les métiers",
        "offer-format": FormatFactory().pk,
        "offer-delivery_mode": "on_site",
        "offer-uses_centre_address": "on",
        "offer-is_free": "on",
        "offer-booking_need": "recommended",
        "offer-themes": [ThemeFactory().pk],
        "offer-languages": ["fr"],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def in_a_month() -> str:
    """The 10th of next month or the one after: always ahead, a day every month has."""
    return (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=10).isoformat()


def manage_views(offer):
    session = Session.objects.create(
        offer=offer, starts_at="2030-01-01T10:00Z", ends_at="2030-01-01T12:00Z"
    )
    return [
        ("get", reverse("offers:manage_detail", kwargs={"pk": offer.pk})),
        ("get", reverse("offers:manage_edit", kwargs={"pk": offer.pk})),
        ("post", reverse("offers:manage_edit", kwargs={"pk": offer.pk})),
        ("post", reverse("offers:manage_duplicate", kwargs={"pk": offer.pk})),
        ("post", reverse("offers:manage_action", kwargs={"pk": offer.pk, "action": "submit"})),
        ("post", reverse("offers:session_add", kwargs={"pk": offer.pk})),
        (
            "post",
            reverse("offers:session_cancel", kwargs={"pk": offer.pk, "session_id": session.pk}),
        ),
    ]


def test_counsellor_of_another_centre_gets_404_everywhere(client, offer):
    client.force_login(MembershipFactory().user)
    for method, url in manage_views(offer):
        assert getattr(client, method)(url).status_code == 404, url
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert not Session.objects.filter(offer=offer, is_cancelled=True).exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, offer):
    for method, url in [*manage_views(offer), ("get", reverse("offers:manage_list"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_only_administrators_reach_the_moderation_queue(client, offer, counsellor):
    offer.status, offer.submitted_at = OfferStatus.SUBMITTED, "2030-01-01T10:00Z"
    offer.save()
    client.force_login(counsellor)
    for url in (
        reverse("offers:moderation"),
        reverse("offers:review_offer", kwargs={"pk": offer.pk}),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("offers:review_offer", kwargs={"pk": offer.pk}), {"decision": "approve"}
        ).status_code
        == 404
    )
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUBMITTED


def test_counsellor_lists_only_their_centres_offers(client, offer, counsellor):
    OfferFactory(title="Offre d’un autre centre", title_fr="Offre d’un autre centre")
    client.force_login(counsellor)

    html = client.get(reverse("offers:manage_list")).content.decode()

    assert "Atelier CV" in html and "autre centre" not in html


def test_counsellor_creates_a_draft_with_sanitised_description(client, counsellor, offer):
    client.force_login(counsellor)

    response = client.post(
        reverse("offers:manage_create"),
        offer_data(
            offer.centre,
            **{"offer-description_fr": '<p onclick="x()">Bienvenue<script>1</script></p>'},
        ),
    )

    assert response.status_code == 302
    created = Offer.objects.get(title_fr__startswith="Séance")
    assert created.status == OfferStatus.DRAFT
    assert created.description_fr == "<p>Bienvenue</p>"
    assert created.created_by == counsellor


def test_counsellor_cannot_create_an_offer_for_another_centre(client, counsellor):
    client.force_login(counsellor)
    response = client.post(reverse("offers:manage_create"), offer_data(CentreFactory()))
    assert response.status_code == 400
    assert not Offer.objects.filter(title_fr__startswith="Séance").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"offer-age_min": "30", "offer-age_max": "15"}, "age_max"),
        ({"offer-is_free": None}, "price"),
        ({"offer-format": "999999"}, "format"),
        ({"offer-themes": ["unknown-slug"]}, "themes"),
        ({"offer-uses_centre_address": None}, "municipality"),
        ({"offer-title_fr": ""}, "title_fr"),
    ],
)
def test_bad_offer_input_is_a_field_error_and_saves_nothing(
    client, counsellor, offer, changes, field
):
    client.force_login(counsellor)

    response = client.post(reverse("offers:manage_create"), offer_data(offer.centre, **changes))

    assert response.status_code == 400
    assert f'href="#id_offer-{field}' in response.content.decode()
    assert Offer.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"session-ends_at": f"{in_a_month()}T09:00"}, "ends_at"),
        ({"session-capacity": "0"}, "capacity"),
        ({"session-capacity": "-4"}, "capacity"),
        ({"session-occurrences": "500"}, "occurrences"),
        ({"session-starts_at": "not a date"}, "starts_at"),
    ],
)
def test_bad_session_input_is_a_field_error_and_saves_nothing(
    client, counsellor, offer, changes, field
):
    client.force_login(counsellor)
    data = {
        "session-starts_at": f"{in_a_month()}T10:00",
        "session-ends_at": f"{in_a_month()}T12:00",
        "session-repeat": "weekly",
        "session-occurrences": "4",
    }
    data.update(changes)

    response = client.post(reverse("offers:session_add", kwargs={"pk": offer.pk}), data)

    assert response.status_code == 400
    assert f'href="#id_session-{field}"' in response.content.decode()
    assert not Session.objects.exists()


@time_machine.travel("2030-01-15 09:00 +01:00", tick=False)
def test_weekly_series_keeps_the_wall_clock_time_across_dst(client, counsellor, offer):
    from zoneinfo import ZoneInfo

    client.force_login(counsellor)
    client.post(
        reverse("offers:session_add", kwargs={"pk": offer.pk}),
        {
            "session-starts_at": "2030-03-20T10:00",  # DST starts on 31 March 2030
            "session-ends_at": "2030-03-20T12:00",
            "session-repeat": "weekly",
            "session-occurrences": "3",
            "session-capacity": "12",
        },
    )

    sessions = list(Session.objects.filter(offer=offer).order_by("starts_at"))
    local = [s.starts_at.astimezone(ZoneInfo("Europe/Brussels")) for s in sessions]
    assert [(d.day, d.hour) for d in local] == [(20, 10), (27, 10), (3, 10)]
    assert len({s.series for s in sessions}) == 1 and sessions[0].capacity == 12


def test_cancel_a_single_date_of_a_series(client, counsellor, offer):
    client.force_login(counsellor)
    client.post(
        reverse("offers:session_add", kwargs={"pk": offer.pk}),
        {"session-starts_at": f"{in_a_month()}T10:00", "session-ends_at": f"{in_a_month()}T11:00",
         "session-repeat": "monthly", "session-occurrences": "3"},
    )  # fmt: skip
    middle = Session.objects.order_by("starts_at")[1]

    client.post(reverse("offers:session_cancel", kwargs={"pk": offer.pk, "session_id": middle.pk}))

    assert list(Session.objects.order_by("starts_at").values_list("is_cancelled", flat=True)) == [
        False,
        True,
        False,
    ]


def test_editing_a_published_offer_makes_a_pending_edit(client, counsellor, offer):
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.PUBLISHED)
    client.force_login(counsellor)

    client.post(
        reverse("offers:manage_edit", kwargs={"pk": offer.pk}),
        offer_data(offer.centre, **{"offer-title_fr": "Atelier CV et lettre"}),
    )

    offer.refresh_from_db()
    assert offer.title_fr == "Atelier CV"
    assert OfferRevision.objects.get(offer=offer).data["title_fr"] == "Atelier CV et lettre"


def test_administrator_approves_from_the_queue_and_the_submitter_is_told(
    client, counsellor, offer, smtp_server, celery_worker, wait_for
):
    Offer.objects.filter(pk=offer.pk).update(
        status=OfferStatus.SUBMITTED, created_by=counsellor, submitted_at="2030-01-01T10:00Z"
    )
    client.force_login(UserFactory(staff=True))

    response = client.post(
        reverse("offers:review_offer", kwargs={"pk": offer.pk}), {"decision": "approve"}
    )

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    wait_for(lambda: smtp_server.messages, what="the decision e-mail", timeout=20)
    assert smtp_server.messages[0]["To"] == counsellor.email


def test_rejecting_without_a_reason_is_a_field_error(client, offer):
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.SUBMITTED)
    client.force_login(UserFactory(staff=True))

    response = client.post(
        reverse("offers:review_offer", kwargs={"pk": offer.pk}), {"decision": "reject"}
    )

    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()


def test_counsellor_offer_list_query_count_is_fixed(
    client, counsellor, offer, django_assert_max_num_queries
):
    OfferFactory.create_batch(15, centre=offer.centre)
    client.force_login(counsellor)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("offers:manage_list"))
    OfferFactory.create_batch(10, centre=offer.centre)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("offers:manage_list"))


def test_moderation_queue_query_count_is_fixed(client, django_assert_max_num_queries):
    admin = UserFactory(staff=True)
    OfferFactory.create_batch(3, submitted=True)
    client.force_login(admin)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("offers:moderation"))
    OfferFactory.create_batch(12, submitted=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("offers:moderation"))
