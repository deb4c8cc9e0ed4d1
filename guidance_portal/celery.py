"""The Celery application: Redis broker, settings from django.conf (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidance_portal.settings")

app = Celery("guidance_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _beat_once_ready(sender, **kwargs) -> None:
    """Record a heartbeat as soon as a worker is up, rather than a minute later."""
    sender.app.send_task("guidance_portal.tasks.heartbeat")
