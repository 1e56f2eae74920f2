"""axe, the Nu checker and the page checks on the timeline, FAQ, statistics and
accessibility pages.

Each page is checked in both languages, the statistics and accessibility pages
both empty and with data (tables with a merged line; a recorded run), since
those states render different markup. The checks are tests/quality.py's, as in
tests/test_accessibility.py.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from portal import accessibility
from portal.accessibility import write_results
from tests.applications.stored import make_request
from tests.conftest import make_bureau
from tests.portal.test_accessibility_page import RUN
from tests.quality import WIDE, Tally, check_page, nu_errors

PAGES = [
    "/timeline/",
    "/faq/",
    "/statistics/",
    "/accessibility/",
    "/en/timeline/",
    "/en/faq/",
    "/en/statistics/",
    "/en/accessibility/",
]
# Pages whose markup changes once there are requests and a recorded run.
DATA_PAGES = ["/statistics/", "/accessibility/", "/en/statistics/", "/en/accessibility/"]


@pytest.fixture
def results_file(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    monkeypatch.setattr(accessibility, "RESULTS_FILE", path)
    return path


def add_data(settings):
    """Requests that fill every table with a shown row and a merged line; a recorded run."""
    settings.STATISTICS_MIN_COUNT = 5
    large, small_a, small_b = make_bureau(), make_bureau(), make_bureau()
    for bureau, industry, count in [
        (large, "finance", 5),
        (small_a, "energy", 3),
        (small_b, "it", 2),
    ]:
        for _ in range(count):
            make_request(bureaus=[bureau], industry=industry)
    write_results(RUN)


@pytest.mark.django_db
def test_the_new_pages_are_valid_html_empty_and_with_data(
    client, settings, tmp_path, results_file, vnu_command
):
    responses = [(path, client.get(path)) for path in PAGES]
    add_data(settings)
    responses += [(f"{path} (with data)", client.get(path)) for path in DATA_PAGES]
    for label, response in responses:
        assert response.status_code == 200, label
    errors = nu_errors(vnu_command, {label: r.content for label, r in responses}, tmp_path)
    assert not errors, "\n".join(errors)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_new_pages_have_no_wcag_violations_empty_and_with_data(
    browser, live_server, settings, results_file
):
    axe = Axe()
    failures = []
    tally = Tally()

    def check(paths, label):
        # A fresh context each time: these pages carry max-age, and the browser's
        # cache would otherwise show the empty pages again after the data is added.
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=WIDE)
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        try:
            for path in paths:
                response = tab.goto(path)
                if response is None or response.status != 200:
                    failures.append(f"{path} {label}: HTTP {response.status if response else '-'}")
                    continue
                if label == "(with data)" and "statistics" in path:
                    assert tab.locator("table").count() == 3, "the data did not reach the page"
                if label == "(with data)" and "accessibility" in path:
                    assert tab.locator(".audit-check").count() == 4, (
                        "the run did not reach the page"
                    )
                check_page(tab, tally, f"{path} {label}", axe=axe)
        finally:
            context.close()

    # The other pages' empty states are in the site-wide pass (tests/test_accessibility.py),
    # which shows the committed results, not none.
    check([path for path in PAGES if "accessibility" in path], "(empty)")
    add_data(settings)
    check(DATA_PAGES, "(with data)")
    assert not failures + tally.all_findings(), "\n\n".join(failures + tally.all_findings())
