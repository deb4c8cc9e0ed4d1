"""Reads that shape the offers' pages, each with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from offers.models import Offer, OfferRevision
from offers.models.offer import RevisionStatus


def offers_for_counsellor(user: User) -> QuerySet[Offer]:
    """The user's centres' offers with their next session and any pending edit (1 query)."""
    return (
        Offer.objects.editable_by(user)
        .select_related("centre", "format")
        .annotate(
            next_session=Min(
                "sessions__starts_at",
                filter=Q(sessions__starts_at__gte=timezone.now(), sessions__is_cancelled=False),
            ),
            has_pending_edit=Exists(
                OfferRevision.objects.filter(offer=OuterRef("pk"), status=RevisionStatus.PENDING)
            ),
        )
        .order_by("centre__name", "title")
    )


def moderation_queue() -> tuple[QuerySet[Offer], QuerySet[OfferRevision]]:
    """Submitted offers and pending edits, oldest first (2 queries)."""
    offers = Offer.objects.awaiting_moderation().select_related("centre", "format", "created_by")
    edits = (
        OfferRevision.objects.filter(status=RevisionStatus.PENDING)
        .select_related("offer__centre", "proposed_by")
        .order_by("proposed_at")
    )
    return offers, edits
