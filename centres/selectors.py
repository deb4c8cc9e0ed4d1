"""Reads that shape the centres' pages, each with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from centres.models import Centre, CentreKind, ExceptionalDay, Invitation, Membership, OpeningSlot


def directory_queryset() -> QuerySet[Centre]:
    return Centre.objects.active().for_listing()


def centre_for_page(queryset: QuerySet[Centre], slug: str) -> Centre:
    """The centre with everything its page shows: 1 query + 3 prefetches."""
    today = timezone.localdate()
    from charter.selectors import is_signatory

    return (
        queryset.select_related("municipality__province", "network", "parent__municipality")
        .annotate(is_charter_signatory=is_signatory("pk"))
        .prefetch_related(
            Prefetch("opening_slots", queryset=OpeningSlot.objects.order_by("weekday", "opens")),
            Prefetch(
                "exceptional_days",
                queryset=ExceptionalDay.objects.filter(date__gte=today).order_by("date", "opens"),
            ),
            Prefetch(
                "associated_centres",
                queryset=Centre.objects.active().select_related("municipality").order_by("name"),
            ),
        )
        .get(slug=slug)
    )


def cites_network() -> QuerySet[Centre]:
    """The Cités des Métiers with their associated centres (2 queries)."""
    return (
        Centre.objects.active()
        .filter(kind=CentreKind.CITE_DES_METIERS)
        .select_related("municipality__province")
        .prefetch_related(
            Prefetch(
                "associated_centres",
                queryset=Centre.objects.active()
                .select_related("municipality__province")
                .order_by("name"),
            )
        )
        .order_by("name")
    )


def team_of(centre: Centre) -> dict[str, list]:
    """The centre's members and the invitations not yet answered (2 queries)."""
    return {
        "members": list(
            Membership.objects.filter(centre=centre).select_related("user").order_by("user__email")
        ),
        "invitations": list(
            Invitation.objects.filter(centre=centre)
            .open()
            .select_related("invited_by")
            .order_by("created_at", "pk")
        ),
    }
