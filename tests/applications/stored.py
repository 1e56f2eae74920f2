"""Builders for stored requests with their bureau routes, and the back-office accounts."""

import io
import itertools
import uuid
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from applications.models import Inquiry, InquiryRoute
from bureaus.models import BureauStaff
from staffauth.roles import BUREAU_STAFF_GROUP, HR_GROUP

_serial = itertools.count(1)


def make_request(*, bureaus=(), statuses=None, closed_at=None, **overrides):
    """A stored request routed to ``bureaus`` (to the central window when none, as
    intake does); ``statuses`` (one per route) default to 受付, and a closed status
    gets ``closed_at``."""
    n = next(_serial)
    received_at = overrides.pop("received_at", None) or timezone.now()
    fields = {
        "reference": f"KR-H4C-{n:06d}",
        "submission_token": uuid.uuid4(),
        "status_token": uuid.uuid4().hex,
        "language": "ja",
        "received_at": received_at,
        "company_name": f"試験商事{n}株式会社",
        "industry": "finance",
        "main_business": "試験用の事業",
        "contact_name": f"試験 太郎{n}",
        "contact_name_kana": "しけん たろう",
        "department": "人事部",
        "job_title": "課長",
        "email": f"taro{n}@company{n}.example",
        "phone": "03-1234-5678",
        "desired_start": date(2027, 4, 1),
        "desired_months": 24,
        "message": "相談したいことがあります。",
        "licensing_relation": "no",
        "subsidy_relation": "no",
        "contract_relation": "no",
        "purpose_acknowledged_at": received_at,
    }
    fields.update(overrides)
    inquiry = Inquiry.objects.create(**fields)
    inquiry.bureaus.set(bureaus)
    handlers = list(bureaus) or [None]
    statuses = statuses or ["received"] * len(handlers)
    for bureau, status in zip(handlers, statuses, strict=True):
        closed = status in {"accepted", "declined", "withdrawn"}
        InquiryRoute.objects.create(
            inquiry=inquiry,
            bureau=bureau,
            is_central=bureau is None,
            status=status,
            closed_at=closed_at if closed else None,
        )
    return inquiry


def make_hr(username="jinji"):
    call_command("setup_roles", stdout=io.StringIO())
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=HR_GROUP))
    return user


def make_bureau_staff(bureau, username="kyoku"):
    call_command("setup_roles", stdout=io.StringIO())
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=BUREAU_STAFF_GROUP))
    BureauStaff.objects.create(user=user, bureau=bureau)
    return user
