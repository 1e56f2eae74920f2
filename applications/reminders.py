"""Reminders to staff: requests past their reply-by date, and listings due for review."""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import groupby

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation

from applications.models import InquiryRoute
from applications.outbox import render_mail
from applications.workflow import CLOSED
from bureaus.models import Duty
from core.links import absolute_url, admin_change_url
from core.models import InquiryWindow

logger = logging.getLogger(__name__)


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
    window = InquiryWindow.objects.current()
    central = window.contact_email if window else ""
    result = OverdueRun()

    overdue = open_routes.filter(reply_by__lt=today, reminded_at__isnull=True)
    for _bureau_pk, group in groupby(overdue, key=lambda route: route.bureau_id):
        routes = list(group)
        bureau = routes[0].bureau
        recipient = bureau.contact_email or central
        context = {"bureau": bureau, "routes": overdue_lines(routes), "today": today}
        if send_staff_mail(result.failed, "overdue_reminder", context, recipient, bureau.name_ja):
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
        if send_staff_mail(result.failed, "overdue_escalation", context, central, "人事課"):
            InquiryRoute.objects.filter(pk__in=[r.pk for r in unanswered]).update(
                escalated_at=stamp
            )
            result.escalated.append((central, unanswered))
    return result


def overdue_lines(routes):
    """What an overdue mail says of each route: reference, company, bureau, dates, admin link."""
    return [{"route": route, "admin_url": admin_change_url(route)} for route in routes]


@dataclass
class ReviewReminders:
    """What send_review_reminders did, for the command's summary."""

    # (bureau, its due duties) per mail sent to the bureau itself.
    sent: list = field(default_factory=list)
    # (bureau, its due duties) for bureaus with no address, reported centrally.
    unaddressed: list = field(default_factory=list)
    # Where the unaddressed bureaus were reported; empty when nowhere could be.
    central_recipient: str = ""
    # (recipient, error) for mails the server refused.
    failed: list = field(default_factory=list)

    @property
    def duty_count(self):
        return sum(len(duties) for _bureau, duties in self.sent + self.unaddressed)


def send_review_reminders(*, today, months=None):
    """Mail each bureau the list of its published duties that are due for review.

    One mail per bureau, to its contact address. Bureaus without an address are
    listed in one mail to the central inquiry window instead. A mail the server
    refuses is recorded and the others still go. Nothing is written to the
    database: the duties stay due until staff mark them confirmed in admin.
    """
    months = settings.REVIEW_INTERVAL_MONTHS if months is None else months
    due = (
        Duty.objects.published()
        .due_for_review(today, months)
        .select_related("bureau")
        .order_by("bureau__order", "bureau__slug", "confirmed_at", "order", "slug")
    )
    result = ReviewReminders()
    for _pk, group in groupby(due, key=lambda duty: duty.bureau_id):
        duties = list(group)
        bureau = duties[0].bureau
        if not bureau.contact_email:
            result.unaddressed.append((bureau, duties))
            continue
        context = {"bureau": bureau, "duties": review_lines(duties), "months": months}
        if send_staff_mail(
            result.failed, "review_reminder", context, bureau.contact_email, bureau.name_ja
        ):
            result.sent.append((bureau, duties))

    if result.unaddressed:
        window = InquiryWindow.objects.current()
        if window is not None and window.contact_email:
            context = {
                "window": window,
                "months": months,
                "bureaus": [
                    {
                        "bureau": bureau,
                        "admin_url": admin_change_url(bureau),
                        "duties": review_lines(duties),
                    }
                    for bureau, duties in result.unaddressed
                ],
            }
            if send_staff_mail(
                result.failed, "review_unaddressed", context, window.contact_email, "人事課"
            ):
                result.central_recipient = window.contact_email
    return result


def review_lines(duties):
    """Each duty with the addresses a reminder shows: its page and its admin form."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            {
                "duty": duty,
                "page_url": absolute_url(duty.get_absolute_url()),
                "admin_url": admin_change_url(duty),
            }
            for duty in duties
        ]


def send_staff_mail(failed, template, context, recipient, label):
    """Send one Japanese mail to staff; a failure is appended to ``failed`` as
    (recipient or ``label``, error text). True when sent."""
    if not recipient:
        failed.append((label, "no address (nor the central window's)"))
        return False
    subject, body = render_mail(
        f"applications/email/{template}", context, language=settings.LANGUAGE_CODE
    )
    try:
        mail.send_mail(subject, body, None, [recipient])
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Staff mail (%s) not sent: %s", template, type(error).__name__)
        failed.append((recipient, f"{type(error).__name__}: {error}"))
        return False
    return True
