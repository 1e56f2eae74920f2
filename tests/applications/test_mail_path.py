"""One mail path: every mail is an outbox row rendered when queued; only the worker
talks SMTP, each call under an overall deadline, against real servers on loopback."""

import socket
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from applications.intake import submit_inquiry
from applications.models import (
    AccessAction,
    Inquiry,
    InquiryAccess,
    Notification,
    NotificationKind,
    NotificationState,
)
from applications.outbox import deliver_notifications
from applications.privacy import erase_personal_data
from applications.reminders import remind_overdue_routes
from bureaus.models import Duty
from core.mailer import DeadlineSMTPBackend
from core.models import InquiryWindow
from core.publication import State
from tests.applications.helpers import form_data, inquiry_answers
from tests.applications.mail_server import Mailbox, use_mail_server
from tests.applications.stored import make_bureau_staff, make_hr
from tests.conftest import free_port, make_bureau

pytestmark = pytest.mark.django_db

CENTRAL = "jinji-kouryu@kouryu.metro.tokyo.example"
APPLICANT = "hanako.yamada@energy.example"


class SilentServer:
    """A TCP server on loopback that accepts connections and then misbehaves: says
    nothing at all (``trickle`` False), or starts a greeting and sends one more byte of
    it every ``interval`` seconds, never finishing the line (a trickling server)."""

    def __init__(self, *, trickle=False, interval=0.3):
        self.trickle, self.interval = trickle, interval
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.stopping = threading.Event()
        self.connections = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.listener.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self.connections.append(connection)
            if self.trickle:
                threading.Thread(target=self.drip, args=(connection,), daemon=True).start()

    def drip(self, connection):
        for byte in b"220 kouryu.example ESMTP " * 100:
            if self.stopping.wait(self.interval):
                return
            try:
                connection.send(bytes([byte]))
            except OSError:
                return

    def stop(self):
        self.stopping.set()
        # Out of accept() first: the port is free only once nothing waits on it.
        self.thread.join()
        for connection in self.connections:
            connection.close()
        self.listener.close()


@contextmanager
def silent_server(**options):
    server = SilentServer(**options)
    try:
        yield server
    finally:
        server.stop()


def submit_through_views(client):
    """The applicant's three steps; returns the confirm POST's response and its duration."""
    assert client.post("/consultation/", form_data(client)).status_code == 302
    token = client.get("/consultation/confirm/").context["draft_digest"]
    started = time.monotonic()
    response = client.post("/consultation/confirm/", {"draft": token})
    return response, time.monotonic() - started


def make_due():
    Notification.objects.update(next_attempt_at=timezone.now())


# --- A mail server that accepts and then hangs. ------------------------------------------


@pytest.mark.parametrize("trickle", [False, True], ids=["silent", "trickling"])
def test_a_hung_mail_server_never_holds_the_request_and_the_worker_only_until_its_deadline(
    client, settings, start_smtp, trickle
):
    # Per operation the timeout is 1 s; a trickling server answers a byte every 0.3 s, so
    # only the overall deadline (2 s) can stop it.
    with silent_server(trickle=trickle) as server:
        use_mail_server(settings, server.port, timeout=1, deadline=2)

        response, seconds = submit_through_views(client)
        assert response.url == "/consultation/done/"
        assert seconds < 1
        assert server.accepted == 0  # The request opened no connection at all.

        started = time.monotonic()
        assert deliver_notifications() == 0
        worker_seconds = time.monotonic() - started
        assert server.accepted == 1
        assert worker_seconds < 2 + 1.5
        if trickle:
            assert worker_seconds >= 2  # Only the deadline stopped it.

    inquiry = Inquiry.objects.get()
    rows = list(inquiry.notifications.all())
    assert len(rows) == 3
    for notification in rows:
        assert notification.state == NotificationState.PENDING
        assert notification.attempts == 1
        if trickle:
            assert notification.last_error.startswith("DeadlineExceeded: connect")
        else:  # smtplib reports the socket's timeout as a lost connection.
            assert "timed out" in notification.last_error, notification.last_error

    # The server recovers on the same port: each mail is delivered exactly once.
    box = Mailbox()
    start_smtp(box, server.port)
    make_due()
    assert deliver_notifications() == 3
    make_due()
    assert deliver_notifications() == 0
    assert box.recipients() == Counter(
        ["environment@kouryu.metro.tokyo.example", CENTRAL, APPLICANT]
    )
    assert set(inquiry.notifications.values_list("state", "attempts")) == {
        (NotificationState.SENT, 2)
    }


def test_the_deadline_may_not_be_shorter_than_the_timeout_of_one_operation():
    with pytest.raises(ValueError, match="exceeds the deadline"):
        DeadlineSMTPBackend(host="127.0.0.1", port=25, timeout=10, deadline=5, alias="default")


# --- Mails that cannot be sent, and the alert. --------------------------------------------


def queue_for(recipient):
    """A submitted request whose acknowledgement goes to ``recipient`` as stored."""
    inquiry = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=inquiry_answers(),
        bureaus=[],
        duties=[Duty.objects.get(slug="hydrogen-society")],
    ).inquiry
    acknowledgement = inquiry.notifications.get(kind=NotificationKind.ACKNOWLEDGEMENT)
    # An address the form should never let through, written straight into the row.
    Notification.objects.filter(pk=acknowledgement.pk).update(recipient=recipient)
    return inquiry, acknowledgement


def test_a_mail_that_cannot_be_encoded_fails_after_one_attempt_with_one_alert(mailbox):
    inquiry, acknowledgement = queue_for('"bad\x01name"@energy.example')

    assert deliver_notifications() == 2  # The bureau's mail and the central copy.
    acknowledgement.refresh_from_db()
    assert acknowledgement.state == NotificationState.FAILED
    assert acknowledgement.attempts == 1
    assert acknowledgement.last_error.startswith("ValueError")
    [alert] = Notification.objects.filter(kind=NotificationKind.ALERT)
    assert (alert.alert_for, alert.recipient, alert.inquiry) == (acknowledgement, CENTRAL, inquiry)

    # The next pass sends the alert, in Japanese, and tries the broken mail no more.
    make_due()
    assert deliver_notifications() == 1
    message = mailbox.received[-1]
    assert message.rcpt_tos == [CENTRAL]
    assert message.decoded_subject == (
        f"【交流受入ポータル】メールを送信できませんでした（{inquiry.reference}）"
    )
    assert "申込者への受付確認" in message.body and "ValueError" in message.body
    assert reverse("admin:applications_notification_change", args=[acknowledgement.pk]) in (
        message.body
    )
    acknowledgement.refresh_from_db()
    assert acknowledgement.attempts == 1
    assert Notification.objects.filter(kind=NotificationKind.ALERT).count() == 1


def test_after_the_last_attempt_a_mail_fails_and_an_alert_that_fails_raises_no_other(
    client, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    use_mail_server(settings, free_port())  # Nothing listens: every attempt fails.
    inquiry, _ack = queue_for(APPLICANT)

    for attempt in range(1, 4):
        make_due()
        assert deliver_notifications() == 0
        mails = inquiry.notifications.exclude(kind=NotificationKind.ALERT)
        states = set(mails.values_list("state", "attempts"))
        expected = NotificationState.FAILED if attempt == 3 else NotificationState.PENDING
        assert states == {(expected, attempt)}
    assert Notification.objects.filter(kind=NotificationKind.ALERT).count() == 3

    # The alerts fail too, three attempts each, and nobody is alerted about them.
    for _ in range(3):
        make_due()
        deliver_notifications()
    alerts = Notification.objects.filter(kind=NotificationKind.ALERT)
    assert set(alerts.values_list("state", flat=True)) == {NotificationState.FAILED}
    assert alerts.count() == 3
    report = client.get("/health/").json()["outbox"]
    assert report["ok"] is False
    assert (report["failed"], report["failed_alerts"]) == (3, 3)


# --- Reminders go through the outbox to a real server. -------------------------------------


def test_reminders_are_queued_in_japanese_and_the_worker_sends_them(mailbox):
    bureau = make_bureau(contact_email="kyoku@bureau.example")
    inquiry = submit_inquiry(
        token=uuid.uuid4(),
        language="en",
        answers=inquiry_answers(),
        bureaus=[bureau],
        duties=[],
    ).inquiry
    inquiry.routes.update(reply_by=date(2026, 1, 5))
    Duty.objects.create(
        bureau=bureau,
        slug="old",
        title_ja="古い業務",
        confirmed_at=date(2020, 1, 1),
        publication_state=State.APPROVED,
    )

    remind_overdue_routes(today=date(2026, 1, 6))
    call_command("remind_review", "--date", "2026-01-06", stdout=StringIO())
    assert mailbox.received == []  # Queued, not sent.
    kinds = {NotificationKind.OVERDUE_REMINDER, NotificationKind.REVIEW_REMINDER}
    assert set(Notification.objects.filter(kind__in=kinds).values_list("kind", flat=True)) == kinds

    deliver_notifications()
    to_bureau = {
        m.decoded_subject: m.body
        for m in mailbox.received
        if m.rcpt_tos == ["kyoku@bureau.example"]
    }
    # The request's own notice, and the two reminders, in Japanese whatever the
    # applicant's language.
    assert len(to_bureau) == 3
    overdue = to_bureau["【交流受入】回答期限を過ぎた事前相談の申込み（1 件）"]
    assert inquiry.reference in overdue and "回答期限" in overdue
    review = to_bureau[f"【交流受入】業務内容例の確認のお願い（{bureau.name_ja}・1 件）"]
    assert "古い業務" in review
    assert set(Notification.objects.filter(kind__in=kinds).values_list("state", flat=True)) == {
        NotificationState.SENT
    }


# --- Only the worker talks SMTP. ----------------------------------------------------------


class CountingBackend(locmem.EmailBackend):
    """The in-memory backend, counting every connection any code opens."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()


def test_no_request_and_no_back_office_step_opens_a_mail_connection(client, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.applications.test_mail_path.CountingBackend"}}
    CountingBackend.opened = 0
    bureau = make_bureau()
    hr = make_hr()
    make_bureau_staff(bureau)

    submit_through_views(client)
    inquiry = Inquiry.objects.get()
    remind_overdue_routes(today=timezone.localdate() + timedelta(days=60))
    call_command("remind_review", "--date", "2030-01-01", stdout=StringIO())
    client.force_login(hr)
    notification = inquiry.notifications.first()
    client.post(
        reverse("admin:applications_notification_changelist"),
        {"action": "cancel", "_selected_action": [notification.pk]},
    )
    erase_personal_data(email=APPLICANT, user=hr)
    assert CountingBackend.opened == 0
    assert mail.outbox == []

    deliver_notifications()
    assert CountingBackend.opened == 1


# --- Cancelling a mail in admin. ----------------------------------------------------------


def test_hr_cancels_a_waiting_mail_the_worker_skips_it_and_the_access_log_records_it(client):
    inquiry, acknowledgement = queue_for(APPLICANT)
    hr = make_hr()
    client.force_login(hr)

    response = client.post(
        reverse("admin:applications_notification_changelist"),
        {"action": "cancel", "_selected_action": [acknowledgement.pk]},
    )
    assert response.status_code == 302
    acknowledgement.refresh_from_db()
    assert acknowledgement.state == NotificationState.CANCELLED
    [record] = InquiryAccess.objects.filter(action=AccessAction.CANCEL_MAIL)
    assert (record.user, record.inquiry, record.notification) == (hr, inquiry, acknowledgement)

    assert deliver_notifications() == 2
    assert APPLICANT not in [message.to[0] for message in mail.outbox]
    # A sent mail cannot be cancelled: nothing changes, nothing is recorded.
    sent = inquiry.notifications.filter(state=NotificationState.SENT).first()
    client.post(
        reverse("admin:applications_notification_changelist"),
        {"action": "cancel", "_selected_action": [sent.pk]},
    )
    sent.refresh_from_db()
    assert sent.state == NotificationState.SENT
    assert InquiryAccess.objects.filter(action=AccessAction.CANCEL_MAIL).count() == 1


def test_bureau_staff_cannot_reach_the_mails_at_all(client):
    bureau = make_bureau()
    client.force_login(make_bureau_staff(bureau))
    response = client.get(reverse("admin:applications_notification_changelist"))
    assert response.status_code == 403


# --- The stored text and the retention purge. ------------------------------------------------


def test_erasing_a_request_blanks_the_stored_text_of_every_mail_that_named_it():
    hr = make_hr()
    bureau = make_bureau()
    inquiry = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=inquiry_answers(company_name="消去対象株式会社"),
        bureaus=[bureau],
        duties=[],
    ).inquiry
    other = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=inquiry_answers(company_name="残る株式会社", email="taro@other.example"),
        bureaus=[bureau],
        duties=[],
    ).inquiry
    deliver_notifications()
    for route in (*inquiry.routes.all(), *other.routes.all()):
        route.reply_by = date(2026, 1, 5)
        route.save()
    remind_overdue_routes(today=date(2026, 1, 6))
    reminder = Notification.objects.get(kind=NotificationKind.OVERDUE_REMINDER)
    assert "消去対象株式会社" in reminder.body and "残る株式会社" in reminder.body
    staff_mails = inquiry.notifications.exclude(kind=NotificationKind.ACKNOWLEDGEMENT)
    assert all("消去対象株式会社" in n.body for n in staff_mails)

    erase_personal_data(email="hanako.yamada@energy.example", user=hr)

    for notification in Notification.objects.filter(inquiry=inquiry):
        assert notification.body == ""
        assert "消去対象株式会社" not in notification.subject
    reminder.refresh_from_db()
    assert reminder.body == ""
    # The other request's own mails keep their text.
    assert all(n.body for n in other.notifications.all())
    assert InquiryWindow.objects.get().contact_email == CENTRAL
    assert get_user_model().objects.filter(pk=hr.pk).exists()
