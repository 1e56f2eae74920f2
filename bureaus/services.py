"""Workflows of the catalogue: asking bureaus to confirm duties that are due for review."""

import logging
import smtplib
from dataclasses import dataclass, field
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from bureaus.models import Duty
from portal.models import InquiryWindow

logger = logging.getLogger(__name__)


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
    database: the duties stay due until HR staff mark them confirmed in admin.
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
        context = {"bureau": bureau, "duties": reminder_lines(duties), "months": months}
        if send(result, "review_reminder", context, bureau.contact_email):
            result.sent.append((bureau, duties))

    if result.unaddressed:
        window = InquiryWindow.objects.order_by("pk").first()
        if window is not None and window.contact_email:
            context = {
                "window": window,
                "months": months,
                "bureaus": [
                    {
                        "bureau": bureau,
                        "admin_url": admin_url("bureaus_bureau_change", bureau.pk),
                        "duties": reminder_lines(duties),
                    }
                    for bureau, duties in result.unaddressed
                ],
            }
            if send(result, "review_unaddressed", context, window.contact_email):
                result.central_recipient = window.contact_email
    return result


def reminder_lines(duties):
    """Each duty with the addresses a reminder shows: its page and its admin form."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            {
                "duty": duty,
                "page_url": site_url(duty.get_absolute_url()),
                "admin_url": admin_url("bureaus_duty_change", duty.pk),
            }
            for duty in duties
        ]


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def admin_url(name, pk):
    return site_url(reverse(f"admin:{name}", args=[pk]))


def send(result, template, context, recipient):
    """Send one reminder; a refusal is kept in ``result.failed``. True when sent."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"bureaus/email/{template}_subject.txt", context)
        body = render_to_string(f"bureaus/email/{template}.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [recipient])
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Review reminder (%s) not sent: %s", template, type(error).__name__)
        result.failed.append((recipient, error))
        return False
    return True
