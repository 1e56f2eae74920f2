"""Applicants' personal data: who saw it, disclosure, erasure, and the retention rule."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, Value, When
from django.utils import timezone

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
from applications.workflow import CLOSED

logger = logging.getLogger(__name__)


def record_access(*, inquiry_id, user, action, notification=None):
    """Note that ``user`` saw or exported a request's personal data, or cancelled a mail."""
    InquiryAccess.objects.create(
        inquiry_id=inquiry_id, notification=notification, user=user, action=action
    )


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
                "bureau": route.handler_name_ja,
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
    # The stored text of every mail that named them, reminders included; an SMTP
    # error may quote the address it refused.
    naming = Notification.objects.filter(Q(inquiry__in=pks) | Q(routes__inquiry__in=pks))
    Notification.objects.filter(pk__in=naming.values("pk")).update(body="", last_error="")
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
    is kept; so is one with no route at all (nothing records when it ended). A
    request for other duties only has the central window's route, and goes like any.
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
