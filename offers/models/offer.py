"""Offers of the register and their pending edits."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from centres.models import LANGUAGE_CHOICES, Centre, Municipality
from guidance_portal.models import OwedEmail
from guidance_portal.validators import length_checks, single_line, text_validators
from offers.querysets import OfferQuerySet

DESCRIPTION_LENGTH = 20_000  # sanitised HTML, tags included
NOTES_LENGTH = 2_000
REASON_LENGTH = 2_000


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")


class DeliveryMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("On site and online")


class BookingNeed(models.TextChoices):
    NONE = "none", _("No booking needed")
    RECOMMENDED = "recommended", _("Booking recommended")
    REQUIRED = "required", _("Booking required")


class Offer(models.Model):
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="offers", verbose_name=_("centre")
    )
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    summary = models.CharField(_("summary"), max_length=300, blank=True, validators=[single_line])
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Simple formatting only: no scripts or styles."),
        max_length=DESCRIPTION_LENGTH,
        validators=text_validators(DESCRIPTION_LENGTH),
    )
    themes = models.ManyToManyField(
        "offers.Theme", related_name="offers", verbose_name=_("themes"), blank=True
    )
    audiences = models.ManyToManyField(
        "offers.Audience", related_name="offers", verbose_name=_("audiences"), blank=True
    )
    age_min = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    age_max = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    format = models.ForeignKey(
        "offers.Format", on_delete=models.PROTECT, related_name="offers", verbose_name=_("format")
    )
    delivery_mode = models.CharField(
        _("delivery mode"),
        max_length=10,
        choices=DeliveryMode.choices,
        default=DeliveryMode.ON_SITE,
        validators=[single_line],
    )
    uses_centre_address = models.BooleanField(_("at the centre's address"), default=True)
    street = models.CharField(
        _("street and number"), max_length=200, blank=True, validators=[single_line]
    )
    postcode = models.CharField(_("postcode"), max_length=4, blank=True, validators=[single_line])
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("municipality"),
    )
    is_free = models.BooleanField(_("free"), default=True)
    price = models.DecimalField(
        _("price (EUR)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    price_note = models.CharField(
        _("price details"), max_length=200, blank=True, validators=[single_line]
    )
    is_anonymous_possible = models.BooleanField(_("anonymous possible"), default=False)
    booking_need = models.CharField(
        _("booking"),
        max_length=12,
        choices=BookingNeed.choices,
        default=BookingNeed.NONE,
        validators=[single_line],
    )
    max_places_per_booking = models.PositiveSmallIntegerField(
        _("places per booking at most"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    booking_closes_hours = models.PositiveSmallIntegerField(
        _("bookings close (hours before the session)"),
        default=2,
        validators=[MaxValueValidator(24 * 14)],
    )
    reminder_hours_before = models.PositiveSmallIntegerField(
        _("reminder (hours before the session)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
    )
    languages = ArrayField(
        models.CharField(max_length=3, choices=LANGUAGE_CHOICES),
        verbose_name=_("languages"),
        default=list,
        blank=True,
    )
    accessibility_notes = models.TextField(
        _("accessibility notes"),
        blank=True,
        max_length=NOTES_LENGTH,
        validators=text_validators(NOTES_LENGTH),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True, validators=[single_line])
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True, validators=[single_line]
    )
    external_url = models.URLField(_("external link"), blank=True, validators=[single_line])
    minimum_offer_categories = models.ManyToManyField(
        "offers.MinimumOfferCategory",
        related_name="offers",
        verbose_name=_("common minimum offer"),
        blank=True,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OfferStatus.choices,
        default=OfferStatus.DRAFT,
        validators=[single_line],
    )
    rejection_reason = models.TextField(
        _("reason for rejection"),
        blank=True,
        max_length=REASON_LENGTH,
        validators=text_validators(REASON_LENGTH),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    last_confirmed_at = models.DateTimeField(_("last confirmed"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfferQuerySet.as_manager()  # history: see offers/translation.py

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "review_due"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=models.F("age_max")),
                name="offer_age_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(is_free=True) | Q(price__isnull=False) | ~Q(price_note=""),
                name="offer_paid_has_price",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="offer_rejection_has_reason",
            ),
            *length_checks("offer", "description", DESCRIPTION_LENGTH, translated=True),
            *length_checks("offer", "accessibility_notes", NOTES_LENGTH),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("offers:detail", kwargs={"pk": self.pk})

    def language_labels(self) -> list[str]:
        labels = dict(LANGUAGE_CHOICES)
        return [str(labels.get(code, code)) for code in self.languages]


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OfferRevision(models.Model):
    """An edit of a published offer, kept aside until an administrator approves it.

    ``data`` holds the edited fields as the form cleaned them (many-to-many as lists of ids).
    """

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("offer")
    )
    data = models.JSONField(_("proposed values"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RevisionStatus.choices,
        default=RevisionStatus.PENDING,
        validators=[single_line],
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(
        _("reason for rejection"),
        blank=True,
        max_length=REASON_LENGTH,
        validators=text_validators(REASON_LENGTH),
    )

    class Meta:
        verbose_name = _("pending edit")
        verbose_name_plural = _("pending edits")
        ordering = ["proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer"],
                condition=Q(status="pending"),
                name="one_pending_edit_per_offer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.offer} ({self.get_status_display()})"


class ReviewDigest(OwedEmail):
    """The review-reminder digest of one counsellor for one day: the row is the claim.

    The daily job inserts it before sending; the unique constraint makes a second run of the
    same day find it and send nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_digests",
        verbose_name=_("counsellor"),
    )
    day = models.DateField(_("day"))
    offer_count = models.PositiveIntegerField(_("offers"), default=0)

    class Meta:
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_review_digest_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.day}"


class ModerationNotice(OwedEmail):
    """An e-mail owed to the submitter about a moderation decision: the row is the claim."""

    class Decision(models.TextChoices):
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")
        EDIT_APPROVED = "edit_approved", _("edit approved")
        EDIT_REJECTED = "edit_rejected", _("edit rejected")

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, validators=[single_line])
    reason = models.TextField(
        blank=True, max_length=REASON_LENGTH, validators=text_validators(REASON_LENGTH)
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("moderation notice")
        verbose_name_plural = _("moderation notices")

    def __str__(self) -> str:
        return f"{self.offer} → {self.recipient} ({self.decision})"
