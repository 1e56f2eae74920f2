"""axe-core over every public page, both languages, and the 404 page (WCAG 2.1 A and AA).

One test, one live server and one browser context for all the pages, so the
check stays fast; every page is checked before the test fails, and the failure
lists each failing page's report, so one bad page does not hide another.

axe is injected as a script, which the site's strict Content-Security-Policy
rightly refuses, so this context alone bypasses CSP (the journeys keep it on).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from bureaus.models import Duty
from tests.conftest import all_public_paths
from tests.quality import axe_failure

pytestmark = [
    pytest.mark.browser,
    # live_server flushes the database after each test; this restores the seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# The 404 page in each language (Japanese is unprefixed).
NOT_FOUND_PATHS = ["/no-such-page/", "/en/no-such-page/"]


def test_every_public_page_has_no_wcag_violations(browser, live_server):
    assert Duty.objects.published().exists(), "no seed data, so no bureau or duty page to check"
    pages = [(path, 200) for path in all_public_paths()]
    pages += [(path, 404) for path in NOT_FOUND_PATHS]
    axe = Axe()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    failures = []
    try:
        for path, status in pages:
            response = tab.goto(path)
            if response is None or response.status != status:
                got = response.status if response else "no response"
                failures.append(f"{path}: expected HTTP {status}, got {got}")
                continue
            if failure := axe_failure(axe, tab):
                failures.append(f"{path}: {failure}")
    finally:
        context.close()

    for failure in failures:
        print(failure, end="\n\n")
    assert not failures, (
        f"{len(failures)} of {len(pages)} pages fail axe (WCAG 2.1 A/AA):\n\n"
        + "\n\n".join(failures)
    )
