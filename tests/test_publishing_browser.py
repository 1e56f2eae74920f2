"""Publishing as a public body does it, in a real browser: a content editor drafts a duty,
previews it in Japanese and English and asks for review; HR approves it with a start and
an end; the duty goes live at its start and answers 410 after its end (time moved); a
bureau renamed the same way leaves its old duty addresses answering 301."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from bureaus.models import Bureau, Duty
from staffauth.roles import EDITOR_GROUP, HR_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct-horse-battery-9"


class Clock:
    """timezone.now() for the test and the live server's thread alike."""

    def __init__(self):
        self.moment = timezone.now()

    def now(self):
        return self.moment


def staff(django_user_model, username, group):
    user = django_user_model.objects.create_user(
        username, f"{username}@metro.example", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def sign_in(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto("/admin/")
    tab.get_by_label("ユーザー名").fill(username)
    tab.get_by_label("パスワード").fill(PASSWORD)
    tab.get_by_role("button", name="ログイン").click()
    expect(tab.get_by_role("heading", name="掲載内容の管理")).to_be_visible()
    return context, tab


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def ask_for_review(tab):
    tab.get_by_role("link", name="掲載の手続き・履歴").first.click()
    tab.get_by_role("button", name="承認を依頼する").click()
    expect(tab.locator(".messagelist")).to_contain_text("承認を依頼しました")
    expect(tab.locator("#publication-status")).to_contain_text("承認待ち")


def test_a_duty_is_drafted_previewed_approved_scheduled_withdrawn_and_moved(
    browser, live_server, django_user_model
):
    call_command("setup_roles", verbosity=0)
    staff(django_user_model, "henshu", EDITOR_GROUP)
    staff(django_user_model, "jinji", HR_GROUP)
    environment = Bureau.objects.get(slug="environment")
    clock = Clock()
    # Whole minutes, as the form's fields take them.
    tomorrow = (clock.moment + timedelta(days=1)).replace(second=0, microsecond=0)
    starts_at, ends_at = tomorrow, tomorrow + timedelta(days=1)

    with mock.patch("django.utils.timezone.now", clock.now):
        # The editor drafts a duty, previews it in both languages and asks for review.
        editor_context, tab = sign_in(browser, live_server, "henshu")
        tab.goto(f"/admin/bureaus/duty/add/?bureau={environment.pk}")
        tab.get_by_label("業務内容（日本語）").fill("気候変動適応センターの運営")
        tab.get_by_label("業務内容（英語）").fill("Running the climate adaptation centre")
        tab.get_by_role("button", name="保存", exact=True).click()
        expect(tab.locator(".messagelist")).to_contain_text("追加しました")
        duty = Duty.objects.get(title_ja="気候変動適応センターの運営")
        assert duty.slug == "running-the-climate-adaptation-centre"
        assert duty.order > environment.duties.exclude(pk=duty.pk).order_by("-order")[0].order

        tab.goto(f"/admin/bureaus/duty/{duty.pk}/change/")
        with tab.expect_navigation() as preview:
            tab.get_by_role("link", name="プレビュー（日本語）").click()
        assert preview.value.headers["x-robots-tag"] == "noindex, nofollow"
        expect(tab.get_by_role("heading", level=1)).to_have_text("気候変動適応センターの運営")
        tab.go_back()
        tab.get_by_role("link", name="プレビュー（英語）").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text(
            "Running the climate adaptation centre"
        )
        tab.go_back()
        ask_for_review(tab)
        # Not yet public: the address does not exist at all.
        assert tab.goto(duty.get_absolute_url()).status == 404

        # HR approves it with a start and an end.
        hr_context, hr = sign_in(browser, live_server, "jinji")
        hr.goto(f"/admin/bureaus/duty/{duty.pk}/publication/")
        hr.get_by_label("公開開始日時").fill(local(starts_at))
        hr.get_by_label("公開終了日時").fill(local(ends_at))
        hr.get_by_role("button", name="承認する").click()
        expect(hr.locator(".messagelist")).to_contain_text("承認しました")
        expect(hr.locator("#publication-status")).to_contain_text("公開予定")
        expect(hr.locator("#publication-history")).to_contain_text("henshu")
        assert hr.goto(duty.get_absolute_url()).status == 404

        # The editor renames the bureau; HR approves; its old duty addresses move.
        tab.goto(f"/admin/bureaus/bureau/{environment.pk}/change/")
        tab.get_by_label("URL 用の名前").fill("climate-environment")
        tab.get_by_role("button", name="保存", exact=True).click()
        expect(tab.locator(".messagelist")).to_contain_text("下書きとして保存しました")
        assert tab.goto("/bureaus/environment/").status == 200  # still live as approved
        tab.goto(f"/admin/bureaus/bureau/{environment.pk}/change/")
        ask_for_review(tab)
        hr.goto(f"/admin/bureaus/bureau/{environment.pk}/publication/")
        hr.get_by_role("button", name="承認する").click()
        expect(hr.locator(".messagelist")).to_contain_text("承認しました")
        editor_context.close()
        hr_context.close()

        visitor = browser.new_context(base_url=live_server.url)
        page = visitor.new_page()
        page.set_default_timeout(10_000)
        for old, new in [
            (
                "/bureaus/environment/hydrogen-society/",
                "/bureaus/climate-environment/hydrogen-society/",
            ),
            ("/en/bureaus/environment/", "/en/bureaus/climate-environment/"),
        ]:
            response = page.goto(old)
            assert response.status == 200 and page.url.endswith(new)
            assert response.request.redirected_from.response().status == 301

        # The duty goes live at its start and is withdrawn at its end.
        duty_url = f"/bureaus/climate-environment/{duty.slug}/"
        assert page.goto(duty_url).status == 404
        clock.moment = starts_at
        assert page.goto(duty_url).status == 200
        expect(page.get_by_role("heading", level=1)).to_have_text("気候変動適応センターの運営")
        page.goto("/bureaus/?bureau=climate-environment")
        expect(page.get_by_role("link", name="気候変動適応センターの運営")).to_be_visible()
        # Browsers may keep a page PAGE_MAX_AGE_SECONDS (real time, not the moved
        # clock): a visitor after that, like a fresh browser, meets the end.
        visitor.close()
        clock.moment = ends_at
        visitor = browser.new_context(base_url=live_server.url)
        page = visitor.new_page()
        page.set_default_timeout(10_000)
        assert page.goto(duty_url).status == 410
        expect(page.get_by_role("heading", level=1)).to_have_text("掲載を終了しました")
        page.get_by_role("link", name="環境局の業務内容例").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("環境局")
        assert page.goto(f"/en{duty_url}").status == 410
        expect(page.get_by_role("heading", level=1)).to_have_text("This listing has ended")
        visitor.close()
