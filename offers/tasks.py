"""Freshness of the register: a daily digest of offers whose review is due.

The digest of a counsellor for a day is a ``ReviewDigest`` row: the planner creates the rows,
the sender claims one with ``SELECT … FOR UPDATE SKIP LOCKED`` and stamps it in the same
transaction as the sending. Running either task twice sends nothing more.
"""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from guidance_portal.locking import LockKind, hold
from offers.indexing import index_offers, rebuild_index, unfindable_offer_ids
from offers.models import Offer, OfferStatus, ReviewDigest, SearchDocument

DUE_WITHIN_DAYS = 14


def offers_due(user: User, day: date):
    """Published offers of the user's centres whose review falls due within 14 days."""
    return (
        Offer.objects.editable_by(user)
        .filter(status=OfferStatus.PUBLISHED, review_due__lte=day + timedelta(days=DUE_WITHIN_DAYS))
        .select_related("centre")
        .order_by("review_due", "title")
    )


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def plan_review_reminders(day: str | None = None) -> int:
    """Create today's digest row for each counsellor with offers due; queue their sending."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    horizon = today + timedelta(days=DUE_WITHIN_DAYS)
    users = User.objects.filter(
        is_active=True,
        memberships__centre__offers__status=OfferStatus.PUBLISHED,
        memberships__centre__offers__review_due__lte=horizon,
    ).distinct()
    queued = 0
    for user in users:
        with transaction.atomic():
            digest, _created = ReviewDigest.objects.get_or_create(user=user, day=today)
            if digest.sent_at is None:
                transaction.on_commit(lambda pk=digest.pk: send_review_digest.delay(pk))
                queued += 1
    return queued


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=900,
    max_retries=10,
)
def send_review_digest(digest_id: int) -> bool:
    """Send one digest, once: the row is locked and stamped with the sending."""
    with transaction.atomic():
        digest = (
            ReviewDigest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=digest_id, sent_at__isnull=True)
            .first()
        )
        if digest is None:
            return False
        user = digest.user
        offers = list(offers_due(user, digest.day))
        if offers:
            with translation.override(user.language):
                context = {
                    "user": user,
                    "offers": offers,
                    "day": digest.day,
                    "link": settings.SITE_URL + reverse("centres:dashboard"),
                }
                message = EmailMultiAlternatives(
                    render_to_string("offers/email/review_digest_subject.txt", context).strip(),
                    render_to_string("offers/email/review_digest.txt", context),
                    to=[user.email],
                )
                message.attach_alternative(
                    render_to_string("offers/email/review_digest.html", context), "text/html"
                )
            message.send()
        digest.offer_count = len(offers)
        digest.sent_at = timezone.now()
        digest.save(update_fields=["offer_count", "sent_at"])
    return bool(offers)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=900,
    max_retries=10,
)
def send_moderation_notice(notice_id: int) -> bool:
    """Tell the submitter what the administrator decided, in their language, once."""
    from offers.models import ModerationNotice

    with transaction.atomic():
        notice = (
            ModerationNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "offer__centre")
            .filter(pk=notice_id, sent_at__isnull=True)
            .first()
        )
        if notice is None:
            return False
        with translation.override(notice.recipient.language):
            context = {
                "notice": notice,
                "offer": notice.offer,
                "link": settings.SITE_URL
                + reverse("offers:manage_detail", kwargs={"pk": notice.offer_id}),
            }
            message = EmailMultiAlternatives(
                render_to_string("offers/email/moderation_subject.txt", context).strip(),
                render_to_string("offers/email/moderation.txt", context),
                to=[notice.recipient.email],
            )
        message.send()
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
    return True


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def reindex_offers(offer_ids: list[int]) -> int:
    """Bring the search documents of these offers in step with the register (idempotent)."""
    return index_offers(offer_ids, with_terms=False)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def refresh_past_sessions() -> int:
    """Reindex the documents whose next session has started, so dates and sorting stay true.

    The index lock is taken first, as every index writer does, so the rows claimed here are
    never waited for by a writer holding it. Running it twice reindexes nothing more.
    """
    with transaction.atomic():
        hold(LockKind.SEARCH_INDEX)
        ids = list(
            SearchDocument.objects.select_for_update(skip_locked=True)
            .filter(next_session_at__lt=timezone.now())
            .order_by("offer_id")
            .values_list("offer_id", flat=True)[:5000]
        )
        return index_offers(ids, with_terms=False)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def drop_unfindable_offers() -> int:
    """Daily, just after midnight: offers whose review is 30 days overdue leave the index.

    The search trusts the index to hold exactly ``Offer.objects.findable()``; an offer stops
    being findable without any write when its review date passes by, so this reindexes the
    documents of offers no longer findable (which removes them). Running it twice removes
    nothing more.
    """
    ids = unfindable_offer_ids()
    for start in range(0, len(ids), 2000):
        index_offers(ids[start : start + 2000], with_terms=False)
    return len(ids)


# Set while a rebuild is queued or running, so a thousand searches on an index that was
# never built queue one rebuild; it expires in case the worker died with it.
REBUILD_QUEUED_KEY = "search:rebuild-queued"
REBUILD_QUEUED_SECONDS = 30 * 60


def queue_rebuild() -> bool:
    """Queue one rebuild of the search index after commit, unless one is already queued."""
    if not cache.add(REBUILD_QUEUED_KEY, timezone.now().isoformat(), REBUILD_QUEUED_SECONDS):
        return False
    rebuild_search_index.delay_on_commit()
    return True


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def rebuild_search_index() -> int:
    """Rebuild the whole search index (documents, then every set); returns the findable.

    Queued by a search that found the index never built. Idempotent: a second run writes
    the same documents and sets again. The queued flag is cleared when it is done.
    """
    try:
        return rebuild_index().findable
    finally:
        cache.delete(REBUILD_QUEUED_KEY)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=12,
)
def send_booking_message(message_id: int) -> bool:
    """Send one booking e-mail, once: the row is locked and stamped in the same transaction.

    An SMTP failure raises, the transaction rolls back (the row stays unsent) and Celery
    retries with backoff; the periodic sweep picks up anything still due.
    """
    from offers.booking_mail import build_message
    from offers.models import BookingMessage

    with transaction.atomic():
        message = (
            BookingMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("booking__session__offer__centre__municipality")
            .filter(pk=message_id, sent_at__isnull=True, due_at__lte=timezone.now())
            .first()
        )
        if message is None:
            return False
        booking = message.booking
        stale_reminder = message.kind == "reminder" and (
            booking.session.is_cancelled or booking.status != "confirmed"
        )
        if booking.purged_at is not None or stale_reminder:
            message.delete()  # nothing to say any more
            return False
        BookingMessage.objects.filter(pk=message.pk).update(attempts=message.attempts + 1)
        build_message(message).send()
        message.sent_at = timezone.now()
        message.save(update_fields=["sent_at"])
    return True


@shared_task(acks_late=True)
def send_due_booking_messages(limit: int = 500) -> int:
    """Every minute: queue the booking e-mails that are due and unsent (reminders, retries)."""
    from offers.models import BookingMessage

    ids = list(
        BookingMessage.objects.filter(sent_at__isnull=True, due_at__lte=timezone.now())
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        send_booking_message.delay(pk)
    return len(ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def purge_bookings() -> int:
    """Daily: blank the personal data of bookings of sessions that ended long enough ago."""
    from offers.bookings import purge

    return purge(older_than_days=settings.BOOKING_RETENTION_DAYS)
