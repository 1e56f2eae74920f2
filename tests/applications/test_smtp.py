"""Real SMTP exchanges: the portal's mails as an aiosmtpd server on 127.0.0.1 receives them.

Each test points MAILERS at its own server (pytest-django would otherwise put the
in-memory backend in place) and reads what arrived on the wire: envelope, headers
and the decoded body.
"""

import socketserver
import threading
from collections import Counter
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from applications.models import Inquiry, Notification, NotificationKind, NotificationState
from applications.outbox import deliver_notifications
from tests.applications.helpers import form_data
from tests.applications.mail_server import Mailbox, use_mail_server
from tests.conftest import free_port

pytestmark = pytest.mark.django_db

BUREAU_ADDRESS = "environment@kouryu.metro.tokyo.example"
CENTRAL_ADDRESS = "jinji-kouryu@kouryu.metro.tokyo.example"
APPLICANT = "hanako.yamada@energy.example"
COMPANY = "東京エネルギー株式会社"
CONTACT = "山田 花子"
DUTY_TITLE = "水素社会実現に向けた取組"
# Headers a plain text mail from the portal may have; anything else was injected.
EXPECTED_HEADERS = {
    "content-type",
    "content-transfer-encoding",
    "mime-version",
    "subject",
    "from",
    "to",
    "date",
    "message-id",
}


@pytest.fixture
def greeting_server(settings):
    """A server that answers every connection with a set greeting and hangs up."""

    class Greet(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.sendall(self.server.greeting.encode() + b"\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Greet)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    use_mail_server(settings, server.server_address[1])
    yield server
    server.shutdown()
    server.server_close()


def submit_through_views(client, capture, **overrides):
    """Send a request through the form, then run one pass of the worker."""
    response = client.post("/consultation/", form_data(client, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    token = client.get("/consultation/confirm/").context["draft_digest"]
    with capture(execute=True):
        response = client.post("/consultation/confirm/", {"draft": token})
    assert response.status_code == 302
    assert response.url == "/consultation/done/"
    deliver_notifications()
    return response


# --- A request, as the mail server sees it. --------------------------------------------


def test_a_hydrogen_request_sends_one_mail_each_to_the_bureau_the_centre_and_the_applicant(
    client, mailbox, django_capture_on_commit_callbacks
):
    submit_through_views(client, django_capture_on_commit_callbacks)

    inquiry = Inquiry.objects.get()
    assert mailbox.recipients() == Counter([BUREAU_ADDRESS, CENTRAL_ADDRESS, APPLICANT])
    assert len(mailbox.received) == 3
    for mail in mailbox.received:
        [recipient] = mail.rcpt_tos
        message = mail.message
        assert mail.mail_from == django_settings.DEFAULT_FROM_EMAIL
        assert message["From"] == "no-reply@kouryu.metro.tokyo.example"
        assert message["To"] == recipient
        assert inquiry.reference in mail.decoded_subject
        assert str(message["Subject"]) == mail.decoded_subject
        mail.raw_head.decode("ascii")  # Every header is encoded for the wire.
        assert message.get_content_type() == "text/plain"
        assert not message.is_multipart()
        assert message.get_content_charset() == "utf-8"
        assert inquiry.reference in mail.body

    for address in (BUREAU_ADDRESS, CENTRAL_ADDRESS):
        mail = mailbox.to(address)
        assert mail.decoded_subject == f"【交流受入】事前相談の申込み {inquiry.reference}"
        assert COMPANY in mail.body
        assert DUTY_TITLE in mail.body
        assert CONTACT in mail.body
        assert "環境局" in mail.body
    assert "人事課あての写し" in mailbox.to(CENTRAL_ADDRESS).body

    acknowledgement = mailbox.to(APPLICANT)
    assert acknowledgement.decoded_subject == (
        f"【東京都 交流受入】事前相談のお申込みを受け付けました（{inquiry.reference}）"
    )
    assert CONTACT not in acknowledgement.body
    assert "事前相談のお申込みをいただいた方へ" in acknowledgement.body
    assert "環境局" in acknowledgement.body

    assert set(Notification.objects.values_list("state", flat=True)) == {NotificationState.SENT}


def test_the_inquiry_is_kept_when_the_mail_server_is_down_and_each_mail_goes_once_it_is_back(
    client, settings, start_smtp, django_capture_on_commit_callbacks
):
    port = free_port()  # Nothing listens here yet.
    use_mail_server(settings, port)

    submit_through_views(client, django_capture_on_commit_callbacks)

    inquiry = Inquiry.objects.get()
    done = client.get("/consultation/done/")
    assert done.status_code == 200
    assert inquiry.reference in done.content.decode()
    assert inquiry.notifications.count() == 3
    for notification in inquiry.notifications.all():
        assert notification.state == NotificationState.PENDING
        assert notification.attempts == 1
        assert notification.last_error != ""
        assert notification.sent_at is None

    box = Mailbox()
    start_smtp(box, port)
    Notification.objects.update(next_attempt_at=timezone.now())
    first, second = StringIO(), StringIO()
    call_command("send_notifications", stdout=first)
    call_command("send_notifications", stdout=second)

    assert first.getvalue().strip() == "sent 3"
    assert second.getvalue().strip() == "sent 0"
    assert box.recipients() == Counter([BUREAU_ADDRESS, CENTRAL_ADDRESS, APPLICANT])
    assert len(box.received) == 3
    assert set(Notification.objects.values_list("state", "attempts")) == {
        (NotificationState.SENT, 2)
    }


# --- Refusals. -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "state"),
    [
        ("451 4.3.0 Mailbox temporarily unavailable", NotificationState.PENDING),
        ("550 5.1.1 No such user", NotificationState.FAILED),
    ],
    ids=["451-pending", "550-failed"],
)
def test_a_refused_recipient_is_retried_only_when_the_refusal_is_temporary(
    client, settings, start_smtp, django_capture_on_commit_callbacks, reply, state
):
    box = Mailbox(refuse={APPLICANT: reply})
    port = free_port()
    start_smtp(box, port)
    use_mail_server(settings, port)
    before = timezone.now()

    submit_through_views(client, django_capture_on_commit_callbacks)

    inquiry = Inquiry.objects.get()
    acknowledgement = inquiry.notifications.get(kind=NotificationKind.ACKNOWLEDGEMENT)
    assert acknowledgement.state == state
    assert acknowledgement.attempts == 1
    assert reply.split()[0] in acknowledgement.last_error
    assert acknowledgement.next_attempt_at > before
    assert acknowledgement.sent_at is None
    # The refusal spoils nothing else sent over the same connection.
    assert box.recipients() == Counter([BUREAU_ADDRESS, CENTRAL_ADDRESS])
    others = inquiry.notifications.exclude(pk=acknowledgement.pk).exclude(
        kind=NotificationKind.ALERT
    )
    assert set(others.values_list("state", flat=True)) == {NotificationState.SENT}
    # A mail that failed for good is reported to the central window by an alert.
    alerts = Notification.objects.filter(kind=NotificationKind.ALERT, alert_for=acknowledgement)
    assert alerts.count() == (1 if state == NotificationState.FAILED else 0)

    # Once the server accepts the address, only a temporary refusal is sent again
    # (and the alert about a permanent one goes to the central window).
    box.refuse = {}
    Notification.objects.update(next_attempt_at=timezone.now())
    retried = 1 if state == NotificationState.PENDING else 0
    assert deliver_notifications() == 1
    assert box.recipients()[APPLICANT] == retried
    assert box.recipients()[CENTRAL_ADDRESS] == 2 - retried


@pytest.mark.parametrize(
    "greeting",
    ["421 4.3.2 Service not available", "554 5.3.2 No SMTP service here"],
    ids=["421", "554"],
)
def test_a_server_refusing_the_whole_session_leaves_every_mail_pending(
    client, greeting_server, django_capture_on_commit_callbacks, greeting
):
    # Refusing the connection says nothing about any one mail: like an unreachable
    # server, it must put every mail back for a later attempt, not fail them for good.
    greeting_server.greeting = greeting

    submit_through_views(client, django_capture_on_commit_callbacks)

    notifications = list(Inquiry.objects.get().notifications.all())
    assert len(notifications) == 3
    for notification in notifications:
        assert notification.last_error.startswith("SMTPConnectError")
        assert notification.attempts == 1
        assert notification.state == NotificationState.PENDING


# --- Header injection and markup. ------------------------------------------------------


@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
@pytest.mark.parametrize("field", ["company_name", "contact_name"])
def test_a_line_break_in_a_name_is_refused_by_the_form(client, mailbox, field, line_break):
    typed = f"{COMPANY}{line_break}Bcc: victim@example.com"

    response = client.post("/consultation/", form_data(client, **{field: typed}))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(field, "line_break")
    assert "改行は入力できません" in response.content.decode()
    assert client.get("/consultation/confirm/").status_code == 302
    assert not Inquiry.objects.exists()
    assert mailbox.received == []


def test_a_line_break_in_the_email_address_is_refused_by_the_form(client, mailbox):
    response = client.post(
        "/consultation/", form_data(client, email=f"{APPLICANT}\r\nBcc: victim@example.com")
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("email")
    assert not Inquiry.objects.exists()
    assert mailbox.received == []


def test_nothing_the_applicant_typed_reaches_a_mail_header(
    client, mailbox, django_capture_on_commit_callbacks
):
    # Each value looks like a header or an address, and carries a marker of its own.
    typed = {
        "company_name": "Probe Company qx1 <qx1@evil.example>",
        "main_business": "Subject: qx2 business",
        "contact_name": "Probe Person qx3",
        "contact_name_kana": "ぷろーぶ qx4",
        "department": "Bcc: qx5@evil.example",
        "job_title": "Reply-To qx6",
        "phone": "03-9876-5432",
        "other_duties": "Probe other duties qx7",
        "message": "Probe message qx8\nX-Injected: qx9",
    }
    markers = ["qx1", "qx2", "qx3", "qx4", "qx5", "qx6", "qx7", "qx8", "qx9", "9876-5432"]

    submit_through_views(client, django_capture_on_commit_callbacks, **typed)

    assert len(mailbox.received) == 3
    bureau = mailbox.to(BUREAU_ADDRESS)
    # The input did reach the mails, in their bodies.
    assert all(marker in bureau.body for marker in markers)
    for mail in mailbox.received:
        headers = [(name.lower(), str(value)) for name, value in mail.message.items()]
        assert {name for name, _ in headers} <= EXPECTED_HEADERS
        assert len(headers) == len({name for name, _ in headers})
        texts = [f"{name}: {value}" for name, value in headers]
        texts.append(mail.raw_head.decode("ascii"))
        texts.append(mail.decoded_subject)
        for piece in [*typed.values(), *markers, "evil.example", "X-Injected"]:
            assert not any(piece in text for text in texts), (piece, texts)
        # The applicant's address is a header only where it is the recipient.
        for name, value in headers:
            if APPLICANT in value:
                assert (name, mail.rcpt_tos) == ("to", [APPLICANT])
    assert mailbox.to(APPLICANT).message["To"] == APPLICANT


def test_markup_in_the_message_arrives_as_literal_text_in_a_plain_text_mail(
    client, mailbox, django_capture_on_commit_callbacks
):
    markup = '<script>alert("x")</script> & <b>太字</b> <a href="https://evil.example/">リンク</a>'

    submit_through_views(client, django_capture_on_commit_callbacks, message=markup)

    for address in (BUREAU_ADDRESS, CENTRAL_ADDRESS):
        mail = mailbox.to(address)
        assert mail.message.get_content_type() == "text/plain"
        assert not mail.message.is_multipart()
        assert markup in mail.body
        assert "&lt;" not in mail.body
        assert "&amp;" not in mail.body
        assert "&quot;" not in mail.body
    for mail in mailbox.received:
        assert not any(part.get_content_type() == "text/html" for part in mail.message.walk())
