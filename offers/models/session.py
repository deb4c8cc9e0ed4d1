"""Dated occurrences of an offer."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guidance_portal.validators import single_line
from offers.querysets import SessionQuerySet

# How far ahead a session may be planned: the session forms refuse later dates, and the
# search never looks further.
MAX_DAYS_AHEAD = 3 * 365 + 1


class Session(models.Model):
    offer = models.ForeignKey(
        "offers.Offer", on_delete=models.CASCADE, related_name="sessions", verbose_name=_("offer")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty when there is no limit."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True, validators=[single_line])
    online_url = models.URLField(_("online link"), blank=True, validators=[single_line])
    series = models.UUIDField(_("series"), null=True, blank=True, db_index=True, editable=False)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["offer", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="session_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int | None:
        """Places still free; None when there is no limit."""
        return self.capacity
