"""Races on PostgreSQL: the same request submitted twice at once, and workers sending at once.

Each thread works through its own database connection (Django keeps one per thread)
and closes it when done. The data must be committed for the other threads to see it,
so these tests run in real transactions, with the seed restored around them.
"""

import asyncio
import socket
import threading
import time
import uuid
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction

from applications.forms import ConsultationForm
from applications.intake import submit_inquiry
from applications.models import (
    REQUEST_KINDS,
    Inquiry,
    Notification,
    NotificationKind,
    NotificationState,
)
from applications.outbox import deliver_notifications
from tests.applications.helpers import form_data

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (set DATABASE_URL): SQLite runs one writer at a time and "
        "has no SELECT ... FOR UPDATE SKIP LOCKED, so there is no race to test; CI runs these",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORKERS = 2
MAILS = 20


def request_parts(**overrides):
    """What the confirm view hands to submit_inquiry, from a valid form."""
    form = ConsultationForm(form_data(**overrides))
    assert form.is_valid(), form.errors
    return {
        "language": "ja",
        "answers": form.inquiry_answers(),
        "bureaus": list(form.cleaned_data["bureaus"]),
        "duties": list(form.cleaned_data["duties"].select_related("bureau")),
    }


def run_in_threads(count, work):
    """Run work(index) in ``count`` threads released together; their results, in order."""
    barrier = threading.Barrier(count)
    results = [None] * count
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except BaseException as error:  # Re-raised in the test's thread below.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


class Mailbox:
    """An aiosmtpd handler that keeps every mail, a little slowly so workers overlap."""

    def __init__(self):
        self.recipients = Counter()
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.005)
        self.recipients.update(envelope.rcpt_tos)
        self.received += 1
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox(settings):
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield box
    controller.stop()


def test_the_same_request_submitted_twice_at_once_makes_one_inquiry():
    parts = request_parts()
    for _ in range(3):
        token = uuid.uuid4()

        submissions = run_in_threads(2, lambda _, token=token: submit_inquiry(token=token, **parts))

        assert sorted(submission.is_new for submission in submissions) == [False, True]
        assert len({submission.inquiry.pk for submission in submissions}) == 1
        inquiry = Inquiry.objects.get(submission_token=token)
        assert sorted(inquiry.notifications.values_list("kind", flat=True)) == sorted(REQUEST_KINDS)
    assert Inquiry.objects.count() == 3
    assert Notification.objects.count() == 9


def test_a_submission_racing_an_uncommitted_one_waits_for_it_and_returns_its_inquiry():
    parts = request_parts()
    token = uuid.uuid4()
    inserted = threading.Event()

    def work(index):
        if index == 0:
            with transaction.atomic():
                submission = submit_inquiry(token=token, **parts)
                inserted.set()
                time.sleep(0.3)  # The other insert now waits on the unique token.
            return submission
        assert inserted.wait(timeout=10)
        return submit_inquiry(token=token, **parts)

    first, second = run_in_threads(2, work)

    assert first.is_new
    assert not second.is_new
    assert second.inquiry.pk == first.inquiry.pk
    assert Inquiry.objects.count() == 1
    assert Notification.objects.count() == 3


def test_workers_sending_at_once_send_each_mail_exactly_once(mailbox):
    inquiry = submit_inquiry(token=uuid.uuid4(), **request_parts()).inquiry
    Notification.objects.bulk_create(
        Notification(
            inquiry=inquiry,
            kind=NotificationKind.ACKNOWLEDGEMENT,
            recipient=f"applicant-{number:02d}@energy.example",
            subject=f"受付確認 {number}",
            body="本文",
            next_attempt_at=inquiry.received_at,
        )
        for number in range(MAILS - 3)
    )
    recipients = list(Notification.objects.values_list("recipient", flat=True))
    assert len(set(recipients)) == MAILS

    def work(_):
        sent = 0
        while batch := deliver_notifications(limit=3):
            sent += batch
        return sent

    sent = run_in_threads(WORKERS, work)

    assert sum(sent) == MAILS
    assert mailbox.received == MAILS
    assert mailbox.recipients == Counter(recipients)
    assert set(Notification.objects.values_list("state", "attempts")) == {
        (NotificationState.SENT, 1)
    }
