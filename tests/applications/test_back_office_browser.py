"""A bureau's staff member in a real browser: their requests only, moved on, annotated.

環境局's staff member signs in through the admin login page, finds only 環境局's
request in 局ごとの対応, moves it to 事前相談中 with an internal note, and then types
another bureau's route id into the address bar and learns nothing of it.
"""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from applications.forms import ConsultationForm
from applications.intake import submit_inquiry
from applications.models import InquiryRoute, InternalNote
from applications.workflow import RouteStatus
from bureaus.models import Bureau, BureauStaff
from staffauth.roles import BUREAU_STAFF_GROUP
from tests.applications.helpers import form_data

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "kankyo-tantou-2026-horse"
OURS = "緑化技研株式会社"
THEIRS = "福祉ケア株式会社"
NOTE = "来週火曜に事前相談の面談を設定。"


def submit(company, email, slug):
    bureau = Bureau.objects.get(slug=slug)
    form = ConsultationForm(
        form_data(duties=None, bureaus=[str(bureau.pk)], company_name=company, email=email)
    )
    assert form.is_valid(), form.errors
    inquiry = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=form.inquiry_answers(),
        bureaus=[bureau],
        duties=[],
    ).inquiry
    return InquiryRoute.objects.get(inquiry=inquiry, bureau=bureau)


def test_bureau_staff_handle_their_own_request_and_cannot_reach_another_bureaus(
    page, django_user_model
):
    call_command("setup_roles", verbosity=0)
    staff = django_user_model.objects.create_user(
        "kankyo", "kankyo@kouryu.metro.tokyo.example", PASSWORD, is_staff=True
    )
    staff.groups.add(Group.objects.get(name=BUREAU_STAFF_GROUP))
    BureauStaff.objects.create(user=staff, bureau=Bureau.objects.get(slug="environment"))
    ours = submit(OURS, "ichiro@ryokka.example", "environment")
    theirs = submit(THEIRS, "jiro@fukushi-care.example", "social-welfare-public-health")

    page.goto("/admin/login/")
    page.get_by_label("ユーザー名").fill("kankyo")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="掲載内容の管理")).to_be_visible()

    page.get_by_role("link", name="局ごとの対応", exact=True).click()
    results = page.locator("#result_list")
    expect(results).to_contain_text(OURS)
    expect(results).to_contain_text("環境局")
    expect(page.locator("#content")).not_to_contain_text(THEIRS)
    expect(page.locator("#content")).not_to_contain_text(theirs.inquiry.reference)
    expect(results.locator("tbody tr")).to_have_count(1)

    page.get_by_role("link", name=re.compile(ours.inquiry.reference)).click()
    expect(page).to_have_url(re.compile(rf"/inquiryroute/{ours.pk}/change/$"))
    page.locator("#id_status").select_option(label="事前相談中")
    page.locator("textarea[name$='-body']").first.fill(NOTE)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("変更しました")

    page.goto(f"/admin/applications/inquiryroute/{ours.pk}/change/")
    expect(page.locator("#id_status option:checked")).to_have_text("事前相談中")
    expect(page.locator("#content")).to_contain_text(NOTE)
    ours.refresh_from_db()
    assert ours.status == RouteStatus.CONSULTING
    assert InternalNote.objects.get(route=ours).author == staff

    # Another bureau's route, its id typed into the address bar: no page, no data.
    response = page.goto(f"/admin/applications/inquiryroute/{theirs.pk}/change/")
    assert not re.search(rf"/inquiryroute/{theirs.pk}/change/$", page.url) or (
        response.status in (403, 404)
    )
    for secret in (THEIRS, theirs.inquiry.reference, "jiro@fukushi-care.example"):
        expect(page.locator("body")).not_to_contain_text(secret)
    response = page.goto(f"/admin/applications/inquiry/{theirs.inquiry.pk}/change/")
    expect(page.locator("body")).not_to_contain_text(THEIRS)
    theirs.refresh_from_db()
    assert theirs.status == RouteStatus.RECEIVED
