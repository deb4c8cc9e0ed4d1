"""Bookings of a session's places, without an account, and what is kept after the purge.

A booking holds the least personal data the centre needs (a first name or pseudonym and an
e-mail address); the daily purge blanks it some days after the session. ``SessionStats``
keeps the counts for statistics. Every e-mail owed to a citizen is a ``BookingMessage`` row:
the sender claims it and stamps it with the sending, so each is sent once.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from guidance_portal.models import OwedEmail
from guidance_portal.validators import multi_line, single_line, text_validators

NOTE_LENGTH = 1_000


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Booking(models.Model):
    session = models.ForeignKey(
        "offers.Session",
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=_("session"),
    )
    first_name = models.CharField(
        _("first name or pseudonym"), max_length=60, blank=True, validators=[single_line]
    )
    email = models.EmailField(_("e-mail address"), blank=True, validators=[single_line])
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[single_line])
    places = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    accessibility_needs = models.CharField(
        _("accessibility needs"), max_length=500, blank=True, validators=[multi_line]
    )
    language = models.CharField(_("language"), max_length=2, default="fr", validators=[single_line])
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, validators=[single_line]
    )
    # NULL once purged: the manage link then matches nothing.
    token = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    purged_at = models.DateTimeField(_("personal data deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["session", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                "session",
                Lower("email"),
                condition=~Q(status="cancelled") & ~Q(email=""),
                name="one_active_booking_per_email_and_session",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="booking_places_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name or '–'} · {self.session} ({self.get_status_display()})"


class SessionStats(models.Model):
    """Counts of a session kept for statistics once personal data is purged."""

    session = models.OneToOneField(
        "offers.Session", on_delete=models.CASCADE, primary_key=True, related_name="stats"
    )
    bookings = models.PositiveIntegerField(_("bookings"), default=0)
    places_booked = models.PositiveIntegerField(_("places booked"), default=0)
    waiting_list = models.PositiveIntegerField(_("joined the waiting list"), default=0)
    cancellations = models.PositiveIntegerField(_("cancellations"), default=0)
    attended = models.PositiveIntegerField(_("attended"), default=0)

    class Meta:
        verbose_name = _("session statistics")
        verbose_name_plural = _("session statistics")

    def __str__(self) -> str:
        return f"stats of session {self.session_id}"


class MessageKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Booking confirmation")
    WAITING = "waiting", _("Waiting-list confirmation")
    PROMOTED = "promoted", _("A place became free")
    REMINDER = "reminder", _("Reminder")
    CANCELLED_BY_CENTRE = "cancelled_by_centre", _("Booking cancelled by the centre")
    SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
    SESSION_MOVED = "session_moved", _("Session moved")


class BookingMessage(OwedEmail):
    """An e-mail owed to a citizen, sent once it is due; ``key`` tells apart two messages of
    the same kind (a session moved twice)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=MessageKind.choices, validators=[single_line])
    key = models.CharField(max_length=40, blank=True, validators=[single_line])
    due_at = models.DateTimeField(db_index=True)
    note = models.TextField(
        blank=True, max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH)
    )

    class Meta:
        verbose_name = _("booking e-mail")
        verbose_name_plural = _("booking e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "key"], name="one_message_per_booking_kind_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(sent_at__isnull=True), name="booking_message_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → booking {self.booking_id}"
