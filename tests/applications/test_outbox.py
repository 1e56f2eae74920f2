"""The outbox on the database: what a submission queues, how workers claim and retry mails.

Mail goes through Django's in-memory backend, or through ``RefusingBackend`` below when
a test needs the server to refuse something.
"""

import logging
import re
import smtplib
import uuid
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string

from applications.forms import ConsultationForm
from applications.intake import submit_inquiry
from applications.models import (
    REQUEST_KINDS,
    Inquiry,
    Notification,
    NotificationKind,
    NotificationState,
)
from applications.outbox import SENDING_LEASE, claim_due_notifications, deliver_notifications
from bureaus.models import Bureau
from tests.applications.helpers import form_data
from tests.conftest import make_bureau

pytestmark = pytest.mark.django_db

BUREAU_ADDRESS = "environment@kouryu.metro.tokyo.example"
CENTRAL_ADDRESS = "jinji-kouryu@kouryu.metro.tokyo.example"
APPLICANT = "hanako.yamada@energy.example"
REFUSING_BACKEND = "tests.applications.test_outbox.RefusingBackend"


class RefusingBackend(locmem.EmailBackend):
    """The in-memory backend, failing where a test says: on open, or for some recipients."""

    open_error = None
    refusals = {}

    def open(self):
        if type(self).open_error is not None:
            raise type(self).open_error
        return True

    def send_messages(self, messages):
        for message in messages:
            if (error := type(self).refusals.get(message.to[0])) is not None:
                raise error
        return super().send_messages(messages)


@pytest.fixture
def refusing_mailer(settings):
    settings.MAILERS = {"default": {"BACKEND": REFUSING_BACKEND}}
    backend = import_string(REFUSING_BACKEND)
    backend.open_error = None
    backend.refusals = {}
    yield backend
    backend.open_error = None
    backend.refusals = {}


def request_parts(**overrides):
    """What the confirm view hands to submit_inquiry, from a valid form."""
    form = ConsultationForm(form_data(**overrides))
    assert form.is_valid(), form.errors
    return {
        "answers": form.inquiry_answers(),
        "bureaus": list(form.cleaned_data["bureaus"]),
        "duties": list(form.cleaned_data["duties"].select_related("bureau")),
    }


def submit(token=None, received_at=None, **overrides):
    return submit_inquiry(
        token=token or uuid.uuid4(),
        language="ja",
        received_at=received_at,
        **request_parts(**overrides),
    )


def submit_through_views(client, **overrides):
    response = client.post("/consultation/", form_data(client, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    token = client.get("/consultation/confirm/").context["draft_digest"]
    return client.post("/consultation/confirm/", {"draft": token})


def by_kind(inquiry):
    """The mails that route the request, by kind (not an alert about one of them)."""
    return {
        notification.kind: notification
        for notification in inquiry.notifications.filter(kind__in=REQUEST_KINDS)
    }


def refused(address, code):
    return smtplib.SMTPRecipientsRefused({address: (code, b"refused by the test")})


# --- What a submission writes. -------------------------------------------------------


def test_a_request_for_the_hydrogen_duty_queues_a_bureau_central_and_acknowledgement_mail():
    submission = submit()

    assert submission.is_new
    inquiry = Inquiry.objects.get()
    assert inquiry == submission.inquiry
    assert re.fullmatch(rf"KR-\d{{4}}-{inquiry.pk:06d}", inquiry.reference)
    environment = Bureau.objects.get(slug="environment")
    assert list(inquiry.bureaus.all()) == [environment]
    assert list(inquiry.duties.values_list("slug", flat=True)) == ["hydrogen-society"]

    assert Notification.objects.count() == 3
    rows = by_kind(inquiry)
    assert set(rows) == set(REQUEST_KINDS)
    assert rows[NotificationKind.BUREAU].recipient == BUREAU_ADDRESS
    assert list(rows[NotificationKind.BUREAU].bureaus.all()) == [environment]
    assert rows[NotificationKind.CENTRAL].recipient == CENTRAL_ADDRESS
    assert list(rows[NotificationKind.CENTRAL].bureaus.all()) == []
    assert rows[NotificationKind.ACKNOWLEDGEMENT].recipient == APPLICANT
    for notification in rows.values():
        assert notification.state == NotificationState.PENDING
        assert notification.attempts == 0
        assert notification.covers_other_duties is False
        assert notification.next_attempt_at == inquiry.received_at
        assert notification.sent_at is None
        assert notification.last_error == ""


def test_the_same_token_twice_makes_one_inquiry_and_queues_nothing_more():
    token = uuid.uuid4()
    first = submit(token=token)
    second = submit(token=token, company_name="別の株式会社")

    assert first.is_new
    assert not second.is_new
    assert second.inquiry.pk == first.inquiry.pk
    assert Inquiry.objects.get().company_name == "東京エネルギー株式会社"
    assert Notification.objects.count() == 3


def test_other_duties_alone_go_to_the_central_window_and_the_applicant_only():
    inquiry = submit(duties=None, other_duties="国際金融都市に関する業務").inquiry

    assert list(inquiry.bureaus.all()) == []
    rows = by_kind(inquiry)
    assert set(rows) == {NotificationKind.CENTRAL, NotificationKind.ACKNOWLEDGEMENT}
    assert rows[NotificationKind.CENTRAL].recipient == CENTRAL_ADDRESS
    assert rows[NotificationKind.CENTRAL].covers_other_duties is True
    assert rows[NotificationKind.ACKNOWLEDGEMENT].covers_other_duties is False


def test_a_bureau_without_an_address_is_reached_through_the_central_copy():
    silent = make_bureau(contact_email="")
    inquiry = submit(bureaus=[str(silent.pk)]).inquiry

    rows = by_kind(inquiry)
    assert Notification.objects.count() == 3
    assert list(rows[NotificationKind.CENTRAL].bureaus.all()) == [silent]
    assert list(rows[NotificationKind.BUREAU].bureaus.values_list("slug", flat=True)) == [
        "environment"
    ]


def test_the_reference_carries_the_year_of_receipt_in_tokyo():
    # 2027-01-01 00:30 in Tokyo, as timezone.now() gives it (in UTC).
    received_at = datetime(2026, 12, 31, 15, 30, tzinfo=UTC)

    inquiry = submit(received_at=received_at).inquiry

    assert timezone.localtime(inquiry.received_at).year == 2027
    assert inquiry.reference == f"KR-2027-{inquiry.pk:06d}"


# --- Retries. --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(0, 1), (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (9, 256), (10, 360), (11, 360), (500, 360)],
)
def test_the_retry_delay_doubles_after_each_failure_up_to_six_hours(attempts, minutes):
    assert Notification(attempts=attempts).retry_delay() == timedelta(minutes=minutes)


def test_each_failed_attempt_waits_twice_as_long_as_the_one_before(refusing_mailer):
    refusing_mailer.open_error = ConnectionRefusedError("mail server down")
    submit()

    for attempt, minutes in enumerate([1, 2, 4, 8, 16], start=1):
        Notification.objects.update(next_attempt_at=timezone.now())
        before = timezone.now()
        assert deliver_notifications() == 0
        after = timezone.now()
        for notification in Notification.objects.all():
            assert notification.state == NotificationState.PENDING
            assert notification.attempts == attempt
            delay = timedelta(minutes=minutes)
            assert before + delay <= notification.next_attempt_at <= after + delay


@pytest.mark.parametrize(
    "error",
    [
        refused(BUREAU_ADDRESS, 550),
        refused(BUREAU_ADDRESS, 553),
        smtplib.SMTPDataError(554, b"5.7.1 Message rejected"),
    ],
    ids=["rcpt-550", "rcpt-553", "data-554"],
)
def test_a_permanent_refusal_marks_the_mail_failed_and_it_is_never_retried(
    refusing_mailer, mailoutbox, error
):
    refusing_mailer.refusals = {BUREAU_ADDRESS: error}
    inquiry = submit().inquiry

    assert deliver_notifications() == 2

    rows = by_kind(inquiry)
    failed = rows.pop(NotificationKind.BUREAU)
    assert failed.state == NotificationState.FAILED
    assert failed.attempts == 1
    assert failed.last_error.startswith(type(error).__name__)
    assert failed.sent_at is None
    assert failed.lease_expires_at is None
    assert all(row.state == NotificationState.SENT for row in rows.values())
    assert sorted(message.to[0] for message in mailoutbox) == sorted([CENTRAL_ADDRESS, APPLICANT])
    # The central window is told, once, by a mail of its own.
    alert = Notification.objects.get(kind=NotificationKind.ALERT)
    assert (alert.alert_for, alert.recipient, alert.inquiry) == (failed, CENTRAL_ADDRESS, inquiry)

    Notification.objects.update(next_attempt_at=timezone.now() - timedelta(days=1))
    assert deliver_notifications() == 1  # The alert; the refused mail is never tried again.
    assert mailoutbox[-1].to == [CENTRAL_ADDRESS]
    assert inquiry.reference in mailoutbox[-1].subject
    failed.refresh_from_db()
    assert failed.state == NotificationState.FAILED
    assert failed.attempts == 1
    assert Notification.objects.filter(kind=NotificationKind.ALERT).count() == 1


@pytest.mark.parametrize(
    ("error", "connection_lost"),
    [
        (refused(BUREAU_ADDRESS, 451), False),
        (smtplib.SMTPDataError(421, b"4.3.2 Try again later"), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (TimeoutError("timed out"), True),
    ],
    ids=["rcpt-451", "data-421", "disconnected", "timeout"],
)
def test_a_transient_error_leaves_the_mail_pending_for_a_later_attempt(
    refusing_mailer, mailoutbox, error, connection_lost
):
    refusing_mailer.refusals = {BUREAU_ADDRESS: error}
    inquiry = submit().inquiry
    before = timezone.now()

    # With the connection gone, the mails after the bureau's go back untried.
    assert deliver_notifications() == (0 if connection_lost else 2)
    if connection_lost:
        for notification in inquiry.notifications.all():
            assert notification.state == NotificationState.PENDING
            assert notification.attempts == 1
        Notification.objects.exclude(kind=NotificationKind.BUREAU).update(
            next_attempt_at=timezone.now()
        )
        refusing_mailer.refusals = {}
        assert deliver_notifications() == 2
        refusing_mailer.refusals = {BUREAU_ADDRESS: error}

    pending = by_kind(inquiry)[NotificationKind.BUREAU]
    assert pending.state == NotificationState.PENDING
    assert pending.attempts == 1
    assert pending.next_attempt_at > before
    assert pending.last_error.startswith(type(error).__name__)
    assert pending.lease_expires_at is None
    assert pending.sent_at is None

    # Not due yet: a pass now sends nothing; once due and accepted, it goes.
    refusing_mailer.refusals = {}
    assert deliver_notifications() == 0
    Notification.objects.filter(pk=pending.pk).update(next_attempt_at=timezone.now())
    assert deliver_notifications() == 1
    pending.refresh_from_db()
    assert pending.state == NotificationState.SENT
    assert pending.attempts == 2
    assert pending.last_error == ""
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [BUREAU_ADDRESS, CENTRAL_ADDRESS, APPLICANT]
    )


def test_an_unreachable_server_puts_every_claimed_mail_back(refusing_mailer, mailoutbox):
    refusing_mailer.open_error = ConnectionRefusedError("Connection refused")
    submit()
    before = timezone.now()

    assert deliver_notifications() == 0

    assert mailoutbox == []
    for notification in Notification.objects.all():
        assert notification.state == NotificationState.PENDING
        assert notification.attempts == 1
        assert notification.next_attempt_at > before
        assert notification.last_error.startswith("ConnectionRefusedError")


# --- Claims. ---------------------------------------------------------------------------


def test_claiming_never_takes_a_mail_not_yet_due_or_already_finished():
    first = by_kind(submit().inquiry)
    second = by_kind(submit(email="taro@energy.example").inquiry)
    now = timezone.now()
    later = first[NotificationKind.BUREAU]
    Notification.objects.filter(pk=later.pk).update(next_attempt_at=now + timedelta(minutes=5))
    sent = first[NotificationKind.CENTRAL]
    Notification.objects.filter(pk=sent.pk).update(state=NotificationState.SENT, sent_at=now)
    failed = second[NotificationKind.BUREAU]
    Notification.objects.filter(pk=failed.pk).update(state=NotificationState.FAILED)
    busy = second[NotificationKind.CENTRAL]
    Notification.objects.filter(pk=busy.pk).update(
        state=NotificationState.SENDING, lease_expires_at=now + timedelta(hours=1)
    )
    due = {first[NotificationKind.ACKNOWLEDGEMENT].pk, second[NotificationKind.ACKNOWLEDGEMENT].pk}

    claimed = claim_due_notifications(now=now)

    assert {notification.pk for notification in claimed} == due
    for notification in claimed:
        assert notification.state == NotificationState.SENDING
        assert notification.attempts == 1
        assert notification.lease_expires_at == now + SENDING_LEASE
    assert claim_due_notifications(now=now) == []

    # In five minutes the later one is due; the sent and failed ones never are.
    assert [n.pk for n in claim_due_notifications(now=now + timedelta(minutes=5))] == [later.pk]
    far = claim_due_notifications(now=now + timedelta(days=1))
    assert {notification.pk for notification in far} == due | {later.pk, busy.pk}
    assert Notification.objects.get(pk=sent.pk).state == NotificationState.SENT
    assert Notification.objects.get(pk=failed.pk).state == NotificationState.FAILED


def test_a_claim_takes_only_the_asked_mails_oldest_first_up_to_the_limit():
    old = submit(received_at=timezone.now() - timedelta(hours=1)).inquiry
    new = submit(email="taro@energy.example").inquiry
    old_ids = list(old.notifications.values_list("pk", flat=True))

    assert [n.pk for n in claim_due_notifications(limit=2)] == old_ids[:2]
    assert [n.pk for n in claim_due_notifications(ids=old_ids)] == old_ids[2:]
    assert claim_due_notifications(ids=old_ids) == []
    assert {n.inquiry_id for n in claim_due_notifications()} == {new.pk}


def test_an_expired_lease_makes_a_sending_mail_claimable_again():
    submit()
    now = timezone.now()
    first = claim_due_notifications(now=now)
    assert len(first) == 3

    assert claim_due_notifications(now=now + SENDING_LEASE - timedelta(seconds=1)) == []
    again = claim_due_notifications(now=now + SENDING_LEASE)

    assert [n.pk for n in again] == [n.pk for n in first]
    for notification in again:
        assert notification.state == NotificationState.SENDING
        assert notification.attempts == 2
        assert notification.lease_expires_at == now + 2 * SENDING_LEASE


def test_a_mail_claimed_by_a_worker_that_died_is_sent_once_its_lease_runs_out(mailoutbox):
    submit()
    claim_due_notifications()  # A worker claims the mails and dies before sending.

    assert deliver_notifications() == 0
    Notification.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert deliver_notifications() == 3

    assert len(mailoutbox) == 3
    assert set(Notification.objects.values_list("state", flat=True)) == {NotificationState.SENT}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {2}


# --- Logs and the worker command. ------------------------------------------------------


def test_the_logs_never_carry_the_applicant_s_details_or_any_address(
    client, refusing_mailer, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    refusing_mailer.refusals = {
        APPLICANT: refused(APPLICANT, 550),
        BUREAU_ADDRESS: refused(BUREAU_ADDRESS, 451),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_through_views(client)
    assert response.url == "/consultation/done/"
    Notification.objects.update(next_attempt_at=timezone.now())
    refusing_mailer.open_error = ConnectionRefusedError(f"cannot reach {BUREAU_ADDRESS}")
    call_command("send_notifications", stdout=StringIO())

    inquiry = Inquiry.objects.get()
    messages = [record.getMessage() for record in caplog.records]
    logged = "\n".join(messages) + "\n" + caplog.text
    assert any(inquiry.reference in message for message in messages)
    for secret in [
        APPLICANT,
        "hanako.yamada",
        "山田 花子",
        "やまだ はなこ",
        "東京エネルギー株式会社",
        "03-1234-5678",
        BUREAU_ADDRESS,
        CENTRAL_ADDRESS,
    ]:
        assert secret not in logged


def test_the_send_notifications_command_sends_due_mails_once(mailoutbox):
    submit()
    waiting = submit(email="taro@energy.example").inquiry
    waiting.notifications.update(next_attempt_at=timezone.now() + timedelta(hours=1))

    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert out.getvalue().strip() == "sent 3"
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [BUREAU_ADDRESS, CENTRAL_ADDRESS, APPLICANT]
    )

    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert out.getvalue().strip() == "sent 0"
    assert len(mailoutbox) == 3
    assert set(Notification.objects.exclude(inquiry=waiting).values_list("state", "attempts")) == {
        (NotificationState.SENT, 1)
    }
    assert set(waiting.notifications.values_list("state", "attempts")) == {
        (NotificationState.PENDING, 0)
    }


# Committed rows and no test transaction: the worker closes its connection after an
# outage, as it must in production, which would end a test transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_outlives_a_database_outage_and_backs_off(monkeypatch, mailoutbox, caplog):
    # Before, an OperationalError from a restarting database ended the --loop worker
    # and mails waited until someone restarted it.
    from django.db import OperationalError

    from applications.management.commands import send_notifications as command

    submit()
    real = command.deliver_notifications
    outcomes = iter([OperationalError("server closed the connection"), OperationalError("again")])

    def flaky(*, limit):
        failure = next(outcomes, None)
        if failure:
            raise failure
        return real(limit=limit)

    waits, reports = [], []
    monkeypatch.setattr(command, "deliver_notifications", flaky)
    command.run_worker(interval=2, batch=50, passes=4, report=reports.append, sleep=waits.append)
    assert waits == [2, 4, 2, 2]  # Doubling while down, back to the interval after.
    assert reports == ["sent 3"]
    assert len(mailoutbox) == 3
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "OperationalError" in logged and "server closed" not in logged


def test_the_backoff_stops_at_its_ceiling(monkeypatch):
    from django.db import OperationalError

    from applications.management.commands import send_notifications as command

    def down(*, limit):
        raise OperationalError("down")

    waits = []
    monkeypatch.setattr(command, "deliver_notifications", down)
    command.run_worker(interval=5, batch=50, passes=7, sleep=waits.append)
    assert waits == [5, 10, 20, 40, 60, 60, 60]
    assert command.MAX_BACKOFF_SECONDS == 60
