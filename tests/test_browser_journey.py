"""Keyboard-only journeys through the site in a real browser (Chromium, real CSP).

A visitor who cannot use a mouse must be able to get from the home page to a
duty and back with Tab, Enter and the arrow keys alone. Each step
presses keys and then asserts what the visitor would see: the address, the
heading, the number of results, the theme they chose.

The one step that is not a key press is the browser's Back button: Alt+Left is
a shortcut of the browser's own window, which headless Chromium does not have,
so ``page.go_back()`` stands in for it.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from bureaus.models import Bureau, Duty, Theme

pytestmark = [
    pytest.mark.browser,
    # live_server flushes the database after each test; this restores the seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# No page of the site has this many tab stops before the one a step wants.
MAX_TAB_PRESSES = 120


def has_focus(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would.

    Fails if the target is never reached, i.e. it is not in the tab order.
    The focus it lands on must be visible and drawn (``:focus-visible``).
    """
    expect(target).to_have_count(1)
    for _ in range(MAX_TAB_PRESSES):
        page.keyboard.press("Tab")
        if has_focus(target):
            expect(target).to_be_focused()
            expect(target).to_be_visible()
            assert target.evaluate("element => element.matches(':focus-visible')"), (
                "keyboard focus is not drawn"
            )
            return
    pytest.fail(f"{target} not reached after {MAX_TAB_PRESSES} Tab presses on {page.url}")


def activate(page: Page, url: str | re.Pattern) -> None:
    """Press Enter on the focused control and wait for the page it leads to."""
    page.keyboard.press("Enter")
    page.wait_for_url(url)


def choose_with_arrow_keys(page: Page, select: Locator, value: str) -> None:
    """Move a focused, closed <select> to ``value`` with ArrowDown, as a keyboard user would."""
    expect(select).to_be_focused()
    previous = None
    while (current := select.input_value()) != value:
        assert current != previous, f"option {value!r} not reachable with ArrowDown"
        previous = current
        page.keyboard.press("ArrowDown")
    expect(select).to_be_focused()


def published_count(**filters) -> int:
    return Duty.objects.live().filter(**filters).distinct().count()


def expect_result_count(page: Page, text: str) -> None:
    expect(page.locator(".result-count")).to_have_text(text)


def test_japanese_journey_from_home_to_a_duty_and_back_by_keyboard(page):
    theme = Theme.objects.get(slug="environment")
    bureau = Bureau.objects.get(slug="environment")
    duty = Duty.objects.get(bureau=bureau, slug="hydrogen-society")
    everything = published_count()
    on_theme = published_count(themes=theme)
    assert 0 < on_theme < everything, "the seed no longer lets a theme narrow the catalogue"

    # Home.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1")).to_have_text("人事交流（交流受入）のご案内")
    main = page.locator("main")

    # Home → catalogue, by the call to action in the page body.
    tab_to(page, main.get_by_role("link", name="業務内容例を見る"))
    activate(page, "**/bureaus/")
    expect(page.locator("h1")).to_have_text("都における主な業務内容例・お問合せ先")
    expect(
        page.get_by_role("navigation", name="メインメニュー").locator("[aria-current=page]")
    ).to_have_text("業務内容例")
    expect_result_count(page, f"{everything} 件の業務内容例")

    # Filter by theme: Tab to the labelled select, arrow down to the theme, Tab to submit.
    theme_select = page.get_by_role("combobox", name="テーマ", exact=True)
    expect(theme_select).to_have_value("")
    tab_to(page, theme_select)
    choose_with_arrow_keys(page, theme_select, theme.slug)
    expect(theme_select.locator("option:checked")).to_have_text(theme.name_ja)
    tab_to(page, page.get_by_role("button", name="この条件で表示"))
    activate(page, re.compile(rf"/bureaus/\?.*\btheme={theme.slug}\b"))

    expect(page).to_have_title(re.compile(rf"^業務内容例: {re.escape(theme.name_ja)} \|"))
    expect(theme_select).to_have_value(theme.slug)  # the locator finds the new page's select
    expect(theme_select.locator("option:checked")).to_have_text(theme.name_ja)
    expect_result_count(page, f"{on_theme} 件の業務内容例")
    expect(main.locator(".duty-item")).to_have_count(on_theme)
    expect(main.get_by_role("link", name="条件をすべて解除")).to_be_visible()

    # Catalogue → bureau, by the link in the bureau's section heading.
    tab_to(page, main.get_by_role("heading", name=bureau.name_ja, exact=True).get_by_role("link"))
    activate(page, f"**{bureau.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text(bureau.name_ja)
    expect(page.locator(".breadcrumb [aria-current=page]")).to_have_text(bureau.name_ja)

    # Bureau → duty.
    tab_to(page, main.get_by_role("link", name=duty.title_ja, exact=True))
    activate(page, f"**{duty.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text(duty.title_ja)
    expect(main.get_by_role("link", name=theme.name_ja)).to_have_attribute(
        "href", f"/bureaus/?theme={theme.slug}"
    )

    # Back (the browser's Back button) → bureau → the filtered catalogue, filter intact.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"{re.escape(bureau.get_absolute_url())}$"))
    expect(page.locator("h1")).to_have_text(bureau.name_ja)
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/bureaus/\?.*\btheme={theme.slug}\b"))
    expect(theme_select).to_have_value(theme.slug)
    expect_result_count(page, f"{on_theme} 件の業務内容例")

    # And back up by keyboard alone: the duty's breadcrumb leads to its bureau.
    page.go_forward()
    page.go_forward()
    expect(page.locator("h1")).to_have_text(duty.title_ja)
    breadcrumbs = page.get_by_role("navigation", name="パンくずリスト")
    tab_to(page, breadcrumbs.get_by_role("link", name=bureau.name_ja))
    activate(page, f"**{bureau.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text(bureau.name_ja)


def test_english_journey_and_the_language_switcher_keeps_the_page(page):
    bureau = Bureau.objects.get(slug="environment")
    duty = Duty.objects.get(bureau=bureau, slug="hydrogen-society")
    theme = Theme.objects.get(slug="ict")

    page.goto("/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(
        "Personnel exchange: staff from companies at the Tokyo Metropolitan Government"
    )
    main_menu = page.get_by_role("navigation", name="Main menu")

    # Home → catalogue, by the main menu.
    tab_to(page, main_menu.get_by_role("link", name="Example duties"))
    activate(page, "**/en/bureaus/")
    expect(page.locator("h1")).to_have_text(
        "Main example duties and contacts at the Tokyo Metropolitan Government"
    )
    expect(main_menu.locator("[aria-current=page]")).to_have_text("Example duties")
    expect_result_count(page, f"{published_count()} example duties")

    # Catalogue → bureau.
    main = page.locator("main")
    tab_to(page, main.get_by_role("heading", name=bureau.name_en, exact=True).get_by_role("link"))
    activate(page, "**/en/bureaus/environment/")
    expect(page.locator("h1")).to_have_text(bureau.name_en)

    # The switcher: 日本語 leads to the same bureau in Japanese, and English back again.
    switcher = page.get_by_role("navigation", name="Language")
    expect(switcher.locator("[aria-current=true]")).to_have_text("English")
    tab_to(page, switcher.get_by_role("link", name="日本語"))
    activate(page, re.compile(r"//[^/]+/bureaus/environment/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1")).to_have_text(bureau.name_ja)
    switcher = page.get_by_role("navigation", name="言語")
    expect(switcher.locator("[aria-current=true]")).to_have_text("日本語")
    tab_to(page, switcher.get_by_role("link", name="English"))
    activate(page, "**/en/bureaus/environment/")
    expect(page.locator("h1")).to_have_text(bureau.name_en)

    # On a duty and on a filtered catalogue too: the page and its query are kept.
    kept = [
        (duty.get_absolute_url().removeprefix("/en"), duty.title_ja),
        (f"/bureaus/?theme={theme.slug}", "都における主な業務内容例・お問合せ先"),
    ]
    for japanese_path, heading in kept:
        page.goto(f"/en{japanese_path}")
        tab_to(page, page.get_by_role("navigation", name="Language").get_by_role("link"))
        activate(page, re.compile(rf"//[^/]+{re.escape(japanese_path)}$"))
        expect(page.locator("h1")).to_have_text(heading)
    expect(page.get_by_role("combobox", name="テーマ", exact=True)).to_have_value(theme.slug)
    expect_result_count(page, f"{published_count(themes=theme)} 件の業務内容例")


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/", "本文へ移動"),
        ("/en/bureaus/environment/hydrogen-society/", "Skip to main content"),
    ],
)
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, path, label):
    assert page.goto(path).ok
    skip_link = page.get_by_role("link", name=label)
    expect(skip_link).not_to_be_in_viewport()  # visually hidden until focused

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    main = page.locator("main")
    expect(main).to_be_focused()

    # The next Tab continues inside the main content, past the header's links.
    page.keyboard.press("Tab")
    expect(main.locator(":focus")).to_have_count(1)
