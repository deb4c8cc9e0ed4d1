from django.db import models
from django.utils.translation import gettext_lazy as _

from guidance_portal.validators import single_line


class Heartbeat(models.Model):
    """The last time a Celery worker ran the periodic heartbeat task (one row per name)."""

    name = models.CharField(_("name"), max_length=50, unique=True, validators=[single_line])
    beat_at = models.DateTimeField(_("last beat"))
    worker = models.CharField(_("worker"), max_length=200, blank=True, validators=[single_line])

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


FAILURE_REASON_LENGTH = 500


class Delivery(models.TextChoices):
    OWED = "owed", _("to be sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OwedEmail(models.Model):
    """An e-mail owed to someone; the row is the claim. ``guidance_portal.mail`` sends it once,
    counts its attempts and, when it cannot be sent, says why (``failure_reason``)."""

    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt not before"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    failure_reason = models.CharField(
        _("reason of the last failure"),
        max_length=FAILURE_REASON_LENGTH,
        blank=True,
        validators=[single_line],
    )

    class Meta:
        abstract = True

    @property
    def delivery(self) -> Delivery:
        if self.sent_at:
            return Delivery.SENT
        return Delivery.FAILED if self.failed_at else Delivery.OWED
