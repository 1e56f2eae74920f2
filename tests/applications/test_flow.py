"""The pre-consultation steps through the test client: input, confirm, done."""

import pytest
from django.core import mail

from applications.models import Inquiry, Notification, NotificationKind
from applications.outbox import deliver_notifications
from tests.applications.helpers import form_data

pytestmark = pytest.mark.django_db


def submit(client, **overrides):
    response = client.post("/consultation/", form_data(client, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == "/consultation/confirm/"
    confirm = client.get("/consultation/confirm/")
    token = confirm.context["draft_digest"]
    return client.post("/consultation/confirm/", {"draft": token})


def test_a_valid_request_goes_through_confirm_to_done(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client)
    # The request sends nothing itself: its three mails wait for the worker.
    assert mail.outbox == []
    assert deliver_notifications() == 3
    assert response.status_code == 302
    assert response.url == "/consultation/done/"
    inquiry = Inquiry.objects.get()
    done = client.get("/consultation/done/").content.decode()
    assert inquiry.reference in done
    assert inquiry.reference.startswith("KR-")
    assert inquiry.phone == "03-1234-5678"
    kinds = sorted(Notification.objects.values_list("kind", flat=True))
    assert kinds == sorted(
        [NotificationKind.BUREAU, NotificationKind.CENTRAL, NotificationKind.ACKNOWLEDGEMENT]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [
            "environment@kouryu.metro.tokyo.example",
            "jinji-kouryu@kouryu.metro.tokyo.example",
            "hanako.yamada@energy.example",
        ]
    )
