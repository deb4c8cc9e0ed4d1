"""Centres, their networks, addresses, opening hours and the counsellors who keep them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from centres.querysets import (
    CentreQuerySet,
    InvitationQuerySet,
    MembershipQuerySet,
    PostalCodeQuerySet,
    invitation_signer,
)
from guidance_portal.models import OwedEmail
from guidance_portal.validators import length_checks, single_line, text_validators

NETWORK_DESCRIPTION_LENGTH = 5_000
CENTRE_DESCRIPTION_LENGTH = 10_000

LANGUAGE_CHOICES = [
    ("fr", _("French")),
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("de", _("German")),
    ("ar", _("Arabic")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("tr", _("Turkish")),
    ("uk", _("Ukrainian")),
    ("sgn", _("French Belgian Sign Language (LSFB)")),
]


class Region(models.TextChoices):
    WALLONIA = "03000", _("Wallonia")
    BRUSSELS = "04000", _("Brussels-Capital Region")
    FLANDERS = "02000", _("Flanders")


class Province(models.Model):
    """A province, or the Brussels-Capital Region, which has none (REFNIS code)."""

    refnis = models.CharField(_("REFNIS code"), max_length=5, unique=True, validators=[single_line])
    name = models.CharField(_("name"), max_length=100, validators=[single_line])
    region = models.CharField(
        _("region"), max_length=5, choices=Region.choices, validators=[single_line]
    )
    slug = models.SlugField(_("slug"), unique=True, validators=[single_line])

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    refnis = models.CharField(_("REFNIS code"), max_length=5, unique=True, validators=[single_line])
    name = models.CharField(_("name"), max_length=100, db_index=True, validators=[single_line])
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("province"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostalCode(models.Model):
    """A four-digit postcode within one municipality; a code shared by two has two rows."""

    code = models.CharField(_("postcode"), max_length=4, db_index=True, validators=[single_line])
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="postal_codes",
        verbose_name=_("municipality"),
    )
    locality = models.CharField(_("locality"), max_length=100, blank=True, validators=[single_line])
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    objects = PostalCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "municipality"], name="unique_postcode_town")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.municipality}"


class Network(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("slug"), unique=True, validators=[single_line])
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=NETWORK_DESCRIPTION_LENGTH,
        validators=text_validators(NETWORK_DESCRIPTION_LENGTH),
    )
    website = models.URLField(_("website"), blank=True, validators=[single_line])

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CentreKind(models.TextChoices):
    CITE_DES_METIERS = "cite_des_metiers", _("Cité des Métiers")
    CARREFOUR_DES_METIERS = "carrefour_des_metiers", _("Carrefour des Métiers")
    CPMS = "cpms", _("CPMS (psycho-medical-social centre)")
    SIEP = "siep", _("SIEP")
    INFOR_JEUNES = "infor_jeunes", _("Infor Jeunes")
    MISSION_LOCALE = "mission_locale", _("Mission Locale")
    CEFO = "cefo", _("CEFO")
    UNIVERSITY = "university", _("University guidance service")
    PUBLIC_SERVICE = "public_service", _("Public employment or training service")
    OTHER = "other", _("Other")


class Centre(models.Model):
    kind = models.CharField(
        _("kind"), max_length=30, choices=CentreKind.choices, validators=[single_line]
    )
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("slug"), max_length=200, unique=True, validators=[single_line])
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=CENTRE_DESCRIPTION_LENGTH,
        validators=text_validators(CENTRE_DESCRIPTION_LENGTH),
    )
    network = models.ForeignKey(
        Network,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="centres",
        verbose_name=_("network"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="associated_centres",
        verbose_name=_("associated centre of"),
    )
    street = models.CharField(
        _("street and number"), max_length=200, blank=True, validators=[single_line]
    )
    postcode = models.CharField(
        _("postcode"),
        max_length=4,
        blank=True,
        validators=[
            single_line,
            RegexValidator(r"^\d{4}$", _("A Belgian postcode has four digits.")),
        ],
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="centres",
        verbose_name=_("municipality"),
    )
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(49.4), MaxValueValidator(51.6)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(2.5), MaxValueValidator(6.5)]
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[single_line])
    email = models.EmailField(_("e-mail"), blank=True, validators=[single_line])
    website = models.URLField(_("website"), blank=True, validators=[single_line])
    languages = ArrayField(
        models.CharField(max_length=3, choices=LANGUAGE_CHOICES),
        verbose_name=_("languages spoken"),
        default=list,
        blank=True,
    )
    has_step_free_access = models.BooleanField(_("step-free access"), default=False)
    has_accessible_toilets = models.BooleanField(_("accessible toilets"), default=False)
    has_induction_loop = models.BooleanField(_("induction loop"), default=False)
    offers_sign_language = models.BooleanField(_("sign language on request"), default=False)
    is_free = models.BooleanField(_("services are free"), default=True)
    is_anonymous_possible = models.BooleanField(_("anonymous visits possible"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    bce_number = models.CharField(
        _("enterprise number (BCE/KBO)"),
        max_length=12,
        blank=True,
        validators=[
            single_line,
            RegexValidator(r"^[01]\d{3}\.\d{3}\.\d{3}$", _("Format: 0123.456.789")),
        ],
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True, validators=[single_line])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CentreQuerySet.as_manager()  # history: see centres/translation.py

    class Meta:
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind", "is_active"]),
            models.Index(fields=["latitude", "longitude"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="centre_not_own_parent"
            ),
            *length_checks("centre", "description", CENTRE_DESCRIPTION_LENGTH, translated=True),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("centres:detail", kwargs={"slug": self.slug})

    @property
    def province(self) -> Province:
        return self.municipality.province

    def language_labels(self) -> list[str]:
        labels = dict(LANGUAGE_CHOICES)
        return [str(labels.get(code, code)) for code in self.languages]

    def map_url(self) -> str:
        from urllib.parse import urlencode

        return "https://www.openstreetmap.org/?" + urlencode(
            {"mlat": f"{self.latitude:.5f}", "mlon": f"{self.longitude:.5f}", "zoom": 17}
        )


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningSlot(models.Model):
    """A weekly opening period; a day may have several (morning and afternoon)."""

    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="opening_slots", verbose_name=_("centre")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opening slot")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="opening_slot_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ExceptionalDay(models.Model):
    """A date when the weekly hours do not apply: closed all day, or open at other times."""

    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="exceptional_days", verbose_name=_("centre")
    )
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens at"), null=True, blank=True)
    closes = models.TimeField(_("closes at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True, validators=[single_line])

    class Meta:
        verbose_name = _("exceptional closure or opening")
        verbose_name_plural = _("exceptional closures and openings")
        ordering = ["date", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(opens__isnull=True) & Q(closes__isnull=True))
                | Q(opens__isnull=False, closes__isnull=False, closes__gt=models.F("opens")),
                name="exceptional_day_closed_or_valid_hours",
            )
        ]

    def __str__(self) -> str:
        if self.is_closed:
            return f"{self.date:%Y-%m-%d} closed"
        return f"{self.date:%Y-%m-%d} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def is_closed(self) -> bool:
        return self.opens is None


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Counsellor")
    MANAGER = "manager", _("Centre manager")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("centre")
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Role.choices,
        default=Role.COUNSELLOR,
        validators=[single_line],
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["centre__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "centre"], name="one_membership_per_centre")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.centre} ({self.get_role_display()})"


class InvitationEmail(OwedEmail):
    """The e-mail that gives a person added to a team the link to choose a password."""

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="invitation_emails",
        verbose_name=_("membership"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation e-mail")
        verbose_name_plural = _("invitation e-mails")

    def __str__(self) -> str:
        return str(self.membership)


INVITATION_VALIDITY = timedelta(days=14)


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


def invitation_expiry() -> datetime:
    return timezone.now() + INVITATION_VALIDITY


class Invitation(OwedEmail):
    """An existing account invited into a centre's team. It grants nothing until the invited
    account, signed in, accepts it: only then is a ``Membership`` created.

    The link carries the row's id signed with the secret key (``token``); it works until
    ``expires_at``, once, and only for ``user``. At most one of ``accepted_at``,
    ``declined_at`` and ``withdrawn_at`` is set: the invitation is closed once one is.
    The row is also the e-mail owed to the invited account (``centres.tasks``), sent once
    while the invitation is pending.
    """

    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("centre")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="centre_invitations",
        verbose_name=_("invited account"),
    )
    email = models.EmailField(
        _("e-mail address"),
        help_text=_("The address as the manager typed it."),
        validators=[single_line],
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, validators=[single_line]
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited on"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires on"), default=invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation to join a team")
        verbose_name_plural = _("invitations to join a team")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "centre"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True)
                | Q(accepted_at__isnull=True, withdrawn_at__isnull=True)
                | Q(declined_at__isnull=True, withdrawn_at__isnull=True),
                name="invitation_closed_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.centre} ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        return reverse("centres:invitation", kwargs={"token": self.token})

    @property
    def token(self) -> str:
        return invitation_signer().sign(str(self.pk))

    @property
    def state(self) -> InvitationState:
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if self.declined_at:
            return InvitationState.DECLINED
        if self.withdrawn_at:
            return InvitationState.WITHDRAWN
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING
