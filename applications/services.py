"""Workflows of pre-consultation: submit and route a request, deliver its mails."""

import logging
import secrets
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import groupby

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, Max, OuterRef, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from applications.exports import inquiries_csv
from applications.models import (
    AccessAction,
    Inquiry,
    InquiryAccess,
    InquiryRoute,
    InternalNote,
    Notification,
    NotificationKind,
    NotificationState,
)
from applications.restrictions import restriction_concerns
from applications.routing import BureauAddress, route_inquiry
from applications.workflow import CLOSED, add_business_days
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
            "status_url": status_url(inquiry),
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


def status_url(inquiry):
    """The applicant's secret status page, absolute, in the active language; None once revoked."""
    if not inquiry.status_token:
        return None
    return settings.SITE_URL.rstrip("/") + reverse(
        "applications:status", args=[inquiry.status_token]
    )


@dataclass
class OverdueRun:
    """What remind_overdue_routes did, for the command's summary."""

    # (recipient, bureau, routes) for each reminder mail sent.
    reminded: list = field(default_factory=list)
    # (recipient, routes) for the mail to the central window, when one went.
    escalated: list = field(default_factory=list)
    # (recipient or bureau, error) for mails not sent; their routes stay due.
    failed: list = field(default_factory=list)


@transaction.atomic
def remind_overdue_routes(*, today):
    """Remind bureaus of requests past their reply-by date; tell HR of those still left.

    Every open route whose reply-by date is before ``today`` and that was never
    reminded goes into one mail per bureau, to its contact address (the central
    window's when it has none), and is marked reminded. Every open route reminded
    more than INQUIRY_ESCALATE_AFTER_DAYS days before ``today`` and not yet
    escalated goes into one mail to the central window, and is marked escalated.
    Each happens once: a second run sends nothing more. A mail not sent leaves its
    routes unmarked, for the next run. The mails name a request by its reference
    and company only: the personal data stays in admin.
    """
    # The time of day is the real one; the day is ``today``, so a run for a given
    # day (tests, a catch-up run) stamps that day.
    stamp = timezone.make_aware(datetime.combine(today, timezone.localtime().time()))
    open_routes = (
        InquiryRoute.objects.exclude(status__in=CLOSED)
        .select_related("inquiry", "bureau")
        # Two runs at once (a retried cron job) must not both mail the same route.
        .select_for_update(of=("self",), skip_locked=True)
        .order_by("bureau__order", "bureau__pk", "reply_by", "inquiry__received_at", "pk")
    )
    window = InquiryWindow.objects.order_by("pk").first()
    central = window.contact_email if window else ""
    result = OverdueRun()

    overdue = open_routes.filter(reply_by__lt=today, reminded_at__isnull=True)
    for _bureau_pk, group in groupby(overdue, key=lambda route: route.bureau_id):
        routes = list(group)
        bureau = routes[0].bureau
        recipient = bureau.contact_email or central
        context = {"bureau": bureau, "routes": overdue_lines(routes), "today": today}
        if _send_staff_mail(result, "overdue_reminder", context, recipient, label=bureau.name_ja):
            InquiryRoute.objects.filter(pk__in=[r.pk for r in routes]).update(reminded_at=stamp)
            result.reminded.append((recipient, bureau, routes))

    # "More than N days ago": reminded on a day before today minus N.
    cutoff = today - timedelta(days=settings.INQUIRY_ESCALATE_AFTER_DAYS)
    unanswered = list(
        open_routes.filter(
            escalated_at__isnull=True,
            reminded_at__lt=timezone.make_aware(datetime.combine(cutoff, time.min)),
        )
    )
    if unanswered:
        context = {
            "routes": overdue_lines(unanswered),
            "days": settings.INQUIRY_ESCALATE_AFTER_DAYS,
            "today": today,
        }
        if _send_staff_mail(result, "overdue_escalation", context, central, label="人事課"):
            InquiryRoute.objects.filter(pk__in=[r.pk for r in unanswered]).update(
                escalated_at=stamp
            )
            result.escalated.append((central, unanswered))
    return result


def overdue_lines(routes):
    """What an overdue mail says of each route: reference, company, bureau, dates, admin link."""
    return [
        {
            "route": route,
            "admin_url": settings.SITE_URL.rstrip("/")
            + reverse("admin:applications_inquiryroute_change", args=[route.pk]),
        }
        for route in routes
    ]


def _send_staff_mail(result, template, context, recipient, *, label):
    """Send one Japanese mail to staff; a failure is kept in ``result.failed``. True when sent."""
    if not recipient:
        result.failed.append((label, "no address (nor the central window's)"))
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"applications/email/{template}_subject.txt", context)
        body = render_to_string(f"applications/email/{template}.txt", context)
    try:
        mail.send_mail(" ".join(subject.split()), body, None, [recipient])
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Overdue mail (%s) not sent: %s", template, type(error).__name__)
        result.failed.append((recipient, f"{type(error).__name__}: {error}"))
        return False
    return True


# --- Export, erasure and retention of applicants' personal data (issue 4, items 6–7). -------

ANONYMISED_TEXT = "（匿名化済み）"
# The reserved .invalid domain (RFC 2606) can never receive mail.
ANONYMISED_EMAIL = "anonymised@anonymised.invalid"
# What identifies the applicant or the company; industry, bureaus, duties, dates and
# statuses stay, so the anonymous statistics count the request as before.
PERSONAL_FIELDS = [
    "company_name",
    "industry_other",
    "main_business",
    "contact_name",
    "contact_name_kana",
    "department",
    "job_title",
    "phone",
    "message",
    "other_duties",
]


def _anonymised(value):
    # An empty optional answer stays empty, so "asked about other duties" still reads true.
    return ANONYMISED_TEXT if value else ""


@transaction.atomic
def export_inquiries_csv(*, inquiries, user):
    """The CSV of ``inquiries`` (already scoped to ``user``), one row per bureau route
    ``user`` may see; every request exported is recorded against ``user``."""
    chosen = list(inquiries.order_by("received_at", "pk").prefetch_related("duties__bureau"))
    routes = {}
    for route in (
        InquiryRoute.objects.visible_to(user)
        .filter(inquiry__in=[inquiry.pk for inquiry in chosen])
        .select_related("bureau", "assignee")
        .order_by("bureau__order", "bureau__slug")
    ):
        routes.setdefault(route.inquiry_id, []).append(route)
    for inquiry in chosen:
        record_access(inquiry_id=inquiry.pk, user=user, action=AccessAction.EXPORT)
    return inquiries_csv(chosen, routes)


def _personal_record(inquiry):
    def moment(value):
        return timezone.localtime(value).isoformat() if value else None

    return {
        "reference": inquiry.reference,
        "received_at": moment(inquiry.received_at),
        "language": inquiry.language,
        "company_name": inquiry.company_name,
        "industry": inquiry.get_industry_display(),
        "industry_other": inquiry.industry_other,
        "main_business": inquiry.main_business,
        "contact_name": inquiry.contact_name,
        "contact_name_kana": inquiry.contact_name_kana,
        "department": inquiry.department,
        "job_title": inquiry.job_title,
        "email": inquiry.email,
        "phone": inquiry.phone,
        "bureaus": [bureau.name_ja for bureau in inquiry.bureaus.all()],
        "duties": [duty.title_ja for duty in inquiry.duties.all()],
        "other_duties": inquiry.other_duties,
        "desired_start": inquiry.desired_start.isoformat(),
        "desired_months": inquiry.desired_months,
        "message": inquiry.message,
        "licensing_relation": inquiry.get_licensing_relation_display(),
        "subsidy_relation": inquiry.get_subsidy_relation_display(),
        "contract_relation": inquiry.get_contract_relation_display(),
        "purpose_acknowledged_at": moment(inquiry.purpose_acknowledged_at),
        # Where each bureau stands, never its internal notes.
        "statuses": [
            {
                "bureau": route.bureau.name_ja,
                "status": route.get_status_display(),
                "closed_at": moment(route.closed_at),
            }
            for route in inquiry.routes.all()
        ],
    }


def _inquiries_of(email):
    return Inquiry.objects.filter(email__iexact=email.strip(), anonymised_at__isnull=True)


@transaction.atomic
def export_personal_data(*, email, user=None):
    """Everything held about the applicant writing from ``email``, for a disclosure
    request: a JSON-serialisable dict. Recorded as an export when ``user`` is given."""
    inquiries = list(
        _inquiries_of(email)
        .order_by("received_at", "pk")
        .prefetch_related("bureaus", "duties", "routes__bureau")
    )
    if user is not None:
        for inquiry in inquiries:
            record_access(inquiry_id=inquiry.pk, user=user, action=AccessAction.EXPORT)
    # References only: the address itself is the personal data asked about.
    logger.info(
        "Personal data exported for %s request(s): %s",
        len(inquiries),
        ", ".join(inquiry.reference for inquiry in inquiries) or "-",
    )
    return {
        "exported_at": timezone.localtime().isoformat(),
        "email": email.strip(),
        "inquiries": [_personal_record(inquiry) for inquiry in inquiries],
    }


@transaction.atomic
def anonymise_inquiries(*, inquiries, now, user=None, reason):
    """Replace the personal data of ``inquiries`` with placeholders, everywhere it is kept.

    The request itself, its past versions in the history, its internal notes and
    its mails (unsent ones are dropped; the applicant's address is blanked on the
    rest) lose names, company, address and free text; what the statistics count
    stays. The status link stops working. Returns the references anonymised.
    """
    chosen = list(inquiries.select_for_update().filter(anonymised_at__isnull=True))
    pks = [inquiry.pk for inquiry in chosen]
    for inquiry in chosen:
        for name in PERSONAL_FIELDS:
            setattr(inquiry, name, _anonymised(getattr(inquiry, name)))
        inquiry.email = ANONYMISED_EMAIL
        inquiry.status_token = None
        inquiry.anonymised_at = now
        # The new history row says who anonymised it and why; no personal data in it.
        inquiry._history_user = user
        inquiry._change_reason = reason
        inquiry.save()
    if not pks:
        return []
    Inquiry.history.filter(id__in=pks).update(
        **{
            name: Case(When(**{name: ""}, then=Value("")), default=Value(ANONYMISED_TEXT))
            for name in PERSONAL_FIELDS
        },
        email=ANONYMISED_EMAIL,
        status_token=None,
    )
    InternalNote.objects.filter(route__inquiry__in=pks).update(body=ANONYMISED_TEXT)
    Notification.objects.filter(
        inquiry__in=pks, state__in=[NotificationState.PENDING, NotificationState.SENDING]
    ).delete()
    Notification.objects.filter(inquiry__in=pks, kind=NotificationKind.ACKNOWLEDGEMENT).update(
        recipient=ANONYMISED_EMAIL
    )
    # An SMTP error may quote the address it refused.
    Notification.objects.filter(inquiry__in=pks).update(last_error="")
    references = [inquiry.reference for inquiry in chosen]
    logger.info("Anonymised %s request(s) (%s): %s", len(references), reason, ", ".join(references))
    return references


@transaction.atomic
def erase_personal_data(*, email, user):
    """Anonymise every request from ``email``, for a deletion request; returns their
    references. The requests stay, without personal data, so the counts hold."""
    return anonymise_inquiries(
        inquiries=_inquiries_of(email), now=timezone.now(), user=user, reason="個人情報の消去の求め"
    )


def inquiries_due_for_anonymisation(now):
    """Requests every bureau has closed, the last more than the retention period ago.

    A request with an open route, or with a closed route missing its closing time,
    is kept; so is one routed to no bureau (nothing records when it ended).
    """
    cutoff = now - timedelta(days=settings.INQUIRY_RETENTION_DAYS)
    open_routes = InquiryRoute.objects.filter(inquiry=OuterRef("pk")).filter(
        Q(closed_at__isnull=True) | ~Q(status__in=CLOSED)
    )
    return (
        Inquiry.objects.filter(anonymised_at__isnull=True)
        .filter(Exists(InquiryRoute.objects.filter(inquiry=OuterRef("pk"))))
        .exclude(Exists(open_routes))
        .annotate(last_closed_at=Max("routes__closed_at"))
        .filter(last_closed_at__lt=cutoff)
    )


@transaction.atomic
def anonymise_closed_inquiries(*, now=None):
    """The retention rule: anonymise requests closed more than INQUIRY_RETENTION_DAYS ago.

    Returns the references anonymised.
    """
    now = now or timezone.now()
    due = Inquiry.objects.filter(pk__in=inquiries_due_for_anonymisation(now).values("pk"))
    return anonymise_inquiries(inquiries=due, now=now, reason="保存期間の経過")
