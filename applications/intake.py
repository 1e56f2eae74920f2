"""Submit a pre-consultation request: save it, route it to its bureaus (or the central
window), queue its mails."""

import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Inquiry, InquiryRoute, NotificationKind
from applications.outbox import queue_mail
from applications.restrictions import restriction_concerns
from applications.routing import BureauAddress, route_inquiry
from applications.workflow import add_working_days
from core.links import absolute_url, admin_change_url
from core.models import InquiryWindow
from portal.models import Restriction


@dataclass(frozen=True)
class Submission:
    inquiry: Inquiry
    is_new: bool


@transaction.atomic
def submit_inquiry(*, token, language, answers, bureaus, duties, received_at=None):
    """Save a request and queue every mail that routes it, in one transaction.

    ``answers`` holds the form's cleaned scalar fields. The same ``token`` submitted
    again (double click, resubmission, a concurrent request) returns the inquiry it
    first made, and queues nothing more. The mails are rendered and queued here;
    the worker (``manage.py send_notifications``) delivers them, never the request.
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
    chosen_bureaus = {bureau.pk: bureau for bureau in bureaus_of_request(bureaus, duties)}
    inquiry.bureaus.set(chosen_bureaus.values())
    reply_by = add_working_days(
        timezone.localdate(received_at),
        settings.INQUIRY_REPLY_BUSINESS_DAYS,
        closed_days=settings.INQUIRY_CLOSED_DAYS,
    )
    # One route per bureau; a request that names none (other duties only) is the
    # central window's, so that it too is handled, closed and in time purged.
    InquiryRoute.objects.bulk_create(
        [
            InquiryRoute(inquiry=inquiry, bureau=bureau, reply_by=reply_by)
            for bureau in chosen_bureaus.values()
        ]
        or [InquiryRoute(inquiry=inquiry, is_central=True, reply_by=reply_by)]
    )
    inquiry.duties.set(duties)

    window = InquiryWindow.objects.current()
    routes = route_inquiry(
        bureaus=[BureauAddress(b.pk, b.contact_email) for b in chosen_bureaus.values()],
        wants_other_duties=bool(answers.get("other_duties")),
        central_email=window.contact_email,
    )
    context = {
        "inquiry": inquiry,
        "bureaus": list(chosen_bureaus.values()),
        "duties": list(duties),
        "concerns": restriction_notes(inquiry.restriction_answers),
        "admin_url": admin_change_url(inquiry),
        "window": window,
        "status_url": status_url(inquiry, language),
    }
    for route in routes:
        route_bureaus = [chosen_bureaus[pk] for pk in route.bureau_ids]
        queue_mail(
            kind=NotificationKind.CENTRAL if route.is_central else NotificationKind.BUREAU,
            recipient=route.recipient,
            context={
                **context,
                "route_bureaus": route_bureaus,
                "covers_other_duties": route.covers_other_duties,
            },
            # Staff read Japanese whatever the form's language; the answers are
            # quoted as typed.
            language=settings.LANGUAGE_CODE,
            inquiry=inquiry,
            bureaus=route_bureaus,
            covers_other_duties=route.covers_other_duties,
            now=received_at,
        )
    queue_mail(
        kind=NotificationKind.ACKNOWLEDGEMENT,
        recipient=inquiry.email,
        context=context,
        language=language,
        inquiry=inquiry,
        now=received_at,
    )
    return Submission(inquiry, is_new=True)


def status_url(inquiry, language):
    """The applicant's secret status page, absolute, in ``language``; None once revoked."""
    if not inquiry.status_token:
        return None
    with translation.override(language):
        return absolute_url(reverse("applications:status", args=[inquiry.status_token]))


def restriction_notes(answers):
    """The restrictions the self-check ``answers`` (topic -> Answer) may touch, each
    with the rule's published text: for the confirm page and the bureaus' mails."""
    restrictions = {r.topic: r for r in Restriction.objects.live().exclude(topic="")}
    return [
        {"concern": concern, "restriction": restrictions.get(concern.topic)}
        for concern in restriction_concerns(answers)
    ]


def bureaus_of_request(bureaus, duties):
    """The bureaus a request goes to: those chosen, then those of the chosen duties,
    each once, in that order (the confirm page lists them; submit_inquiry routes to them)."""
    chosen = {bureau.pk: bureau for bureau in bureaus}
    for duty in duties:
        chosen.setdefault(duty.bureau_id, duty.bureau)
    return list(chosen.values())
