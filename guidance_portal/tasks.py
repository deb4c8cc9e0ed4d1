"""Periodic housekeeping tasks."""

from celery import shared_task
from django.core import management
from django.utils import timezone

from guidance_portal import mail
from guidance_portal.models import Heartbeat


@shared_task(
    bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3
)
def heartbeat(self, name: str = "celery") -> str:
    """Record that a worker is alive. Idempotent: a second run only moves the time forward."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": now, "worker": self.request.hostname or ""}
    )
    return now.isoformat()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def clear_expired_sessions() -> None:
    """Delete expired sessions from the database; running it twice deletes nothing more."""
    management.call_command("clearsessions")


@shared_task(acks_late=True)
def send_owed_emails() -> dict[str, int]:
    """Every minute: queue, for each kind of e-mail, the rows owed and due (a first sending
    whose task was lost, reminders, retries); never a failed one. See ``guidance_portal.mail``.
    """
    return mail.sweep_all()
