"""`make screenshots`: full-page PNGs of the main pages and of each state of the form.

Not a test (pytest collects it only when named on the command line): it drives
Chromium against the live test server with the seed data, at 1280 and 360 CSS px,
in Japanese and English, and writes the pictures to screenshots/ (ignored by git)
so a change can be looked at before and after. File names say the language, the
page and the width: ja-03-duty-360.png.
"""

import shutil

import pytest

from tests.applications.helpers import form_states
from tests.conftest import ROOT

OUTPUT = ROOT / "screenshots"
WIDTHS = (1280, 360)
PREFIXES = {"ja": "", "en": "/en"}
PAGES = [
    ("home", "/"),
    ("catalogue", "/bureaus/"),
    ("catalogue-filtered", "/bureaus/?theme=environment&q=%E6%B0%B4%E7%B4%A0"),
    ("bureau", "/bureaus/environment/"),
    ("duty", "/bureaus/environment/hydrogen-society/"),
    ("how-to-apply", "/how-to-apply/"),
    ("timeline", "/timeline/"),
    ("faq", "/faq/"),
    ("shortlist", "/shortlist/"),
    ("statistics", "/statistics/"),
    ("opendata", "/opendata/"),
    ("privacy", "/privacy/"),
    ("site-policy", "/site-policy/"),
    ("accessibility", "/accessibility/"),
    ("not-found", "/no-such-page/"),
]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def shoot(tab, name):
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 800})
        tab.screenshot(path=OUTPUT / f"{name}-{width}.png", full_page=True)
    tab.set_viewport_size({"width": WIDTHS[0], "height": 800})


def test_take_screenshots(browser, live_server, settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 1000
    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir()
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    try:
        for language, prefix in PREFIXES.items():
            for number, (name, path) in enumerate(PAGES, start=1):
                tab.goto(prefix + path)
                shoot(tab, f"{language}-{number:02d}-{name}")
                if name == "duty":
                    # So that the shortlist page shows a listed duty, not its empty state.
                    tab.locator("main form.shortlist-add button").click()
            for number, (state, _response, _status) in enumerate(
                form_states(tab, prefix, settings), start=len(PAGES) + 1
            ):
                shoot(tab, f"{language}-{number:02d}-form-{state.replace(' ', '-')}")
    finally:
        context.close()
    print(f"\n{len(list(OUTPUT.glob('*.png')))} screenshots in {OUTPUT}")
