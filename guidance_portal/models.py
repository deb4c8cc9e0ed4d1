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
