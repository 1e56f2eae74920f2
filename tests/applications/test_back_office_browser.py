"""The back office in a real browser: a bureau's clerk handles a request on its case
screen, HR opens the same request, and the mail list fits a 1280 px screen.

環境局's clerk signs in through the admin login page, finds only 環境局's request in
the request list, opens its case screen, moves it to 事前相談中, takes it on and adds
an internal note in one save, and then types another bureau's request id into the
address bar and learns nothing of it. HR then opens the same request: the clerk's
status, name and note are there beside the other bureau's route and the mails.
"""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from applications.forms import ConsultationForm
from applications.intake import submit_inquiry
from applications.models import (
    InquiryRoute,
    InternalNote,
    Notification,
    NotificationKind,
    NotificationState,
)
from applications.workflow import RouteStatus
from bureaus.models import Bureau, BureauStaff
from staffauth.roles import BUREAU_STAFF_GROUP, HR_GROUP
from tests.applications.helpers import form_data

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "kankyo-tantou-2026-horse"
HR_PASSWORD = "jinji-kanri-2026-battery"
OURS = "緑化技研株式会社"
THEIRS = "福祉ケア株式会社"
NOTE = "来週火曜に事前相談の面談を設定。"


def submit(company, email, slugs):
    bureaus = list(Bureau.objects.filter(slug__in=slugs))
    form = ConsultationForm(
        form_data(
            duties=None, bureaus=[str(b.pk) for b in bureaus], company_name=company, email=email
        )
    )
    assert form.is_valid(), form.errors
    return submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=form.inquiry_answers(),
        bureaus=bureaus,
        duties=[],
    ).inquiry


def sign_in(page, username, password):
    page.goto("/admin/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="掲載内容の管理")).to_be_visible()


def test_a_bureau_clerk_and_hr_handle_one_request_on_its_case_screen(
    page, browser, live_server, django_user_model
):
    call_command("setup_roles", verbosity=0)
    clerk = django_user_model.objects.create_user(
        "kankyo",
        "kankyo@kouryu.metro.tokyo.example",
        PASSWORD,
        is_staff=True,
        last_name="緑川",
        first_name="一郎",
    )
    clerk.groups.add(Group.objects.get(name=BUREAU_STAFF_GROUP))
    BureauStaff.objects.create(user=clerk, bureau=Bureau.objects.get(slug="environment"))
    hr = django_user_model.objects.create_user(
        "jinji", "jinji@kouryu.metro.tokyo.example", HR_PASSWORD, is_staff=True
    )
    hr.last_name, hr.first_name = "人事", "花子"
    hr.save()
    hr.groups.add(Group.objects.get(name=HR_GROUP))
    ours = submit(OURS, "ichiro@ryokka.example", ["environment", "industrial-labour"])
    theirs = submit(THEIRS, "jiro@fukushi-care.example", ["social-welfare-public-health"])
    route = InquiryRoute.objects.get(inquiry=ours, bureau__slug="environment")
    other_route = InquiryRoute.objects.get(inquiry=ours, bureau__slug="industrial-labour")

    # --- The clerk. ---
    sign_in(page, "kankyo", PASSWORD)
    page.get_by_role("link", name="事前相談の申込み", exact=True).click()
    results = page.locator("#result_list")
    expect(results).to_contain_text(OURS)
    expect(results).to_contain_text("環境局：受付")
    expect(results).not_to_contain_text("産業労働局：")  # another bureau's handling
    expect(page.locator("#content")).not_to_contain_text(THEIRS)
    expect(results.locator("tbody tr")).to_have_count(1)

    page.get_by_role("link", name=ours.reference).click()
    expect(page).to_have_url(re.compile(rf"/inquiry/{ours.pk}/change/$"))
    expect(page.get_by_role("heading", name="対応状況")).to_be_visible()
    card = page.locator(f"#route-{route.pk}")
    expect(card.get_by_role("heading", name="環境局")).to_be_visible()
    expect(page.locator(f"#route-{other_route.pk}")).to_have_count(0)
    expect(page.locator("#content")).not_to_contain_text("送信したメール")

    card.get_by_label("状況").select_option(label="事前相談中")
    card.get_by_label("担当者").select_option(label="緑川 一郎")
    card.get_by_label("内部メモを追加").fill(NOTE)
    card.get_by_role("button", name="環境局の対応を保存").click()
    expect(page.locator(".messagelist")).to_contain_text("環境局の対応を保存しました。")
    card = page.locator(f"#route-{route.pk}")
    expect(card.locator(".route-status")).to_have_text("事前相談中")
    expect(card.locator(".route-assignee")).to_have_text("緑川 一郎")
    expect(card.locator(".case-notes")).to_contain_text(NOTE)
    expect(card.locator(".case-notes")).to_contain_text("緑川 一郎")
    # The next moves only: 受付 is behind it now.
    options = card.get_by_label("状況").locator("option").all_inner_texts()
    assert options == ["事前相談中（今の状況）", "受入調整中", "見送り", "取下げ"]
    route.refresh_from_db()
    assert (route.status, route.assignee) == (RouteStatus.CONSULTING, clerk)
    assert InternalNote.objects.get(route=route).author == clerk

    # Another bureau's request, its id typed into the address bar: no page, no data.
    page.goto(f"/admin/applications/inquiry/{theirs.pk}/change/")
    for secret in (THEIRS, theirs.reference, "jiro@fukushi-care.example"):
        expect(page.locator("body")).not_to_contain_text(secret)
    page.goto(f"/admin/applications/inquiryroute/{theirs.routes.get().pk}/change/")
    expect(page.locator("body")).not_to_contain_text(THEIRS)

    # --- HR, on the same request. ---
    context = browser.new_context(base_url=live_server.url)
    hr_page = context.new_page()
    hr_page.set_default_timeout(10_000)
    sign_in(hr_page, "jinji", HR_PASSWORD)
    hr_page.goto(f"/admin/applications/inquiry/{ours.pk}/change/")
    ours_card = hr_page.locator(f"#route-{route.pk}")
    expect(ours_card.locator(".route-status")).to_have_text("事前相談中")
    expect(ours_card.locator(".route-assignee")).to_have_text("緑川 一郎")
    expect(ours_card.locator(".case-notes")).to_contain_text(NOTE)
    industry = hr_page.locator(f"#route-{other_route.pk}")
    expect(industry.get_by_role("heading", name="産業労働局")).to_be_visible()
    expect(hr_page.get_by_role("heading", name="送信したメール")).to_be_visible()
    expect(hr_page.locator(".case-mails")).to_contain_text("申込者への受付確認")

    # HR takes the other bureau's route on and declines it.
    industry.get_by_label("状況").select_option(label="見送り")
    industry.get_by_label("担当者").select_option(label="人事 花子")
    industry.get_by_role("button", name="産業労働局の対応を保存").click()
    expect(hr_page.locator(".messagelist")).to_contain_text("産業労働局の対応を保存しました。")
    expect(hr_page.locator(f"#route-{other_route.pk} .route-status")).to_have_text("見送り")
    other_route.refresh_from_db()
    assert other_route.status == RouteStatus.DECLINED and other_route.closed_at is not None
    context.close()


def test_the_mail_list_shows_state_and_time_of_sending_on_a_1280_px_screen(page, django_user_model):
    call_command("setup_roles", verbosity=0)
    hr = django_user_model.objects.create_user(
        "jinji", "jinji@kouryu.metro.tokyo.example", HR_PASSWORD, is_staff=True
    )
    hr.groups.add(Group.objects.get(name=HR_GROUP))
    submit(
        "とても長い名前の株式会社ホールディングスグループ",
        "a-very-long-address-of-the-applicant@a-long-domain-name.example",
        ["environment", "industrial-labour", "social-welfare-public-health"],
    )
    # A reminder about many requests has a long subject; a section's address can be long.
    Notification.objects.create(
        kind=NotificationKind.OVERDUE_REMINDER,
        recipient="kankyo-kyoku-soumubu-soumuka-jinji-tantou@section.metro.tokyo.example",
        subject="【交流受入】回答期限を過ぎた事前相談の申込み（"
        + "、".join(["KR-2026-000123"] * 6)
        + "）",
        body="本文",
        state=NotificationState.SENT,
        sent_at=timezone.now(),
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "jinji", HR_PASSWORD)
    page.goto("/admin/applications/notification/")
    for column in ("column-state", "column-sent_at"):
        header = page.locator(f"#result_list th.{column}")
        expect(header).to_be_visible()
        box = header.bounding_box()
        assert box["x"] + box["width"] <= 1280, (column, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # Nor hidden in the list's own horizontal scroll.
    assert page.evaluate(
        "(r => r.scrollWidth <= r.clientWidth)(document.querySelector('#changelist .results'))"
    )
