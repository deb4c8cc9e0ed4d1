"""Background work of the register: the e-mails it owes, the index, the purge.

Every e-mail is a row sent once by ``guidance_portal.mail``: the daily review digest of a
counsellor (``ReviewDigest``, planned here), the moderation decision (``ModerationNotice``)
and the booking messages (``BookingMessage``). Running any task twice sends nothing more.
"""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from guidance_portal import mail
from guidance_portal.locking import LockKind, hold
from offers.booking_mail import booking_email
from offers.indexing import index_offers, rebuild_index, unfindable_offer_ids
from offers.models import (
    BookingMessage,
    BookingStatus,
    MessageKind,
    ModerationNotice,
    Offer,
    OfferStatus,
    ReviewDigest,
    SearchDocument,
)

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
            digest, created = ReviewDigest.objects.get_or_create(user=user, day=today)
            if created:
                send_review_digest.kind.queue([digest.pk])
                queued += 1
    return queued


@mail.sender(ReviewDigest, related=["user"])
def send_review_digest(digest: ReviewDigest) -> mail.Email | None:
    """The digest of a counsellor for a day, once; nothing when no offer is due any more."""
    user = digest.user
    offers = list(offers_due(user, digest.day))
    ReviewDigest.objects.filter(pk=digest.pk).update(offer_count=len(offers))
    if not offers:
        return None
    return mail.Email(
        to=user.email,
        language=user.language,
        template="offers/email/review_digest",
        context={
            "user": user,
            "offers": offers,
            "day": digest.day,
            "link": mail.link(user.language, "centres:dashboard"),
        },
    )


@mail.sender(ModerationNotice, related=["recipient", "offer__centre"])
def send_moderation_notice(notice: ModerationNotice) -> mail.Email:
    """Tell the submitter what the administrator decided, in their language, once."""
    language = notice.recipient.language
    return mail.Email(
        to=notice.recipient.email,
        language=language,
        template="offers/email/moderation",
        html=False,
        context={
            "notice": notice,
            "offer": notice.offer,
            "link": mail.link(language, "offers:manage_detail", pk=notice.offer_id),
        },
    )


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


@mail.sender(
    BookingMessage,
    related=["booking__session__offer__centre__municipality"],
    due=lambda: Q(due_at__lte=timezone.now()),
)
def send_booking_message(message: BookingMessage) -> mail.Email | None:
    """One e-mail owed to a citizen, once it is due. A reminder of a session that is off, or
    any message of a booking whose data is purged, has nothing left to say: the row goes."""
    booking = message.booking
    stale_reminder = message.kind == MessageKind.REMINDER and (
        booking.session.is_cancelled or booking.status != BookingStatus.CONFIRMED
    )
    if booking.purged_at is not None or stale_reminder:
        message.delete()
        return None
    return booking_email(message)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def purge_bookings() -> int:
    """Daily: blank the personal data of bookings of sessions that ended long enough ago."""
    from offers.bookings import purge

    return purge(older_than_days=settings.BOOKING_RETENTION_DAYS)
