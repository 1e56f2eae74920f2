"""HR staff's journey in a real browser: log in to admin, edit a duty, see it on the site
once a second approver has approved it."""

import pytest
from playwright.sync_api import expect

from bureaus.models import Duty
from tests.factories import approve_open_draft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_hr_staff_edit_a_duty_in_admin_and_the_site_shows_it_once_approved(page, django_user_model):
    django_user_model.objects.create_superuser(
        "jinji", "jinji@kouryu.metro.tokyo.example", "correct-horse-battery-9"
    )
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto("/admin/")
    page.get_by_label("ユーザー名").fill("jinji")
    page.get_by_label("パスワード").fill("correct-horse-battery-9")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="掲載内容の管理")).to_be_visible()

    page.get_by_role("link", name="業務内容例", exact=True).click()
    page.locator("#searchbar").fill("水素")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="水素社会実現に向けた取組").click()
    page.get_by_label("業務内容（日本語）").fill("水素エネルギー社会の実現に向けた取組")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("下書きとして保存しました")
    page.goto("/bureaus/environment/hydrogen-society/")
    expect(page.get_by_role("heading", level=1)).to_have_text("水素社会実現に向けた取組")

    # HR cannot approve their own change: another approver does.
    approve_open_draft(Duty.objects.get(slug="hydrogen-society"))
    # A reload revalidates the copy the browser may keep for PAGE_MAX_AGE_SECONDS:
    # the ETag has changed with the approval.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "水素エネルギー社会の実現に向けた取組"
    )
    page.goto("/bureaus/?q=エネルギー社会")
    expect(page.locator(".result-count")).to_contain_text("1 件")
    assert csp_errors == []
