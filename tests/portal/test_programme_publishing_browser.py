"""A programme text changed for a given day, in a real browser: a content editor rewrites
the home page's introduction, previews it, switches the preview to English and back,
and asks for review; HR approves it to go live the next morning; visitors keep the
current text until then and get the new one from that moment (time moved)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.models import PageText, Place
from staffauth.roles import EDITOR_GROUP, HR_GROUP
from tests.test_publishing_browser import Clock, local, sign_in, staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_TEXT = "令和9年4月から、受入れ期間の延長の相談も受け付けます。"


def test_an_introduction_is_rewritten_previewed_and_goes_live_the_next_morning(
    browser, live_server, django_user_model
):
    call_command("setup_roles", verbosity=0)
    staff(django_user_model, "henshu", EDITOR_GROUP)
    staff(django_user_model, "jinji", HR_GROUP)
    introduction = PageText.objects.get(place=Place.INTRODUCTION)
    current = introduction.body_ja
    clock = Clock()
    morning = (clock.moment + timedelta(days=1)).replace(second=0, microsecond=0)

    with mock.patch("django.utils.timezone.now", clock.now):
        editor_context, tab = sign_in(browser, live_server, "henshu")
        tab.goto(f"/admin/portal/pagetext/{introduction.pk}/change/")
        tab.get_by_label("本文（日本語）").fill(NEW_TEXT)
        tab.get_by_role("button", name="保存", exact=True).click()
        expect(tab.locator(".messagelist")).to_contain_text("下書きとして保存しました")

        tab.goto(f"/admin/portal/pagetext/{introduction.pk}/change/")
        tab.get_by_role("link", name="プレビュー（日本語）").click()
        expect(tab.locator(".lead")).to_have_text(NEW_TEXT)
        # The preview's language switcher stays in the preview.
        tab.get_by_role("link", name="English").click()
        assert tab.url.endswith(f"/admin/portal/pagetext/{introduction.pk}/preview/en/")
        expect(tab.locator("html")).to_have_attribute("lang", "en")
        tab.get_by_role("link", name="日本語").click()
        expect(tab.locator(".lead")).to_have_text(NEW_TEXT)
        tab.goto(f"/admin/portal/pagetext/{introduction.pk}/change/")
        tab.get_by_role("link", name="掲載の手続き・履歴").first.click()
        tab.get_by_role("button", name="承認を依頼する").click()
        expect(tab.locator("#publication-status")).to_contain_text("承認待ち")
        editor_context.close()

        hr_context, hr = sign_in(browser, live_server, "jinji")
        hr.goto(f"/admin/portal/pagetext/{introduction.pk}/publication/")
        expect(hr.get_by_role("table", name="掲載中の内容との違い")).to_contain_text(
            NEW_TEXT
        )  # the difference
        hr.get_by_label("公開開始日時").fill(local(morning))
        hr.get_by_role("button", name="承認する").click()
        expect(hr.locator(".messagelist")).to_contain_text("承認しました")
        expect(hr.locator("#publication-status")).to_contain_text("掲載中")
        expect(hr.locator("#publication-status")).to_contain_text("公開予定")
        expect(hr.locator("#scheduled-versions")).to_contain_text(
            "それまでは現在の内容を掲載します"
        )
        hr_context.close()

        visitor = browser.new_context(base_url=live_server.url)
        page = visitor.new_page()
        page.set_default_timeout(10_000)
        page.goto("/")
        expect(page.locator(".lead")).to_have_text(current)
        visitor.close()

        clock.moment = morning
        visitor = browser.new_context(base_url=live_server.url)
        page = visitor.new_page()
        page.set_default_timeout(10_000)
        page.goto("/")
        expect(page.locator(".lead")).to_have_text(NEW_TEXT)
        visitor.close()
