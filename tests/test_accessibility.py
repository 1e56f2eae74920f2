"""axe-core, the Nu HTML checker and the page checks over every public page and every state
of the form, in both languages, and the 404 and 410 pages.

One browser pass: each page state gets axe and the page checks of tests/quality.py
(reflow, control edges, target sizes, focus, error cues, text spacing) at 1280 and
at 320 CSS px; the Nu checker then validates all the HTML in one JVM start. Both
prove on a canary that they ran. Any finding fails the test.

With RECORD_ACCESSIBILITY_RESULTS=true (`make accessibility`) the run's counts, the
words describing each check, the time and the tools' versions are first written to
static/accessibility/results.json (portal.accessibility.RESULTS_FILE), which
/accessibility/ shows. A plain run (`make test`) never writes it;
tests/portal/test_accessibility_page.py fails when the committed file no longer
describes the checks run here.
"""

import os
import re
import subprocess
from pathlib import Path

import axe_playwright_python
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from bureaus.models import Duty
from portal.accessibility import AuditResults, latest_results, write_results
from tests.applications.helpers import form_states
from tests.conftest import LANGUAGES, all_public_paths, ended_duty_paths
from tests.quality import (
    AXE_OPTIONS,
    CHECKS,
    PAGE_CANARY,
    WIDE,
    Tally,
    check_page,
    check_result,
    nu_errors,
)

pytestmark = [
    pytest.mark.browser,
    # live_server flushes the database after each test; this restores the seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECORD = os.environ.get("RECORD_ACCESSIBILITY_RESULTS", "").lower() == "true"
PREFIXES = {"ja": "", "en": "/en"}  # Japanese is unprefixed.
# The 404 page in each language.
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


def test_every_public_page_and_form_state_passes_every_check(
    browser, live_server, vnu_command, tmp_path, settings
):
    """One pass over every public page in both languages, the 404 page and each state of
    the form (empty, errors, confirm, done, too many requests): axe and the page checks in
    Chromium, then the Nu checker on the same HTML."""
    assert Duty.objects.live().exists(), "no seed data, so no bureau or duty page to check"
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 1000
    axe = Axe()
    tally = Tally()
    documents = {}
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=WIDE)
    tab = context.new_page()
    tab.set_default_timeout(10_000)

    def check(label, response, status):
        assert response is not None and response.status == status, label
        documents[label] = response.body()
        check_page(tab, tally, label, axe=axe)

    try:
        for path in all_public_paths():
            check(path, tab.goto(path), 200)
        for path in NOT_FOUND_PATHS:
            check(path, tab.goto(path), 404)
        for path in ended_duty_paths():
            check(path, tab.goto(path), 410)
        for language, prefix in PREFIXES.items():
            for state, response, status in form_states(tab, prefix, settings):
                check(f"{language} {state} ({tab.url})", response, status)
        canary = Tally()
        tab.set_content(PAGE_CANARY)
        check_page(tab, canary, "canary")
    finally:
        context.close()
    silent = [
        check for check in CHECKS if check not in ("axe", "nu") and not canary.findings[check]
    ]
    assert not silent, f"the page checks {silent} found nothing on the canary page"
    errors = nu_errors(vnu_command, documents, tmp_path)
    tally.items["nu"] += len(documents)
    tally.findings["nu"] += errors
    assert set(tally.items) == set(CHECKS), "a check ran that the page cannot describe, or none"

    run = AuditResults(
        checked_at=timezone.localtime().replace(microsecond=0),
        pages=len(documents),
        languages=tuple(LANGUAGES),
        browser=f"Chromium {browser.version}",
        axe_version=axe_version(),
        axe_tags=tuple(AXE_OPTIONS["runOnly"]["values"]),
        nu_version=vnu_version(vnu_command),
        checks=tuple(
            check_result(check, tally.items[check], len(tally.findings[check])) for check in CHECKS
        ),
    )
    if RECORD:
        write_results(run)
        assert latest_results() == run

    findings = tally.all_findings()
    for line in findings:
        print(line, end="\n\n")
    counts = {check: len(tally.findings[check]) for check in CHECKS}
    assert not findings, f"findings per check over {len(documents)} page states: {counts}"
