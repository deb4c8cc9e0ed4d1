"""Who may see or change which offer, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User

OVERDUE_GRACE_DAYS = 30


class OfferQuerySet(models.QuerySet):
    def findable(self) -> OfferQuerySet:
        """What citizens see and the search index holds: published, in an active centre,
        not 30 days past its review date (a daily job takes those out of the index)."""
        hidden_before = timezone.localdate() - timezone.timedelta(days=OVERDUE_GRACE_DAYS)
        return self.filter(status="published", centre__is_active=True).exclude(
            review_due__lt=hidden_before
        )

    def editable_by(self, user: User) -> OfferQuerySet:
        """Offers of the centres the user keeps; administrators: all."""
        from centres.models import Centre

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(centre__in=Centre.objects.editable_by(user))

    def moderatable_by(self, user: User) -> OfferQuerySet:
        """Administrators moderate every offer; nobody else moderates any."""
        if user.is_authenticated and user.is_active and user.is_staff:
            return self.all()
        return self.none()

    def awaiting_moderation(self) -> OfferQuerySet:
        return self.filter(status="submitted").order_by("submitted_at")


class SessionQuerySet(models.QuerySet):
    def upcoming(self) -> SessionQuerySet:
        return self.filter(starts_at__gte=timezone.now(), is_cancelled=False)
