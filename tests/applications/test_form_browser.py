"""The pre-consultation form in a real browser (Chromium, real CSP), keyboard first.

A company's HR officer must be able to go from a duty's page to the done page
with Tab, Space, the arrow keys and Enter alone; a mistake must be reported in
a summary that takes the focus and links to each field, and nothing typed may
be lost on the way (errors, the confirm page and back).

Filling in is done with ``page.keyboard`` in the Japanese journey. The error and
English journeys use ``locator.fill`` for the fields they do not test the
keyboard on, to keep the module fast.

The start month is a plain text box (people type 2027年4月, 令和9年4月 or 2027-04);
the journey types it as a person would write it.
"""

import re
from datetime import date

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from applications.models import Answer, Inquiry
from applications.outbox import deliver_notifications
from bureaus.models import Bureau, Duty
from tests.test_browser_journey import activate, choose_with_arrow_keys, tab_to

pytestmark = [
    pytest.mark.browser,
    # live_server flushes the database after each test; this restores the seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REFERENCE = re.compile(r"^KR-\d{4}-\d{6}$")
CENTRAL_EMAIL = "jinji-kouryu@kouryu.metro.tokyo.example"
ENVIRONMENT_EMAIL = "environment@kouryu.metro.tokyo.example"
# Hiragana, katakana, CJK ideographs and full-width forms: text an English page must not show.
JAPANESE = re.compile("[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def quick_form(settings):
    """No minimum fill time, no hourly limit: the live server runs in this process."""
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 1000


def start_month():
    """April of next year: always in the future, and a two-digit month to type."""
    return date(date.today().year + 1, 4, 1)


# --- Keyboard helpers. ----------------------------------------------------------------


def type_into(page: Page, control: Locator, text: str) -> None:
    tab_to(page, control)
    page.keyboard.type(text)
    expect(control).to_have_value(text)


def type_month(page: Page, control: Locator, month: date) -> None:
    """Type a month as people write it in Japanese: 2027年4月."""
    expect(control).to_be_focused()
    wanted = f"{month.year}年{month.month}月"
    page.keyboard.type(wanted)
    expect(control).to_have_value(wanted)


def press_space(page: Page, box: Locator) -> None:
    expect(box).to_be_focused()
    page.keyboard.press("Space")
    expect(box).to_be_checked()


# --- Locators by what a screen reader announces. -----------------------------------


def in_english(text: str) -> str:
    """The English interface text for a Japanese msgid, as the /en/ pages show it."""
    with translation.override("en"):
        english = translation.gettext(text)
    assert english != text, f"no English translation for {text!r}"
    return english


def field(page: Page, label: str, required: bool = True, english: bool = False) -> Locator:
    """A control by its label, which ends with its 必須 / 任意 (Required / Optional) tag."""
    name = f"{label} {'必須' if required else '任意'}"
    if english:
        name = f"{in_english(label)} {in_english('必須' if required else '任意')}"
    return page.get_by_label(name, exact=True)


def question(page: Page, start: str) -> Locator:
    """A radio group (a fieldset) by the start of its question."""
    return page.get_by_role("group", name=re.compile("^" + re.escape(start)))


def confirmation(page: Page) -> dict[str, str]:
    """The confirm page's answers: {label: shown text}."""
    return page.locator("dl.confirm-list").evaluate(
        """dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(
            dt => [dt.textContent.trim(), dt.nextElementSibling.innerText.trim()]))"""
    )


def submitted_reference(page: Page) -> str:
    reference = page.locator(".reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    assert reference == Inquiry.objects.get().reference
    return reference


# --- (a) Japanese, keyboard only, from a duty's page to the done page. -------------


def test_japanese_keyboard_journey_from_a_duty_to_the_done_page(page):
    duty = Duty.objects.select_related("bureau").get(
        bureau__slug="environment", slug="hydrogen-society"
    )
    start = start_month()

    page.goto(duty.get_absolute_url())
    expect(page.locator("h1")).to_have_text(duty.title_ja)
    tab_to(page, page.locator("main").get_by_role("link", name="この業務について相談する"))
    activate(page, re.compile(r"/consultation/\?duty=environment/hydrogen-society$"))

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page).to_have_title(re.compile(r"^事前相談のお申込み（入力） \|"))
    expect(page.locator("h1")).to_have_text("事前相談のお申込み")
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_role("checkbox", name=duty.title_ja, exact=True)).to_be_checked()
    expect(page.locator("input[name=duties]:checked")).to_have_count(1)
    expect(page.locator("input[name=bureaus]:checked")).to_have_count(0)

    # Every field in the order Tab reaches it; optional ones are typed in too.
    type_into(page, field(page, "企業・団体名"), "東京エネルギー株式会社")
    industry = field(page, "業種")
    tab_to(page, industry)
    choose_with_arrow_keys(page, industry, "energy")
    type_into(page, field(page, "主な事業内容"), "法人向けの電力小売")
    type_into(page, field(page, "ご担当者の氏名"), "山田 花子")
    type_into(page, field(page, "ふりがな", required=False), "やまだ はなこ")
    type_into(page, field(page, "部署"), "人事部人事課")
    type_into(page, field(page, "メールアドレス"), "hanako.yamada@energy.example")
    type_into(page, field(page, "電話番号"), "０３－５３８８－２３７４")  # full-width, as allowed
    desired_start = field(page, "希望する開始月")
    tab_to(page, desired_start)
    type_month(page, desired_start, start)
    type_into(page, field(page, "希望する期間（月数）"), "24")
    type_into(page, field(page, "ご相談内容", required=False), "水素関連の業務を希望します。")

    licensing = question(page, "貴社と、希望する局との間に、処分")
    tab_to(page, licensing.get_by_role("radio", name="いいえ"))
    press_space(page, licensing.get_by_role("radio", name="いいえ"))
    subsidy = question(page, "貴社は、希望する局から補助金等")
    tab_to(page, subsidy.get_by_role("radio", name="いいえ"))
    page.keyboard.press("ArrowDown")  # → はい
    page.keyboard.press("ArrowDown")  # → わからない
    expect(subsidy.get_by_role("radio", name="わからない")).to_be_focused()
    expect(subsidy.get_by_role("radio", name="わからない")).to_be_checked()
    contract = question(page, "貴社と、希望する局との間に、契約")
    tab_to(page, contract.get_by_role("radio", name="いいえ"))
    press_space(page, contract.get_by_role("radio", name="いいえ"))
    acknowledge = field(page, "上記の個人情報の取扱いに同意します。")
    tab_to(page, acknowledge)
    press_space(page, acknowledge)

    tab_to(page, page.get_by_role("button", name="入力内容を確認する"))
    activate(page, "**/consultation/confirm/")

    # The confirm page shows the answers, and what "わからない" means for the request.
    expect(page).to_have_title(re.compile(r"^事前相談のお申込み（確認） \|"))
    expect(page.locator("h1")).to_have_text("入力内容の確認")
    expect(page.locator(".form-steps [aria-current=step]")).to_have_text("2. 確認")
    answers = confirmation(page)
    assert answers["企業・団体名"] == "東京エネルギー株式会社"
    assert answers["業種"] == "エネルギー"
    assert answers["電話番号"] == "03-5388-2374"
    assert answers["相談したい業務"] == duty.title_ja
    assert answers["希望する開始月"] == f"{start.year}年4月"
    assert answers["希望する期間（月数）"] == "24 か月"
    assert (
        answers["貴社は、希望する局から補助金等の交付を受けていますか（受ける予定がありますか）。"]
        == "わからない"
    )
    concerns = page.get_by_role("region", name="事前相談で確認が必要な受入れ制限")
    expect(concerns.locator("li")).to_have_count(1)
    expect(concerns).to_contain_text(
        "「わからない」と回答されたため、この制限にあたるかどうかを確認する必要があります。"
    )
    assert not Inquiry.objects.exists(), "the confirm page must not submit anything yet"
    assert not mail.outbox

    tab_to(page, page.get_by_role("button", name="この内容で送信する"))
    activate(page, "**/consultation/done/")

    # The done page, the stored request and its three mails.
    expect(page).to_have_title(re.compile(r"^事前相談のお申込み（完了） \|"))
    expect(page.locator("h1")).to_have_text("お申込みを受け付けました")
    reference = submitted_reference(page)
    expect(page.get_by_role("heading", name=duty.bureau.name_ja, exact=True)).to_be_visible()
    inquiry = Inquiry.objects.get()
    assert inquiry.language == "ja"
    assert inquiry.company_name == "東京エネルギー株式会社"
    assert inquiry.phone == "03-5388-2374"
    assert inquiry.desired_start == start
    assert inquiry.subsidy_relation == Answer.UNSURE
    assert list(inquiry.duties.all()) == [duty]
    assert list(inquiry.bureaus.all()) == [duty.bureau]

    assert mail.outbox == []  # The request only queued them; the worker sends them.
    assert deliver_notifications() == 3
    assert len(mail.outbox) == 3, [m.to for m in mail.outbox]
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([ENVIRONMENT_EMAIL, CENTRAL_EMAIL, "hanako.yamada@energy.example"])
    assert all(reference in m.subject for m in mail.outbox)


# --- (b) Errors: the summary, each field's message, nothing lost; and back from confirm.


TYPED = {
    "company_name": "東京エネルギー株式会社",
    "main_business": "法人向けの電力小売",
    "contact_name_kana": "やまだ はなこ",
    "email": "hanako.yamada@",
    "phone": "12-34",
    "other_duties": "",
    "message": "水素関連の業務を希望します。",
}

# Left empty or wrong on purpose, in the order of the page: the summary's link target
# (a radio group's first option) and the message next to the field.
EXPECTED_ERRORS = [
    ("industry", "id_industry", "「業種」を選んでください。"),
    ("contact_name", "id_contact_name", "「ご担当者の氏名」を入力してください。"),
    ("department", "id_department", "「部署」を入力してください。"),
    (
        "email",
        "id_email",
        "メールアドレスは hanako.yamada@example.co.jp のような形で入力してください。",
    ),
    (
        "phone",
        "id_phone",
        "「電話番号」は 03-5388-2374 のように、0 から始まる 10 桁または 11 桁で入力してください"
        "（内線は「内線 1234」のように後ろに付けられます）。",
    ),
    (
        "bureaus",
        "id_bureaus_0",
        "「相談したい局・業務」は、局か業務を 1 つ以上選ぶか、掲載以外に希望する業務をお書きください。",
    ),
    ("desired_start", "id_desired_start", "「希望する開始月」を入力してください。"),
    ("desired_months", "id_desired_months", "「希望する期間（月数）」を入力してください。"),
    ("subsidy_relation", "id_subsidy_relation_0", "「補助金等の交付の関係」を選んでください。"),
    ("contract_relation", "id_contract_relation_0", "「契約の関係」を選んでください。"),
    ("acknowledge", "id_acknowledge", "送信するには、個人情報の取扱いへの同意が必要です。"),
]


def test_errors_are_summarised_focused_linked_and_nothing_typed_is_lost(page):
    general_affairs = Bureau.objects.get(slug="general-affairs")
    start = start_month()
    page.goto("/consultation/")
    for name, value in TYPED.items():
        page.locator(f"#id_{name}").fill(value)
    page.locator("#id_licensing_relation_1").check()  # はい
    tab_to(page, page.get_by_role("button", name="入力内容を確認する"))
    page.keyboard.press("Enter")

    # The summary takes the focus, says what is wrong and links to each field.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^エラー: 事前相談のお申込み（入力） \|"))
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading")).to_have_text("入力内容に誤りがあります")
    links = summary.get_by_role("link")
    expect(links).to_have_count(len(EXPECTED_ERRORS))
    shown = {link.get_attribute("href"): link.inner_text().strip() for link in links.all()}
    for name, anchor, message in EXPECTED_ERRORS:
        # Each message names its field and the fix: the summary shows it as it is.
        assert shown.get(f"#{anchor}", "") == message, (anchor, shown)
        target = page.locator(f"#{anchor}")
        expect(target).to_have_count(1)
        expect(target).to_have_attribute("aria-invalid", "true")
        # Each field's own message, beside it, and announced with it.
        feedback = page.locator(f"#div_id_{name} .field-error")
        expect(feedback).to_have_count(1)
        expect(feedback).to_be_visible()
        expect(feedback).to_have_text(message)
        described = page.locator(f"[aria-describedby~=id_{name}_error]")
        expect(described).to_have_count(1)

    # Tab from the summary reaches its first link; Enter moves the focus to that field.
    first_link = links.first
    page.keyboard.press("Tab")
    expect(first_link).to_be_focused()
    first_target = page.locator(first_link.get_attribute("href"))
    page.keyboard.press("Enter")
    expect(first_target).to_be_focused()

    # Everything typed is still there, wrong values included.
    for name, value in TYPED.items():
        expect(page.locator(f"#id_{name}")).to_have_value(value)
    expect(page.locator("#id_licensing_relation_1")).to_be_checked()

    # Correct the mistakes and fill what was missing: on to the confirm page.
    page.locator("#id_industry").select_option("it")
    page.locator("#id_contact_name").fill("山田 花子")
    page.locator("#id_department").fill("人事部人事課")
    page.locator("#id_email").fill("hanako.yamada@energy.example")
    page.locator("#id_phone").fill("03-5388-2374")
    page.get_by_role("checkbox", name=general_affairs.name_ja, exact=True).check()
    page.locator("#id_desired_start").fill(f"令和{start.year - 2018}年{start.month}月")
    page.locator("#id_desired_months").fill("12")
    page.locator("#id_subsidy_relation_0").check()
    page.locator("#id_contract_relation_2").check()  # わからない
    page.locator("#id_acknowledge").check()
    tab_to(page, page.get_by_role("button", name="入力内容を確認する"))
    activate(page, "**/consultation/confirm/")
    expect(page.locator("h1")).to_have_text("入力内容の確認")
    answers = confirmation(page)
    assert answers["企業・団体名"] == TYPED["company_name"]
    assert answers["相談したい局"] == general_affairs.name_ja
    assert answers["メールアドレス"] == "hanako.yamada@energy.example"
    concerns = page.get_by_role("region", name="事前相談で確認が必要な受入れ制限")
    expect(concerns.locator("li")).to_have_count(2)  # licensing はい, contract わからない

    # "入力内容を修正する" brings the form back with every answer kept, and no error.
    tab_to(page, page.get_by_role("link", name="入力内容を修正する"))
    activate(page, re.compile(r"/consultation/\?edit=1$"))
    expect(page.locator("h1")).to_have_text("事前相談のお申込み")
    expect(page).to_have_title(re.compile(r"^事前相談のお申込み（入力） \|"))
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator(".is-invalid")).to_have_count(0)
    kept = {
        **TYPED,
        "industry": "it",
        "contact_name": "山田 花子",
        "department": "人事部人事課",
        "email": "hanako.yamada@energy.example",
        "phone": "03-5388-2374",
        "desired_start": f"令和{start.year - 2018}年{start.month}月",  # As typed.
        "desired_months": "12",
    }
    for name, value in kept.items():
        expect(page.locator(f"#id_{name}")).to_have_value(value)
    for checked in [
        "#id_licensing_relation_1",
        "#id_subsidy_relation_0",
        "#id_contract_relation_2",
        "#id_acknowledge",
    ]:
        expect(page.locator(checked)).to_be_checked()
    expect(page.get_by_role("checkbox", name=general_affairs.name_ja, exact=True)).to_be_checked()
    expect(page.locator("input[name=bureaus]:checked")).to_have_count(1)
    expect(page.locator("input[name=duties]:checked")).to_have_count(0)

    # Sent again unchanged, the confirm page shows the same answers.
    tab_to(page, page.get_by_role("button", name="入力内容を確認する"))
    activate(page, "**/consultation/confirm/")
    assert confirmation(page) == answers


# --- (c) English, to the done page and the English acknowledgement. -----------------


def test_english_journey_to_the_done_page_and_an_english_acknowledgement(page):
    duty = Duty.objects.select_related("bureau").get(
        bureau__slug="environment", slug="hydrogen-society"
    )
    page.goto("/en/consultation/?duty=environment/hydrogen-society")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(in_english("事前相談のお申込み"))
    expect(page.locator("input[name=duties]:checked")).to_have_count(1)
    expect(page.get_by_role("checkbox", name=duty.title_en, exact=True)).to_be_checked()
    for label, value in {
        "企業・団体名": "Tokyo Energy Co., Ltd.",
        "主な事業内容": "Electricity retail for businesses",
        "ご担当者の氏名": "Hanako Yamada",
        "部署": "Human Resources",
        "メールアドレス": "hanako.yamada@energy.example",
        "電話番号": "+81 3 5388 2374",
        "希望する開始月": start_month().strftime("%Y-%m"),
        "希望する期間（月数）": "6",
    }.items():
        field(page, label, english=True).fill(value)
    field(page, "業種", english=True).select_option("energy")
    for name in ["licensing_relation", "subsidy_relation", "contract_relation"]:
        page.locator(f"#id_{name}_0").check()
        expect(page.locator(f"label[for=id_{name}_0]")).to_have_text(in_english("いいえ"))
    field(page, "上記の個人情報の取扱いに同意します。", english=True).check()
    tab_to(page, page.get_by_role("button", name=in_english("入力内容を確認する")))
    activate(page, "**/en/consultation/confirm/")

    expect(page.locator("h1")).to_have_text(in_english("入力内容の確認"))
    answers = confirmation(page)
    assert answers[in_english("企業・団体名")] == "Tokyo Energy Co., Ltd."
    assert answers[in_english("相談したい業務")] == duty.title_en
    assert answers[in_english("電話番号")] == "03-5388-2374"
    tab_to(page, page.get_by_role("button", name=in_english("この内容で送信する")))
    activate(page, "**/en/consultation/done/")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title(
        re.compile("^" + re.escape(in_english("事前相談のお申込み（完了）")))
    )
    expect(page.locator("h1")).to_have_text(in_english("お申込みを受け付けました"))
    expect(page.get_by_role("heading", name=duty.bureau.name_en, exact=True)).to_be_visible()
    reference = submitted_reference(page)
    inquiry = Inquiry.objects.get()
    assert inquiry.language == "en"
    assert inquiry.phone == "03-5388-2374"

    assert deliver_notifications() == 3
    assert len(mail.outbox) == 3, [m.to for m in mail.outbox]
    (acknowledgement,) = [m for m in mail.outbox if m.to == ["hanako.yamada@energy.example"]]
    assert reference in acknowledgement.subject
    assert acknowledgement.subject.startswith("[Tokyo personnel exchange]"), acknowledgement.subject
    assert reference in acknowledgement.body
    # Fixed text only: the acknowledgement goes to any address a visitor types.
    assert "Hanako Yamada" not in acknowledgement.body
    assert "To the person who sent a pre-consultation request," in acknowledgement.body
    assert duty.bureau.name_en in acknowledgement.body
    assert in_english("このメールは送信専用のアドレスから送っています。返信はできません。") in (
        acknowledgement.body
    )

    # The done page and the applicant's mail speak English: no Japanese line is left.
    untranslated = [
        f"done page: {line}"
        for line in page.locator("main").inner_text().splitlines()
        if JAPANESE.search(line)
    ]
    untranslated += [
        f"mail subject: {line}" for line in [acknowledgement.subject] if JAPANESE.search(line)
    ]
    untranslated += [
        f"mail body: {line}" for line in acknowledgement.body.splitlines() if JAPANESE.search(line)
    ]
    assert not untranslated, "Japanese text on the English side:\n" + "\n".join(untranslated)
