"""Every transition of the status workflow, for each role: allowed ones move, others refuse."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from offers import services
from offers.models import Offer, OfferRevision, OfferStatus
from offers.services import TransitionError
from tests.factories import MembershipFactory, OfferFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """These tests check behaviour; the messages are matched in the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def offer():
    return OfferFactory()


@pytest.fixture
def roles(offer):
    return {
        "counsellor": MembershipFactory(centre=offer.centre).user,
        "other_counsellor": MembershipFactory().user,
        "administrator": UserFactory(staff=True),
        "anonymous": AnonymousUser(),
    }


def set_status(offer, status, **extra):
    Offer.objects.filter(pk=offer.pk).update(status=status, **extra)
    offer.refresh_from_db()
    return offer


# transition, from status, roles allowed, resulting status
TRANSITIONS = [
    (services.submit, OfferStatus.DRAFT, {"counsellor", "administrator"}, OfferStatus.SUBMITTED),
    (services.publish, OfferStatus.SUBMITTED, {"administrator"}, OfferStatus.PUBLISHED),
    (services.reopen, OfferStatus.REJECTED, {"counsellor", "administrator"}, OfferStatus.DRAFT),
    (
        services.archive,
        OfferStatus.PUBLISHED,
        {"counsellor", "administrator"},
        OfferStatus.ARCHIVED,
    ),
]
ROLES = ["counsellor", "other_counsellor", "administrator", "anonymous"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("transition", "start", "allowed", "end"), TRANSITIONS)
def test_transition_for_each_role(offer, roles, role, transition, start, allowed, end):
    set_status(offer, start, rejection_reason="x" if start == OfferStatus.REJECTED else "")

    if role in allowed:
        assert transition(offer=offer, by=roles[role]).status == end
    else:
        with pytest.raises(TransitionError):
            transition(offer=offer, by=roles[role])
        offer.refresh_from_db()
        assert offer.status == start


@pytest.mark.parametrize("role", ROLES)
def test_reject_needs_an_administrator_and_a_reason(offer, roles, role):
    set_status(offer, OfferStatus.SUBMITTED)
    if role != "administrator":
        with pytest.raises(TransitionError):
            services.reject(offer=offer, by=roles[role], reason="Incomplete")
        return
    with pytest.raises(TransitionError, match="reason"):
        services.reject(offer=offer, by=roles[role], reason="  ")
    rejected = services.reject(offer=offer, by=roles[role], reason="Add the dates.")
    assert rejected.status == OfferStatus.REJECTED
    assert rejected.rejection_reason == "Add the dates."


@pytest.mark.parametrize(
    ("transition", "wrong_start"),
    [
        (services.submit, OfferStatus.PUBLISHED),
        (services.publish, OfferStatus.DRAFT),
        (services.reopen, OfferStatus.PUBLISHED),
        (services.archive, OfferStatus.DRAFT),
        (services.confirm_still_accurate, OfferStatus.DRAFT),
    ],
)
def test_transitions_from_the_wrong_status_are_refused_with_a_message(
    offer, roles, transition, wrong_start
):
    set_status(offer, wrong_start)
    with pytest.raises(TransitionError, match="not possible"):
        transition(offer=offer, by=roles["administrator"])


def test_publishing_sets_the_review_date_180_days_ahead(offer, roles):
    from django.utils import timezone

    set_status(offer, OfferStatus.SUBMITTED)
    published = services.publish(offer=offer, by=roles["administrator"])
    assert (published.review_due - timezone.localdate()).days == 180


def test_a_pending_edit_stays_invisible_until_approved(offer, roles):
    set_status(offer, OfferStatus.PUBLISHED)
    offer = services.confirm_still_accurate(offer=offer, by=roles["counsellor"])

    revision = services.propose_edit(
        offer=offer,
        data={"title_fr": "Atelier CV et lettre", "description_fr": "<p>Nouveau</p>"},
        by=roles["counsellor"],
    )

    public = Offer.objects.findable().get(pk=offer.pk)
    assert public.title_fr != "Atelier CV et lettre"
    services.approve_edit(revision=revision, by=roles["administrator"])
    public = Offer.objects.findable().get(pk=offer.pk)
    assert public.title_fr == "Atelier CV et lettre"
    with pytest.raises(TransitionError, match="already been decided"):
        services.approve_edit(revision=revision, by=roles["administrator"])


def test_a_rejected_edit_keeps_the_published_version_and_the_reason(offer, roles):
    set_status(offer, OfferStatus.PUBLISHED)
    title = offer.title_fr
    revision = services.propose_edit(offer=offer, data={"title_fr": "Oops"}, by=roles["counsellor"])

    services.reject_edit(revision=revision, by=roles["administrator"], reason="Title unclear")

    offer.refresh_from_db()
    assert offer.title_fr == title
    assert OfferRevision.objects.get(pk=revision.pk).reason == "Title unclear"


def test_only_the_centre_may_propose_edits(offer, roles):
    set_status(offer, OfferStatus.PUBLISHED)
    for role in ("other_counsellor", "anonymous"):
        with pytest.raises(TransitionError):
            services.propose_edit(offer=offer, data={"title_fr": "x"}, by=roles[role])


def test_a_second_edit_replaces_the_pending_one(offer, roles):
    set_status(offer, OfferStatus.PUBLISHED)
    services.propose_edit(offer=offer, data={"title_fr": "A"}, by=roles["counsellor"])
    services.propose_edit(offer=offer, data={"title_fr": "B"}, by=roles["counsellor"])
    assert OfferRevision.objects.get(offer=offer).data == {"title_fr": "B"}


def test_offers_thirty_days_past_review_are_hidden_until_confirmed(offer, roles):
    from datetime import timedelta

    from django.utils import timezone

    set_status(offer, OfferStatus.PUBLISHED, review_due=timezone.localdate() - timedelta(days=31))
    assert not Offer.objects.findable().filter(pk=offer.pk).exists()

    services.confirm_still_accurate(offer=offer, by=roles["counsellor"])

    assert Offer.objects.findable().filter(pk=offer.pk).exists()


def test_transitions_are_recorded_in_the_history(offer, roles):
    services.submit(offer=offer, by=roles["counsellor"])
    services.publish(offer=offer, by=roles["administrator"])

    reasons = list(
        offer.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[-2:] == ["submitted", "published"]
