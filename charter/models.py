"""The lifelong-guidance charter: versions, principles, commitments, signatures and the
signatories' public self-assessments.

A signature belongs to the version that was signed: publishing a newer version marks it
"invited to re-sign" and never changes what was signed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from charter.querysets import SignatureQuerySet, StatementQuerySet, VersionQuerySet
from guidance_portal.models import OwedEmail
from guidance_portal.validators import single_line, text_validators

PREAMBLE_LENGTH = 20_000
PRINCIPLE_LENGTH = 5_000
COMMITMENT_LENGTH = 2_000
STATEMENT_LENGTH = 3_000


class CharterVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    adopted_on = models.DateField(_("adopted on"))
    preamble = models.TextField(
        _("preamble"),
        blank=True,
        max_length=PREAMBLE_LENGTH,
        validators=text_validators(PREAMBLE_LENGTH),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        validators=[single_line],
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        ordering = ["-adopted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.adopted_on:%Y-%m-%d})"


class Principle(models.Model):
    version = models.ForeignKey(
        CharterVersion,
        on_delete=models.CASCADE,
        related_name="principles",
        verbose_name=_("version"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=PRINCIPLE_LENGTH,
        validators=text_validators(PRINCIPLE_LENGTH),
    )

    class Meta:
        verbose_name = _("principle")
        verbose_name_plural = _("principles")
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="one_principle_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Commitment(models.Model):
    version = models.ForeignKey(
        CharterVersion,
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("version"),
    )
    principle = models.ForeignKey(
        Principle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("principle"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(
        _("text"), max_length=COMMITMENT_LENGTH, validators=text_validators(COMMITMENT_LENGTH)
    )

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="one_commitment_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government or administration")
    PUBLIC_SERVICE = "public_service", _("Public employment or training service")
    EDUCATION = "education", _("Education")
    ASSOCIATION = "association", _("Association")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """A signatory that is not a centre of the directory (a government, Forem, IFAPME…)."""

    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, validators=[single_line]
    )
    province = models.ForeignKey(
        "centres.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("Leave empty for an actor of the whole territory."),
    )
    website = models.URLField(_("website"), blank=True, validators=[single_line])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SignatureStatus(models.TextChoices):
    SIGNED = "signed", _("Signed")
    INVITED = "invited", _("Invited to re-sign a newer version")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Signature(models.Model):
    """One actor's signature of one version: a centre (signed by its manager) or another
    organisation (recorded by an administrator)."""

    version = models.ForeignKey(
        CharterVersion,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("version signed"),
    )
    centre = models.ForeignKey(
        "centres.Centre",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="charter_signatures",
        verbose_name=_("centre"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("organisation"),
    )
    signed_on = models.DateField(_("signed on"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signatory_name = models.CharField(
        _("signed for the actor by"), max_length=200, blank=True, validators=[single_line]
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SignatureStatus.choices,
        default=SignatureStatus.SIGNED,
        validators=[single_line],
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-signed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(centre__isnull=True) ^ Q(organisation__isnull=True),
                name="signature_of_a_centre_or_an_organisation",
            ),
            models.UniqueConstraint(
                fields=["centre", "version"], name="one_signature_per_centre_and_version"
            ),
            models.UniqueConstraint(
                fields=["organisation", "version"],
                name="one_signature_per_organisation_and_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} · {self.version}"

    @property
    def actor(self):
        return self.centre or self.organisation


class Statement(models.Model):
    """How a signatory applies one principle, public once an administrator approves it.

    ``text`` is the latest proposal; ``published_text`` what citizens see.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    signature = models.ForeignKey(
        Signature, on_delete=models.CASCADE, related_name="statements", verbose_name=_("signature")
    )
    principle = models.ForeignKey(
        Principle, on_delete=models.CASCADE, related_name="statements", verbose_name=_("principle")
    )
    text = models.TextField(
        _("statement"), max_length=STATEMENT_LENGTH, validators=text_validators(STATEMENT_LENGTH)
    )
    published_text = models.TextField(
        _("published statement"),
        blank=True,
        max_length=STATEMENT_LENGTH,
        validators=text_validators(STATEMENT_LENGTH),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        validators=[single_line],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-assessment statement")
        verbose_name_plural = _("self-assessment statements")
        ordering = ["principle__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["signature", "principle"], name="one_statement_per_principle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.signature.actor} · {self.principle}"


class ResignInvitation(OwedEmail):
    """An e-mail owed to a centre manager about a new version: the row is the claim."""

    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("re-signing invitation")
        verbose_name_plural = _("re-signing invitations")
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="one_invitation_per_manager")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.version}"
