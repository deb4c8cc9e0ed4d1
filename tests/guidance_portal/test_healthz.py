from datetime import timedelta

import pytest
from django.utils import timezone

from guidance_portal.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_everything_is_up(client):
    Heartbeat.objects.create(name="celery", beat_at=timezone.now())

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "celery": "ok"}


def test_healthz_is_200_after_a_real_worker_beat(celery_worker, client, wait_for):
    from guidance_portal.tasks import heartbeat

    heartbeat.delay().get(timeout=20)

    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    Heartbeat.objects.create(name="celery", beat_at=timezone.now())
    settings.REDIS_URL = "redis://127.0.0.1:9/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["redis"].startswith("down")
    assert body["checks"]["database"] == "ok"


def test_healthz_is_503_when_the_workers_are_silent(client):
    Heartbeat.objects.create(name="celery", beat_at=timezone.now() - timedelta(hours=1))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == "stale"


def test_healthz_is_not_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
