"""/health/: the database, the cache and the outbox, each check registered by its app."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.forms import ConsultationForm
from applications.intake import submit_inquiry
from applications.models import Notification, NotificationState
from tests.applications.helpers import form_data

pytestmark = pytest.mark.django_db


def queue_a_consultation():
    """A submitted request whose mails are waiting in the outbox (none was delivered)."""
    form = ConsultationForm(form_data())
    assert form.is_valid(), form.errors
    submission = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=form.inquiry_answers(),
        bureaus=form.cleaned_data["bureaus"],
        duties=form.cleaned_data["duties"].select_related("bureau"),
    )
    assert submission.inquiry.notifications.filter(state=NotificationState.PENDING).count() == 3
    return submission.inquiry


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
