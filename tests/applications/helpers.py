"""Builders for the pre-consultation tests: valid form data, a full submission, and a walk
through every state of the form in a browser tab."""

import hashlib
from datetime import date

from django.core import signing

from applications.forms import FILL_TIMER_SALT
from bureaus.models import Bureau, Duty
from core.models import RateCounter

# Wrong on purpose: an address without a domain, a phone number too short, no consent.
INVALID = {"email": "hanako.yamada@", "phone": "12-34", "company_name": "", "acknowledge": None}


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


def spend_hourly_allowance(settings):
    """No request may be sent from now on (the 429 page), until give_allowance_back."""
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 0


def give_allowance_back(settings, per_hour=1000):
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = per_hour
    RateCounter.objects.all().delete()


def fill_valid(tab):
    """Fill the form with a valid request by the controls' ids (the same in both languages)."""
    for name, value in {
        "company_name": "Tokyo Energy Co., Ltd.",
        "main_business": "Electricity retail",
        "contact_name": "Hanako Yamada",
        "department": "Human Resources",
        "email": "hanako.yamada@energy.example",
        "phone": "03-5388-2374",
        "desired_start": next_month(),
        "desired_months": "12",
    }.items():
        tab.locator(f"#id_{name}").fill(value)
    tab.locator("#id_industry").select_option("energy")
    tab.locator("#id_bureaus_0").check()
    tab.locator("#id_licensing_relation_0").check()
    tab.locator("#id_subsidy_relation_2").check()  # unsure: the confirm page shows a concern
    tab.locator("#id_contract_relation_1").check()  # yes: and another
    tab.locator("#id_acknowledge").check()


def submit(tab, button="main form button[type=submit]"):
    with tab.expect_navigation() as navigation:
        tab.locator(button).click()
    return navigation.value


def form_states(tab, prefix, settings):
    """Walk the form in one language, yielding (state, response, expected status) at each
    step: empty, with errors, confirm, done, and the 429 page of a spent allowance.

    Needs a minimum fill time of 0 and an hourly limit above 2 (the caller sets them).
    The caller may look at the tab between steps, but not navigate it.
    """
    form, confirm = f"{prefix}/consultation/", f"{prefix}/consultation/confirm/"
    yield "form", tab.goto(form), 200

    for name, value in INVALID.items():
        if value:
            tab.locator(f"#id_{name}").fill(value)
    response = submit(tab)
    assert tab.locator(".error-summary").count() == 1, "the invalid form was accepted"
    yield "form with errors", response, 200

    fill_valid(tab)
    response = submit(tab)
    assert tab.url.endswith(confirm), tab.url
    yield "confirm", response, 200

    response = submit(tab)
    assert tab.url.endswith(f"{prefix}/consultation/done/"), tab.url
    yield "done", response, 200

    tab.goto(form)
    fill_valid(tab)
    submit(tab)
    spend_hourly_allowance(settings)
    try:
        yield "too many requests", submit(tab), 429
    finally:
        give_allowance_back(settings)
