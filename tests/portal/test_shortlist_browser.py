"""The shortlist in Chromium: a keyboard-only journey, the print stylesheet, axe, Nu.

The journey goes duty page → add → another duty → add → list → remove one →
print view → pre-consultation with the duties pre-selected, with Tab and Enter
alone, and looks at the print view as the printer sees it (print media). axe
runs on the list (empty and filled) and the print view in both languages; the
Nu checker on the same pages built through the Django test client.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import Page, expect

from bureaus.models import Duty
from portal.shortlist import MAX_DUTIES
from tests.conftest import make_bureau, make_duty
from tests.quality import WIDE, Tally, axe_failure, check_page, nu_errors
from tests.test_browser_journey import activate, tab_to

# Browser tests carry their own marks (live_server flushes the database after each
# test and serialized_rollback restores the seed); the Nu test needs neither.
PREFIXES = {"ja": "", "en": "/en"}  # Japanese is unprefixed.
HYDROGEN = "environment/hydrogen-society"
AUDITS = "audit/audits"


def submit_and_wait(page: Page) -> None:
    """Press Enter on the focused button and wait for the page the POST redirects to
    (often the address the visitor is already on, so the URL alone cannot tell)."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def expect_listed(page: Page, titles: list[str]) -> None:
    expect(page.locator("main .shortlist-item > a")).to_have_text(titles)


def expect_print_layout(page: Page) -> None:
    """As printed: no navigation, footer, buttons or hint; black text; addresses written out."""
    page.emulate_media(media="print")
    try:
        for hidden in (".site-nav", ".site-footer", ".breadcrumb", ".print-hint", ".skip-link"):
            expect(page.locator(hidden)).to_be_hidden()
        expect(page.get_by_role("navigation")).to_have_count(0)  # none is exposed
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator(".site-name")).to_be_visible()  # the letterhead stays
        assert page.locator("body").evaluate("b => getComputedStyle(b).color") == "rgb(0, 0, 0)"
        link = page.locator(".approval-pack-bureau a[href^='http']").first
        written_out = link.evaluate("a => getComputedStyle(a, '::after').content")
        assert link.get_attribute("href") in written_out
        shown = page.locator("a.url-shown").first
        assert shown.evaluate("a => getComputedStyle(a, '::after').content") == "none"
    finally:
        page.emulate_media(media="screen")
    expect(page.locator(".site-nav")).to_be_visible()
    expect(page.locator(".print-hint")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_shortlist_journey_by_keyboard_alone(page):
    hydrogen = Duty.objects.get(slug="hydrogen-society")
    heat = Duty.objects.get(slug="heat-countermeasures")
    audits = Duty.objects.get(slug="audits")
    main = page.locator("main")

    # A duty page → add: the list opens with the outcome focused, read first.
    page.goto(hydrogen.get_absolute_url())
    tab_to(page, main.get_by_role("button", name="候補リストに追加"))
    activate(page, "**/shortlist/")
    expect(page.locator("h1")).to_have_text("候補リスト")
    message = page.locator(".shortlist-message")
    expect(message).to_have_text(f"「{hydrogen.title_ja}」を候補リストに追加しました。")
    expect(message).to_be_focused()
    expect_listed(page, [hydrogen.title_ja])

    # Back to the catalogue → another bureau's duty → add.
    tab_to(page, main.get_by_role("link", name="業務内容例から追加する"))
    activate(page, "**/bureaus/")
    tab_to(page, main.get_by_role("link", name=audits.title_ja, exact=True))
    activate(page, f"**{audits.get_absolute_url()}")
    tab_to(page, main.get_by_role("button", name="候補リストに追加"))
    activate(page, "**/shortlist/")
    expect(page.locator(".shortlist-message")).to_be_focused()
    expect(main.locator("h2")).to_have_text(["環境局", "監査事務局"])

    # From the list to a listed duty, up to its bureau, to a third duty → add.
    tab_to(page, main.get_by_role("link", name=hydrogen.title_ja, exact=True))
    activate(page, f"**{hydrogen.get_absolute_url()}")
    breadcrumbs = page.get_by_role("navigation", name="パンくずリスト")
    tab_to(page, breadcrumbs.get_by_role("link", name="環境局"))
    activate(page, "**/bureaus/environment/")
    tab_to(page, main.get_by_role("link", name=heat.title_ja, exact=True))
    activate(page, f"**{heat.get_absolute_url()}")
    tab_to(page, main.get_by_role("button", name="候補リストに追加"))
    activate(page, "**/shortlist/")
    expect_listed(page, [heat.title_ja, hydrogen.title_ja, audits.title_ja])  # catalogue order
    expect(main.locator(".result-count")).to_have_text("3 件の業務（上限 30 件）")

    # Remove one: its button names the duty, and the outcome is focused again.
    tab_to(page, main.get_by_role("button", name=re.compile(rf"^外す\s*:\s*{audits.title_ja}$")))
    submit_and_wait(page)
    message = page.locator(".shortlist-message")
    expect(message).to_have_text(f"「{audits.title_ja}」を候補リストから外しました。")
    expect(message).to_be_focused()
    expect_listed(page, [heat.title_ja, hydrogen.title_ja])
    expect(main.locator("h2")).to_have_text(["環境局"])

    # The print view: everything for the approval, and print media hides the rest.
    tab_to(page, main.get_by_role("link", name="印刷用ページ"))
    activate(page, "**/shortlist/print/")
    pack = page.locator(".approval-pack")
    expect(pack.locator("h1")).to_have_count(1)
    expect(pack.locator(".approval-pack-bureau li")).to_have_text(
        [heat.title_ja, hydrogen.title_ja]
    )
    expect(pack).not_to_contain_text(audits.title_ja)
    for text in (
        "交流受入期間は3年以内",
        "契約に関する職務に携わることはできません。",
        "03-5388-3418",
    ):
        expect(pack).to_contain_text(text)
    expect(main.locator(".print-hint")).to_contain_text("ブラウザの印刷機能")
    expect_print_layout(page)

    # Back to the list → the pre-consultation form with both duties ticked.
    tab_to(page, main.get_by_role("link", name="候補リストに戻る"))
    activate(page, "**/shortlist/")
    tab_to(page, main.get_by_role("link", name="これらの業務で事前相談を申し込む"))
    activate(page, re.compile(r"/consultation/\?duty=environment/"))
    expect(page.get_by_role("checkbox", name=hydrogen.title_ja, exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name=heat.title_ja, exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name=audits.title_ja, exact=True)).not_to_be_checked()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_adding_in_english_by_keyboard_lands_on_the_english_list(page):
    hydrogen = Duty.objects.get(slug="hydrogen-society")
    page.goto(f"/en{hydrogen.get_absolute_url()}")
    # Located by structure, not by label: the English labels come with the translations.
    tab_to(page, page.locator("main form.shortlist-add button"))
    activate(page, "**/en/shortlist/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".shortlist-message")).to_be_focused()
    expect_listed(page, [hydrogen.title_en])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_prints_without_its_navigation(page):
    for path in ("/", "/en/bureaus/environment/hydrogen-society/", "/shortlist/"):
        page.goto(path)
        page.emulate_media(media="print")
        expect(page.locator(".site-nav")).to_be_hidden()
        expect(page.locator(".site-footer")).to_be_hidden()
        expect(page.locator("main").get_by_role("button")).to_have_count(0)
        assert page.locator("main .button:visible").count() == 0, path
        page.emulate_media(media="screen")


# --- axe and the Nu checker. ------------------------------------------------------------


def post_form(context, path, data, *, follow=True):
    response = context.request.post(path, form=data, max_redirects=20 if follow else 0)
    assert response.status in (200, 302), f"{path}: HTTP {response.status}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_shortlist_pages_have_no_wcag_violations(browser, live_server):
    axe = Axe()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=WIDE)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    failures, checked = [], 0
    tally = Tally()

    def check(state, path, *, media="screen"):
        nonlocal checked
        response = tab.goto(path)
        if response is None or response.status != 200:
            failures.append(f"{state} {path}: HTTP {response.status if response else '-'}")
            return
        tab.emulate_media(media=media)
        if (failure := axe_failure(axe, tab)) is not None:
            failures.append(f"{state} {path} ({media}): {failure}")
        tab.emulate_media(media="screen")
        if media == "screen":
            check_page(tab, tally, f"{state} {path}")
        checked += 1

    try:
        for language, prefix in PREFIXES.items():
            check(f"{language} empty list", f"{prefix}/shortlist/")
            check(f"{language} empty print view", f"{prefix}/shortlist/print/")
            for value in (HYDROGEN, AUDITS):
                post_form(context, f"{prefix}/shortlist/add/", {"duty": value})
            # The last outcome stays unread, so the list shows it.
            post_form(context, f"{prefix}/shortlist/add/", {"duty": HYDROGEN}, follow=False)
            check(f"{language} list with a message", f"{prefix}/shortlist/")
            check(f"{language} list", f"{prefix}/shortlist/")
            check(f"{language} print view", f"{prefix}/shortlist/print/")
            check(f"{language} print view", f"{prefix}/shortlist/print/", media="print")
            context.clear_cookies()
    finally:
        context.close()
    assert checked == 12
    failures += tally.all_findings()
    assert not failures, "\n\n".join(failures)


def shortlist_documents(client: Client) -> dict[str, bytes]:
    """Every state of the shortlist pages in both languages, as the test client gets them."""
    documents = {}

    def keep(label, path):
        response = client.get(path)
        assert response.status_code == 200, f"{label} {path}: HTTP {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), path
        documents[f"{label} ({path})"] = response.content

    bureau = make_bureau()
    many = [make_duty(bureau=bureau).catalogue_id for _ in range(MAX_DUTIES - 1)]
    for language, prefix in PREFIXES.items():
        add = f"{prefix}/shortlist/add/"
        keep(f"{language} empty list", f"{prefix}/shortlist/")
        keep(f"{language} empty print view", f"{prefix}/shortlist/print/")
        keep(f"{language} duty page", f"{prefix}/bureaus/environment/hydrogen-society/")
        client.post(add, {"duty": HYDROGEN})
        client.post(add, {"duty": AUDITS})
        keep(f"{language} list with a message", f"{prefix}/shortlist/")
        keep(f"{language} list", f"{prefix}/shortlist/")
        keep(f"{language} print view", f"{prefix}/shortlist/print/")
        for value in many:
            client.post(add, {"duty": value})
        client.post(add, {"duty": "environment/heat-countermeasures"})
        keep(f"{language} full list, refused", f"{prefix}/shortlist/")
        keep(f"{language} full print view", f"{prefix}/shortlist/print/")
        client.cookies.clear()
    return documents


@pytest.mark.django_db
def test_the_shortlist_pages_are_valid_html(client, tmp_path, vnu_command):
    documents = shortlist_documents(client)
    assert len(documents) == 16
    errors = nu_errors(vnu_command, documents, tmp_path)
    assert not errors, f"{len(errors)} HTML error(s) in {len(documents)} pages:\n" + "\n".join(
        errors
    )
