"""/health/: the database, the cache and the outbox, each check registered by its app."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Notification, NotificationState
from tests.core.support import queue_a_consultation

pytestmark = pytest.mark.django_db


def test_health_is_200_when_database_cache_and_outbox_are_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"] == {"ok": True}
    assert report["cache"] == {"ok": True}
    assert report["outbox"] == {
        "ok": True,
        "oldest_pending_seconds": 0,
        "failed": 0,
        "failed_alerts": 0,
    }
    assert "no-store" in response["Cache-Control"]


def test_health_stays_200_while_fresh_mails_wait_in_the_outbox(client):
    queue_a_consultation()
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["outbox"]["ok"] is True


def test_health_is_503_when_a_pending_mail_is_older_than_the_limit(client, settings):
    inquiry = queue_a_consultation()
    limit = settings.HEALTH_MAX_OUTBOX_AGE_SECONDS
    oldest = inquiry.notifications.first()
    Notification.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - timedelta(seconds=limit + 60)
    )
    response = client.get("/health/")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "unhealthy"
    assert report["outbox"]["ok"] is False
    assert report["outbox"]["oldest_pending_seconds"] >= limit + 60
    assert report["database"]["ok"] is True
    assert report["cache"]["ok"] is True


def test_an_old_mail_that_was_sent_does_not_make_health_fail(client, settings):
    inquiry = queue_a_consultation()
    inquiry.notifications.update(
        state=NotificationState.SENT,
        sent_at=timezone.now(),
        created_at=timezone.now() - timedelta(days=3),
    )
    assert client.get("/health/").status_code == 200


def test_health_is_503_when_the_cache_is_down(client, redis_down):
    response = client.get("/health/")
    assert response.status_code == 503
    report = response.json()
    assert report["cache"] == {"ok": False}
    assert report["database"]["ok"] is True
    assert report["outbox"]["ok"] is True


def test_each_app_registers_its_own_health_checks():
    from core.health import registered_checks

    assert list(registered_checks()) == ["database", "cache", "outbox"]


@pytest.mark.parametrize("name", ["database", "cache", "outbox"])
def test_health_never_answers_500_whatever_a_check_raises(client, monkeypatch, name):
    from core import health

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(health._checks, name, broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()[name] == {"ok": False, "error": "RuntimeError"}


# --- The load balancer's probes: /health/live/ and /health/ready/. -----------------


@pytest.fixture
def no_cache_reads(monkeypatch):
    """Any read of a cache (the stored pages', the revision's) fails the test."""
    from django.core.cache.backends.locmem import LocMemCache

    def refused(*args, **kwargs):
        raise AssertionError("a probe read the cache")

    monkeypatch.setattr(LocMemCache, "get", refused)


def test_live_answers_without_any_io(client, no_cache_reads, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_live_stays_200_and_ready_turns_503_while_the_database_is_down(client, tmp_path):
    from tests.core.support import database_down

    assert client.get("/health/ready/").status_code == 200
    with database_down(tmp_path):
        assert client.get("/health/live/").status_code == 200
        ready = client.get("/health/ready/")
    assert ready.status_code == 503
    report = ready.json()
    assert report["status"] == "unavailable"
    assert report["database"]["ok"] is False
    assert report["seconds"] < 3
    assert client.get("/health/ready/").status_code == 200


def test_ready_asks_the_database_only(client, no_cache_reads, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/health/ready/")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ready"
    assert report["database"] == {"ok": True}
    assert set(report) == {"status", "database", "seconds"}
    assert "no-store" in response["Cache-Control"]


def test_ready_stays_200_with_redis_down_while_health_reports_it(client, redis_down):
    assert client.get("/health/ready/").status_code == 200
    health = client.get("/health/")
    assert health.status_code == 503
    assert health.json()["cache"] == {"ok": False}


def test_ready_stays_200_with_an_old_outbox_while_health_reports_it(client, settings):
    inquiry = queue_a_consultation()
    Notification.objects.filter(inquiry=inquiry).update(
        created_at=timezone.now() - timedelta(seconds=settings.HEALTH_MAX_OUTBOX_AGE_SECONDS + 60)
    )
    assert client.get("/health/ready/").status_code == 200
    health = client.get("/health/")
    assert health.status_code == 503
    assert health.json()["outbox"]["ok"] is False


@pytest.mark.parametrize(
    "path", ["/health/live/", "/health/live", "/health/ready/", "/health/ready"]
)
@pytest.mark.parametrize("method", ["get", "head"])
def test_probes_answer_with_or_without_the_slash_and_to_any_host(client, path, method):
    """A balancer probes each server by its address, which need not be an allowed host."""
    response = getattr(client, method)(path, headers={"host": "10.0.0.7:8000"})
    assert response.status_code == 200


def test_other_methods_are_not_probes(client):
    assert client.post("/health/ready/").status_code == 404
