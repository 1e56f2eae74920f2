"""Workflows of pre-consultation: submit and route a request, deliver its mails."""

import logging
import secrets
import smtplib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import (
    Inquiry,
    InquiryAccess,
    InquiryRoute,
    Notification,
    NotificationKind,
    NotificationState,
)
from applications.restrictions import restriction_concerns
from applications.routing import BureauAddress, route_inquiry
from applications.workflow import add_business_days
from portal.models import InquiryWindow, Restriction

logger = logging.getLogger(__name__)

# A worker that claimed a mail and died is presumed dead after this long.
SENDING_LEASE = timezone.timedelta(minutes=10)


@dataclass(frozen=True)
class Submission:
    inquiry: Inquiry
    is_new: bool


@transaction.atomic
def submit_inquiry(*, token, language, answers, bureaus, duties, received_at=None):
    """Save a request and queue every mail that routes it, in one transaction.

    ``answers`` holds the form's cleaned scalar fields. The same ``token`` submitted
    again (double click, resubmission, a concurrent request) returns the inquiry it
    first made, and queues nothing more. Delivery is not attempted here: call
    ``deliver_notifications`` after commit.
    """
    existing = Inquiry.objects.filter(submission_token=token).first()
    if existing:
        return Submission(existing, is_new=False)

    received_at = received_at or timezone.now()
    try:
        with transaction.atomic():
            inquiry = Inquiry.objects.create(
                # Replaced by the public reference once the row has its serial.
                reference=uuid.uuid4().hex[:20],
                status_token=secrets.token_urlsafe(32),
                submission_token=token,
                language=language,
                received_at=received_at,
                purpose_acknowledged_at=received_at,
                **answers,
            )
    except IntegrityError:
        # A concurrent request with the same token committed first.
        return Submission(Inquiry.objects.get(submission_token=token), is_new=False)

    inquiry.reference = Inquiry.reference_for(inquiry.pk, timezone.localtime(received_at))
    inquiry.save(update_fields=["reference"])
    chosen_bureaus = {bureau.pk: bureau for bureau in bureaus}
    for duty in duties:
        chosen_bureaus.setdefault(duty.bureau_id, duty.bureau)
    inquiry.bureaus.set(chosen_bureaus.values())
    reply_by = add_business_days(
        timezone.localdate(received_at), settings.INQUIRY_REPLY_BUSINESS_DAYS
    )
    InquiryRoute.objects.bulk_create(
        InquiryRoute(inquiry=inquiry, bureau=bureau, reply_by=reply_by)
        for bureau in chosen_bureaus.values()
    )
    inquiry.duties.set(duties)

    window = InquiryWindow.objects.get()
    routes = route_inquiry(
        bureaus=[BureauAddress(b.pk, b.contact_email) for b in chosen_bureaus.values()],
        wants_other_duties=bool(answers.get("other_duties")),
        central_email=window.contact_email,
    )
    for route in routes:
        notification = Notification.objects.create(
            inquiry=inquiry,
            kind=NotificationKind.CENTRAL if route.is_central else NotificationKind.BUREAU,
            recipient=route.recipient,
            covers_other_duties=route.covers_other_duties,
            next_attempt_at=received_at,
        )
        notification.bureaus.set(route.bureau_ids)
    Notification.objects.create(
        inquiry=inquiry,
        kind=NotificationKind.ACKNOWLEDGEMENT,
        recipient=inquiry.email,
        next_attempt_at=received_at,
    )
    return Submission(inquiry, is_new=True)


def claim_due_notifications(*, ids=None, limit=50, now=None):
    """Take due notifications for this worker, so no other worker sends them.

    On PostgreSQL, rows another worker has locked are skipped; the claim is
    committed before any mail is sent, with a lease after which a crashed
    worker's claim lapses.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = Notification.objects.due(now).select_for_update(skip_locked=True)
        if ids is not None:
            due = due.filter(pk__in=ids)
        claimed = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        Notification.objects.filter(pk__in=claimed).update(
            state=NotificationState.SENDING,
            lease_expires_at=now + SENDING_LEASE,
            attempts=F("attempts") + 1,
        )
    return list(
        Notification.objects.filter(pk__in=claimed)
        .select_related("inquiry")
        .prefetch_related("bureaus", "inquiry__bureaus", "inquiry__duties__bureau")
    )


def deliver_notifications(*, ids=None, limit=50):
    """Claim due notifications and send them over one SMTP connection.

    Returns the number sent. A mail the server refuses for good (5xx) is marked
    failed; any other error leaves it pending with a growing delay. When the
    server cannot be reached, the rest are put back at once rather than each
    waiting out the timeout.
    """
    notifications = claim_due_notifications(ids=ids, limit=limit)
    if not notifications:
        return 0
    sent = 0
    mailer = mail.mailers.default
    try:
        mailer.open()
    except Exception as error:
        # Refused, unreachable, a 5xx greeting, a failed login: a fault of the
        # server or its configuration, never of these mails. Retry them all.
        for notification in notifications:
            _record_failure(notification, error, permanent=False)
        return 0
    try:
        for notification in notifications:
            try:
                mailer.send_messages([build_message(notification)])
            except Exception as error:
                _record_failure(notification, error)
            else:
                Notification.objects.filter(pk=notification.pk).update(
                    state=NotificationState.SENT,
                    sent_at=timezone.now(),
                    lease_expires_at=None,
                    last_error="",
                )
                sent += 1
    finally:
        try:
            mailer.close()
        except Exception:  # The mails are recorded; a failed QUIT changes nothing.
            logger.warning("SMTP connection did not close cleanly")
    return sent


def is_permanent_refusal(error):
    """Whether the server refused this mail itself for good (5xx for its recipient or
    content). A refused sender or login is the portal's fault: retried, not final."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def _record_failure(notification, error, *, permanent=None):
    attempts = notification.attempts  # Already counted by the claim.
    if permanent is None:
        permanent = is_permanent_refusal(error)
    Notification.objects.filter(pk=notification.pk).update(
        state=NotificationState.FAILED if permanent else NotificationState.PENDING,
        next_attempt_at=timezone.now() + notification.retry_delay(),
        lease_expires_at=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    # Never the address or the error text: both may carry personal data.
    logger.warning(
        "Notification %s (%s) not sent, attempt %s: %s",
        notification.pk,
        notification.inquiry.reference,
        attempts,
        type(error).__name__,
    )


def build_message(notification):
    """The mail for one notification, in the language the form was used in.

    Headers carry only the portal's own texts and the reference; whatever the
    applicant typed stays in the body.
    """
    inquiry = notification.inquiry
    with translation.override(inquiry.language):
        context = {
            "inquiry": inquiry,
            "notification": notification,
            "bureaus": list(inquiry.bureaus.all()),
            "duties": list(inquiry.duties.all()),
            "concerns": restriction_notes(inquiry),
            "admin_url": settings.SITE_URL.rstrip("/")
            + reverse("admin:applications_inquiry_change", args=[inquiry.pk]),
            "window": InquiryWindow.objects.first(),
        }
        template = f"applications/email/{notification.kind}.txt"
        body = render_to_string(template, context)
        subject = render_to_string(f"applications/email/{notification.kind}_subject.txt", context)
    return mail.EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
    )


def restriction_notes(inquiry):
    """The restrictions the applicant's answers may touch, with the rule's text."""
    restrictions = {r.topic: r for r in Restriction.objects.published().exclude(topic="")}
    return [
        {"concern": concern, "restriction": restrictions.get(concern.topic)}
        for concern in restriction_concerns(inquiry.restriction_answers)
    ]


def record_access(*, inquiry_id, user, action):
    """Note that ``user`` saw or exported a request's personal data."""
    InquiryAccess.objects.create(inquiry_id=inquiry_id, user=user, action=action)
