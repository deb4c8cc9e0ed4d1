"""The daily review reminders, through the real broker, worker and SMTP server."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from offers import services
from offers.models import Offer, ReviewDigest
from offers.tasks import plan_review_reminders, send_review_digest
from tests.factories import CentreFactory, MembershipFactory, OfferFactory


@pytest.fixture
def centre(db):
    return CentreFactory(name="SIEP Namur")


def test_one_digest_per_counsellor_per_day_even_if_the_job_runs_twice(
    centre, celery_worker, smtp_server, wait_for
):
    first = MembershipFactory(centre=centre).user
    second = MembershipFactory(centre=centre).user
    soon = timezone.localdate() + timedelta(days=10)
    OfferFactory.create_batch(2, centre=centre, published=True, review_due=soon)
    OfferFactory(centre=centre, published=True)  # due in 180 days: not in the digest

    plan_review_reminders.delay().get(timeout=20)
    wait_for(lambda: len(smtp_server.messages) == 2, what="two digests", timeout=20)
    plan_review_reminders.delay().get(timeout=20)  # the job runs again the same day
    for digest in ReviewDigest.objects.all():
        send_review_digest.delay(digest.pk).get(timeout=20)  # and a redelivery

    assert sorted(m["To"] for m in smtp_server.messages) == sorted([first.email, second.email])
    assert all("2" in m["Subject"] for m in smtp_server.messages)
    assert ReviewDigest.objects.filter(sent_at__isnull=False, offer_count=2).count() == 2


def test_the_next_day_brings_a_new_digest(centre, celery_worker, smtp_server, wait_for):
    MembershipFactory(centre=centre)
    OfferFactory(centre=centre, published=True, review_due=timezone.localdate() + timedelta(days=3))

    plan_review_reminders.delay().get(timeout=20)
    wait_for(lambda: len(smtp_server.messages) == 1, what="the first digest", timeout=20)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        plan_review_reminders.delay().get(timeout=20)
        wait_for(lambda: len(smtp_server.messages) == 2, what="the next day's digest", timeout=20)
    assert ReviewDigest.objects.count() == 2


@pytest.mark.django_db
def test_overdue_offers_are_hidden_then_restored_by_confirmation(centre):
    counsellor = MembershipFactory(centre=centre).user
    offer = OfferFactory(centre=centre, published=True)

    with time_machine.travel(timezone.now() + timedelta(days=180 + 31)):
        assert not Offer.objects.findable().filter(pk=offer.pk).exists()
        services.confirm_still_accurate(offer=offer, by=counsellor)
        assert Offer.objects.findable().filter(pk=offer.pk).exists()


@pytest.mark.django_db
def test_offers_overdue_less_than_thirty_days_stay_visible(centre):
    offer = OfferFactory(centre=centre, published=True)

    with time_machine.travel(timezone.now() + timedelta(days=180 + 29)):
        assert Offer.objects.findable().filter(pk=offer.pk).exists()
