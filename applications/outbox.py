"""The outbox: mails claimed by a worker and delivered over SMTP, with retries."""

import logging
import smtplib

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from applications.intake import restriction_notes
from applications.models import Notification, NotificationState
from core.links import absolute_url, admin_change_url
from core.models import InquiryWindow

logger = logging.getLogger(__name__)

# A worker that claimed a mail and died is presumed dead after this long.
SENDING_LEASE = timezone.timedelta(minutes=10)


def render_mail(template, context, *, language):
    """(subject, body) of the mail ``template`` in ``language``: the templates
    ``<template>_subject.txt`` and ``<template>.txt``, the subject on one line."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    return " ".join(subject.split()), body


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
            "concerns": restriction_notes(inquiry.restriction_answers),
            "admin_url": admin_change_url(inquiry),
            "window": InquiryWindow.objects.current(),
            "status_url": status_url(inquiry),
        }
    subject, body = render_mail(
        f"applications/email/{notification.kind}", context, language=inquiry.language
    )
    return mail.EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
    )


def status_url(inquiry):
    """The applicant's secret status page, absolute, in the active language; None once revoked."""
    if not inquiry.status_token:
        return None
    return absolute_url(reverse("applications:status", args=[inquiry.status_token]))


def check_outbox():
    """For /health/: the age of the oldest mail still waiting, against its limit."""
    oldest = (
        Notification.objects.filter(state=NotificationState.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {
        "ok": age <= settings.HEALTH_MAX_OUTBOX_AGE_SECONDS,
        "oldest_pending_seconds": round(age),
    }
