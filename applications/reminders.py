"""Reminders to staff: requests past their reply-by date, and listings due for review.

Each reminder is queued in the outbox in the transaction that records it (routes
marked reminded or escalated), so a reminder is sent once and never lost.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from applications.models import CENTRAL_WINDOW_NAME_JA, InquiryRoute, NotificationKind
from applications.outbox import queue_mail
from applications.workflow import CLOSED, latest_day_passed
from bureaus.models import Duty
from core.links import absolute_url, admin_change_url
from core.models import InquiryWindow


@dataclass
class OverdueRun:
    """What remind_overdue_routes did, for the command's summary."""

    # (recipient, bureau, routes) for each reminder mail queued.
    reminded: list = field(default_factory=list)
    # (recipient, routes) for the mail to the central window, when one was queued.
    escalated: list = field(default_factory=list)
    # (bureau, reason) for reminders nobody could be sent; their routes stay due.
    failed: list = field(default_factory=list)


@transaction.atomic
def remind_overdue_routes(*, today):
    """Remind bureaus of requests past their reply-by date; tell HR of those still left.

    Every open route whose reply-by date is before ``today`` and that was never
    reminded goes into one mail per bureau, to its contact address (the central
    window's when it has none, or when the route is the central window's own), and
    is marked reminded. Every open bureau route reminded more than
    INQUIRY_ESCALATE_AFTER_DAYS working days before ``today`` (workflow.is_working_day)
    and not yet escalated goes into one mail to the central window, and is marked
    escalated.
    Each happens once: a second run queues nothing more. With no address at all,
    the routes stay unmarked, for the next run. The mails name a request by its
    reference and company only: the personal data stays in admin.
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
        # None for the central window's own routes (requests for other duties only).
        bureau = routes[0].bureau
        recipient = (bureau.contact_email if bureau else "") or central
        if not recipient:
            name = bureau.name_ja if bureau else CENTRAL_WINDOW_NAME_JA
            result.failed.append((name, "no address (nor the central window's)"))
            continue
        queue_mail(
            kind=NotificationKind.OVERDUE_REMINDER,
            recipient=recipient,
            context={"bureau": bureau, "routes": overdue_lines(routes), "today": today},
            routes=routes,
        )
        InquiryRoute.objects.filter(pk__in=[r.pk for r in routes]).update(reminded_at=stamp)
        result.reminded.append((recipient, bureau, routes))

    # "More than N working days ago": reminded on a day whose N working days after
    # it have all passed. The central window's own routes were reminded to it already.
    last_day = latest_day_passed(
        today, settings.INQUIRY_ESCALATE_AFTER_DAYS, closed_days=settings.INQUIRY_CLOSED_DAYS
    )
    unanswered = list(
        open_routes.filter(
            is_central=False,
            escalated_at__isnull=True,
            reminded_at__lt=timezone.make_aware(
                datetime.combine(last_day + timedelta(days=1), time.min)
            ),
        )
    )
    if unanswered and not central:
        result.failed.append(("人事課", "the central window has no address"))
    elif unanswered:
        queue_mail(
            kind=NotificationKind.OVERDUE_ESCALATION,
            recipient=central,
            context={
                "routes": overdue_lines(unanswered),
                "days": settings.INQUIRY_ESCALATE_AFTER_DAYS,
                "today": today,
            },
            routes=unanswered,
        )
        InquiryRoute.objects.filter(pk__in=[r.pk for r in unanswered]).update(escalated_at=stamp)
        result.escalated.append((central, unanswered))
    return result


def overdue_lines(routes):
    """What an overdue mail says of each route: reference, company, bureau, dates, admin link."""
    return [{"route": route, "admin_url": admin_change_url(route)} for route in routes]


@dataclass
class ReviewReminders:
    """What send_review_reminders did, for the command's summary."""

    # (bureau, its due duties) per mail queued to the bureau itself.
    sent: list = field(default_factory=list)
    # (bureau, its due duties) for bureaus with no address, reported centrally.
    unaddressed: list = field(default_factory=list)
    # Where the unaddressed bureaus were reported; empty when nowhere could be.
    central_recipient: str = ""

    @property
    def duty_count(self):
        return sum(len(duties) for _bureau, duties in self.sent + self.unaddressed)


@transaction.atomic
def send_review_reminders(*, today, months=None):
    """Queue to each bureau the list of its published duties that are due for review.

    One mail per bureau, to its contact address. Bureaus without an address are
    listed in one mail to the central inquiry window instead. The duties stay due
    until the bureau confirms them in admin, so a monthly run asks again.
    """
    months = settings.REVIEW_INTERVAL_MONTHS if months is None else months
    due = (
        Duty.objects.live()
        .due_for_review(today, months)
        .select_related("bureau")
        # Never-confirmed duties first, on every database (PostgreSQL sorts NULL last).
        .order_by(
            "bureau__order",
            "bureau__slug",
            F("confirmed_at").asc(nulls_first=True),
            "order",
            "slug",
        )
    )
    result = ReviewReminders()
    for _pk, group in groupby(due, key=lambda duty: duty.bureau_id):
        duties = list(group)
        bureau = duties[0].bureau
        if not bureau.contact_email:
            result.unaddressed.append((bureau, duties))
            continue
        queue_mail(
            kind=NotificationKind.REVIEW_REMINDER,
            recipient=bureau.contact_email,
            context={"bureau": bureau, "duties": review_lines(duties), "months": months},
        )
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
            queue_mail(
                kind=NotificationKind.REVIEW_UNADDRESSED,
                recipient=window.contact_email,
                context=context,
            )
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
