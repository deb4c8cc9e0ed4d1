"""The portal's own pages: home, legal pages and the health check."""

from datetime import timedelta

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from guidance_portal.models import Heartbeat


class HomeView(TemplateView):
    template_name = "home.html"


class ContentPageView(TemplateView):
    """A page of long institutional text, written once per language in its own template."""

    page: str = ""

    def get_template_names(self) -> list[str]:
        language = get_language() or settings.LANGUAGE_CODE
        return [f"pages/{self.page}.{language}.html", f"pages/{self.page}.fr.html"]


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return f"down: {type(error).__name__}"
    return "ok"


def _check_redis() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"down: {type(error).__name__}"
    finally:
        client.close()
    return "ok"


def _check_heartbeat() -> tuple[str, str | None]:
    try:
        beat = Heartbeat.objects.filter(name="celery").values_list("beat_at", flat=True).first()
    except DatabaseError:
        return "unknown", None
    if beat is None:
        return "missing", None
    age = timezone.now() - beat
    state = "ok" if age <= timedelta(seconds=settings.HEARTBEAT_MAX_AGE) else "stale"
    return state, beat.isoformat()


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Machine-readable health: 200 when database, Redis and the workers' heartbeat are fine."""
    database = _check_database()
    heartbeat, last_beat = _check_heartbeat() if database == "ok" else ("unknown", None)
    checks = {"database": database, "redis": _check_redis(), "celery": heartbeat}
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks, "last_heartbeat": last_beat}
    return JsonResponse(body, status=200 if healthy else 503)
