"""axe-core and the Nu HTML checker over every public page, both languages, and the 404 page.

One browser pass collects axe's findings and each page's HTML; the Nu checker
then validates all of it in one JVM start (with a canary page that must fail).
The run's counts, page total, time and tool versions are written to
static/accessibility/results.json (portal.accessibility.RESULTS_FILE), which
/accessibility/ shows, and then any finding fails the test. The file is written
only when this test runs.
"""

import re
import subprocess
from pathlib import Path

import axe_playwright_python
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from bureaus.models import Duty
from portal.accessibility import AuditResults, latest_results, write_results
from tests.conftest import LANGUAGES, all_public_paths
from tests.quality import AXE_OPTIONS, nu_errors

pytestmark = [
    pytest.mark.browser,
    # live_server flushes the database after each test; this restores the seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The 404 page in each language (Japanese is unprefixed).
NOT_FOUND_PATHS = ["/no-such-page/", "/en/no-such-page/"]

# The axe-core that axe_playwright_python injects; its licence header names the version.
AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"


def axe_version():
    """'4.12.1' from the script's first line: /*! axe v4.12.1"""
    with AXE_SCRIPT.open(encoding="utf-8") as script:
        header = script.read(200)
    match = re.search(r"axe v(\d+(?:\.\d+)+)", header)
    assert match, f"no version in the header of {AXE_SCRIPT}: {header!r}"
    return match.group(1)


def vnu_version(vnu_command):
    result = subprocess.run(
        vnu_command + ["--version"], capture_output=True, text=True, timeout=120
    )
    version = (result.stdout or result.stderr).strip()
    assert result.returncode == 0 and version, f"vnu.jar --version failed: {result.stderr}"
    return version


def test_every_public_page_passes_axe_and_the_nu_checker_and_the_results_are_recorded(
    browser, live_server, vnu_command, tmp_path
):
    """One pass over every public page in both languages (and the 404 page): axe in
    Chromium, then the Nu checker on the same HTML; the run is recorded for
    /accessibility/ before any finding fails the test."""
    assert Duty.objects.published().exists(), "no seed data, so no bureau or duty page to check"
    pages = [(path, 200) for path in all_public_paths()]
    pages += [(path, 404) for path in NOT_FOUND_PATHS]
    axe = Axe()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    violations, failures, documents = 0, [], {}
    try:
        for path, status in pages:
            response = tab.goto(path)
            assert response is not None and response.status == status, path
            documents[path] = response.body()
            results = axe.run(tab, options=AXE_OPTIONS)
            assert results.response["passes"], f"{path}: axe passed no rule, so it checked nothing"
            violations += results.violations_count
            if results.violations_count:
                failures.append(f"{path}: {results.generate_report()}")
    finally:
        context.close()
    errors = nu_errors(vnu_command, documents, tmp_path)

    run = AuditResults(
        checked_at=timezone.localtime().replace(microsecond=0),
        pages=len(pages),
        languages=tuple(LANGUAGES),
        browser=f"Chromium {browser.version}",
        axe_version=axe_version(),
        axe_tags=tuple(AXE_OPTIONS["runOnly"]["values"]),
        axe_violations=violations,
        nu_version=vnu_version(vnu_command),
        nu_errors=len(errors),
    )
    write_results(run)
    assert latest_results() == run

    for line in failures + errors:
        print(line, end="\n\n")
    assert not failures, f"{len(failures)} of {len(pages)} pages fail axe (WCAG 2.1 A/AA)"
    assert not errors, f"{len(errors)} HTML error(s) in {len(documents)} pages"
