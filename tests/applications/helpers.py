"""Builders for the pre-consultation tests: valid form data and a full submission."""

import hashlib
from datetime import date

from django.core import signing

from applications.forms import FILL_TIMER_SALT
from bureaus.models import Bureau, Duty


def next_month():
    today = date.today()
    return f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}"


def started_long_ago(client=None):
    """A fill-timer value from an hour ago, so the minimum fill time is met, for the
    browser session of ``client`` (its CSRF secret; none before its first page)."""
    from time import time

    secret = client.cookies["csrftoken"].value if client and "csrftoken" in client.cookies else ""
    binding = hashlib.sha256(secret.encode()).hexdigest()[:16]
    return signing.dumps(time() - 3600, salt=f"{FILL_TIMER_SALT}:{binding}")


def form_data(client=None, **overrides):
    """A complete, valid form submission asking about the hydrogen duty (its fill-time
    token made for ``client``'s session when the client has opened a page already)."""
    duty = Duty.objects.get(slug="hydrogen-society")
    data = {
        "company_name": "東京エネルギー株式会社",
        "industry": "energy",
        "industry_other": "",
        "main_business": "法人向けの電力小売",
        "contact_name": "山田 花子",
        "contact_name_kana": "やまだ はなこ",
        "department": "人事部人事課",
        "job_title": "課長",
        "email": "hanako.yamada@energy.example",
        "phone": "０３－１２３４－５６７８",
        "duties": [str(duty.pk)],
        "other_duties": "",
        "desired_start": next_month(),
        "desired_months": "24",
        "message": "水素関連の業務を希望します。",
        "licensing_relation": "no",
        "subsidy_relation": "unsure",
        "contract_relation": "no",
        "acknowledge": "on",
        "website": "",
        "started": started_long_ago(client),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def bureau(slug):
    return Bureau.objects.get(slug=slug)


def inquiry_answers(**overrides):
    """The scalar answers of a valid request, as ``submit_inquiry`` takes them."""
    answers = {
        "company_name": "東京エネルギー株式会社",
        "industry": "energy",
        "industry_other": "",
        "main_business": "法人向けの電力小売",
        "contact_name": "山田 花子",
        "contact_name_kana": "やまだ はなこ",
        "department": "経営企画部採用グループ",
        "job_title": "課長",
        "email": "hanako.yamada@energy.example",
        "phone": "03-1234-5678",
        "other_duties": "",
        "desired_start": date(2026, 4, 1),
        "desired_months": 12,
        "message": "",
        "licensing_relation": "no",
        "subsidy_relation": "no",
        "contract_relation": "no",
    }
    answers.update(overrides)
    return answers
