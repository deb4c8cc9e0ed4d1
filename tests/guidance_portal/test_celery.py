import pytest

from guidance_portal.models import Heartbeat
from guidance_portal.tasks import heartbeat


def test_task_sent_through_the_broker_runs_in_the_real_worker(celery_worker, wait_for):
    result = heartbeat.delay("test-wiring")

    assert result.get(timeout=20)
    wait_for(lambda: Heartbeat.objects.filter(name="test-wiring").exists(), what="heartbeat row")
    beat = Heartbeat.objects.get(name="test-wiring")
    assert beat.worker.startswith("celery@") or beat.worker


@pytest.mark.django_db
def test_heartbeat_twice_keeps_one_row_and_moves_forward():
    heartbeat.apply(args=["twice"])
    first = Heartbeat.objects.get(name="twice").beat_at
    heartbeat.apply(args=["twice"])

    assert Heartbeat.objects.filter(name="twice").count() == 1
    assert Heartbeat.objects.get(name="twice").beat_at >= first


def test_celery_is_configured_for_at_least_once_delivery(settings):
    from guidance_portal.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_always_eager is False
    assert app.conf.broker_url.startswith(("redis://", "redis+socket://", "rediss://"))
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > app.conf.task_time_limit
    assert "heartbeat" in app.conf.beat_schedule
