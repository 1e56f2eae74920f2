"""The outbox: every mail the portal sends is a row, rendered when queued in the
transaction of what it reports; only the worker delivers them, over SMTP."""

import logging
import smtplib

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from applications.models import AccessAction, Notification, NotificationKind, NotificationState
from applications.privacy import record_access
from core.links import admin_change_url
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


def queue_mail(
    *,
    kind,
    recipient,
    context,
    language=settings.LANGUAGE_CODE,
    inquiry=None,
    bureaus=(),
    routes=(),
    covers_other_duties=False,
    alert_for=None,
    now=None,
):
    """Render the mail of ``kind`` (templates applications/email/<kind>) and queue it.

    Call it inside the transaction of what the mail reports: the mail is queued if
    and only if that commits. Staff mail is Japanese (the default language).
    """
    subject, body = render_mail(f"applications/email/{kind}", context, language=language)
    notification = Notification.objects.create(
        inquiry=inquiry,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body=body,
        covers_other_duties=covers_other_duties,
        alert_for=alert_for,
        next_attempt_at=now or timezone.now(),
    )
    if bureaus:
        notification.bureaus.set(bureaus)
    if routes:
        notification.routes.set(routes)
    return notification


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
        .order_by("next_attempt_at", "pk")
    )


def deliver_notifications(*, ids=None, limit=50):
    """Claim due notifications and send them over one SMTP connection (the worker's job).

    Returns the number sent. The mailer bounds every call by its deadline
    (core.mailer). A mail refused for good, or one that cannot be sent at all,
    fails at once; any other error leaves it pending with a growing delay, until
    OUTBOX_MAX_ATTEMPTS. When the server cannot be reached or stops answering,
    the rest go back at once rather than each waiting out the deadline.
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
            record_failure(notification, error, permanent=False)
        return 0
    try:
        remaining = list(notifications)
        while remaining:
            notification = remaining.pop(0)
            try:
                mailer.send_messages([build_message(notification)])
            except Exception as error:
                record_failure(notification, error)
                if is_connection_lost(error):
                    for rest in remaining:
                        record_failure(rest, error, permanent=False)
                    break
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


def build_message(notification):
    """The mail as it was rendered when queued. Headers carry only the portal's own
    texts and the reference; whatever an applicant typed stays in the body."""
    if not notification.body:
        # Queued before mails kept their text, or blanked by the retention purge.
        raise ValueError("the mail has no stored text to send")
    return mail.EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
    )


def is_permanent_failure(error):
    """Whether sending again cannot help: the server refused this mail for good (5xx
    for its recipient or content), or the failure is not the server's at all (the
    mail cannot be encoded: a ValueError from the address, say). A refused sender
    or login is the portal's fault and a network error passes: both are retried."""
    if not isinstance(error, OSError):  # smtplib's errors and network errors are OSErrors.
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def is_connection_lost(error):
    """Whether the connection is gone (the server hung up, or overran the deadline)."""
    return isinstance(error, (TimeoutError, ConnectionError, smtplib.SMTPServerDisconnected))


@transaction.atomic
def record_failure(notification, error, *, permanent=None):
    """Put a mail back for a later attempt, or fail it for good and alert the central window.

    A mail fails for good when retrying cannot help or after OUTBOX_MAX_ATTEMPTS
    attempts; it then queues one alert to the central window. An alert that fails
    raises no alert of its own: it shows in admin and in /health/.
    """
    if permanent is None:
        permanent = is_permanent_failure(error)
    gives_up = permanent or notification.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    notification.state = NotificationState.FAILED if gives_up else NotificationState.PENDING
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    Notification.objects.filter(pk=notification.pk).update(
        state=notification.state,
        next_attempt_at=timezone.now() + notification.retry_delay(),
        lease_expires_at=None,
        last_error=notification.last_error,
    )
    # Never the address or the error text: both may carry personal data.
    logger.warning(
        "Notification %s (%s) not sent, attempt %s%s: %s",
        notification.pk,
        notification.inquiry.reference if notification.inquiry_id else notification.kind,
        notification.attempts,
        ", given up" if gives_up else "",
        type(error).__name__,
    )
    if gives_up and notification.kind != NotificationKind.ALERT:
        queue_alert(notification)


def queue_alert(failed):
    """Queue one mail to the central window about a mail that failed for good."""
    window = InquiryWindow.objects.current()
    if window is None or not window.contact_email:
        logger.error("Notification %s failed and no central window can be told", failed.pk)
        return None
    try:
        with transaction.atomic():
            return queue_mail(
                kind=NotificationKind.ALERT,
                recipient=window.contact_email,
                inquiry=failed.inquiry,
                alert_for=failed,
                context={
                    "failed": failed,
                    "max_attempts": settings.OUTBOX_MAX_ATTEMPTS,
                    "admin_url": admin_change_url(failed),
                },
            )
    except IntegrityError:  # Failed again after a retry in admin: the first alert stands.
        return None


@transaction.atomic
def cancel_notification(*, notification, user):
    """Stop a mail that is waiting or failed from being sent; recorded in the access log."""
    cancelled = Notification.objects.filter(
        pk=notification.pk,
        state__in=[NotificationState.PENDING, NotificationState.FAILED],
    ).update(state=NotificationState.CANCELLED, lease_expires_at=None)
    if cancelled:
        record_access(
            inquiry_id=notification.inquiry_id,
            notification=notification,
            user=user,
            action=AccessAction.CANCEL_MAIL,
        )
    return bool(cancelled)


def outbox_health():
    """For /health/: the oldest mail still waiting, and the mails nobody was told about."""
    oldest = (
        Notification.objects.filter(state=NotificationState.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    failed = Notification.objects.filter(state=NotificationState.FAILED)
    failed_alerts = failed.filter(kind=NotificationKind.ALERT).count()
    return {
        "ok": age <= settings.HEALTH_MAX_OUTBOX_AGE_SECONDS and not failed_alerts,
        "oldest_pending_seconds": round(age),
        "failed": failed.exclude(kind=NotificationKind.ALERT).count(),
        "failed_alerts": failed_alerts,
    }
