"""A builder for stored pre-consultation requests, for the statistics tests."""

import itertools
import uuid
from datetime import date

from django.utils import timezone

from applications.models import Inquiry

_serial = itertools.count(1)


def make_inquiry(*, bureaus=(), industry="finance", received_at=None, **overrides):
    """A stored request naming ``bureaus``; company and contact details are made up."""
    n = next(_serial)
    received_at = received_at or timezone.now()
    fields = {
        "reference": f"KR-TEST-{n:06d}",
        "submission_token": uuid.uuid4(),
        "language": "ja",
        "received_at": received_at,
        "company_name": f"試験商事{n}株式会社",
        "industry": industry,
        "main_business": "試験用の事業",
        "contact_name": f"試験 太郎{n}",
        "department": "人事部",
        "email": f"taro{n}@company.example",
        "phone": "03-1234-5678",
        "desired_start": date(2027, 4, 1),
        "desired_months": 24,
        "licensing_relation": "no",
        "subsidy_relation": "no",
        "contract_relation": "no",
        "purpose_acknowledged_at": received_at,
    }
    fields.update(overrides)
    inquiry = Inquiry.objects.create(**fields)
    inquiry.bureaus.set(bureaus)
    return inquiry
