"""Shared fixtures: data builders, the public page list, Chromium, the Nu checker.

The test environment itself (secret key, hosts, plain HTTP) is set by
tests/environment.py, which pytest loads before Django reads its settings.
"""

import os
import shutil
import socket
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone, translation

from bureaus.models import Bureau, Duty
from tests.factories import BureauFactory, DutyFactory, ThemeFactory

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ["ja", "en"]


# --- CI guards: in CI a skip is a failure, and SQLite is not enough. -------------


def pytest_sessionstart(session):
    if not IN_CI:
        return
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(
            f"CI=true needs DATABASE_URL pointing at PostgreSQL; got {engine}.", returncode=3
        )


def pytest_sessionfinish(session, exitstatus):
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} skipped test(s) count as failures.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# Marks by what a test needs, so that `make test-fast` can leave out the slow kinds.
FIXTURE_MARKS = {
    "browser": "browser",
    "page": "browser",
    "vnu_command": "nu",
    "gunicorn_site": "server",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture in set(FIXTURE_MARKS).intersection(item.fixturenames):
            item.add_marker(FIXTURE_MARKS[fixture])


def pytest_terminal_summary(terminalreporter):
    """What the scale-out test saw (tests/test_scale_out.py), one line each."""
    scale = sys.modules.get("tests.test_scale_out")
    if scale and scale.FIGURES:
        terminalreporter.section("scale-out test figures")
        for line in scale.FIGURES:
            terminalreporter.write_line(line)


def free_port():
    """A local port nothing listens on (for servers a test starts, or for outages)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Builders: the factories (tests/factories.py) under the names older tests use. ----


def make_theme(**overrides):
    return ThemeFactory(**overrides)


def make_bureau(**overrides):
    return BureauFactory(**overrides)


def make_duty(bureau=None, themes=(), **overrides):
    return DutyFactory(bureau=bureau or BureauFactory(), themes=themes, **overrides)


def grow_catalogue(bureaus=30, duties_per_bureau=10):
    """Add a catalogue of the given size on top of the seed (for query-count tests)."""
    theme = make_theme()
    for _ in range(bureaus):
        bureau = make_bureau()
        for _ in range(duties_per_bureau):
            make_duty(bureau=bureau, themes=[theme])


# --- The public pages. -------------------------------------------------------------


def public_paths(language):
    """Every public page of the site in one language, from the published data."""
    with translation.override(language):
        catalogue = reverse("bureaus:list")
        paths = [
            reverse("portal:home"),
            reverse("portal:how-to-apply"),
            reverse("portal:privacy"),
            reverse("portal:site-policy"),
            reverse("portal:timeline"),
            reverse("portal:faq"),
            reverse("applications:statistics"),
            reverse("portal:accessibility"),
            reverse("opendata:page"),
            reverse("shortlist:list"),
            reverse("shortlist:print"),
            reverse("applications:form"),
            catalogue,
            f"{catalogue}?theme=environment",
            f"{catalogue}?bureau=general-affairs",
            f"{catalogue}?q=ICT",
            f"{catalogue}?q=no-such-duty-anywhere",
        ]
        paths += [bureau.get_absolute_url() for bureau in Bureau.objects.live()]
        paths += [duty.get_absolute_url() for duty in Duty.objects.live().select_related("bureau")]
    return paths


def all_public_paths():
    return [path for language in LANGUAGES for path in public_paths(language)]


def ended_duty_paths():
    """The 410 page (掲載を終了しました) in each language: a duty of a live bureau whose
    公開終了日時 has passed."""
    from datetime import timedelta

    from django.utils import timezone

    duty = DutyFactory(
        bureau=Bureau.objects.live().first(),
        title_ja="掲載を終えた業務",
        publish_ends_at=timezone.now() - timedelta(days=1),
    )
    paths = []
    for language in LANGUAGES:
        with translation.override(language):
            paths.append(duty.get_absolute_url())
    return paths


# --- Browser and HTML checker. ------------------------------------------------------


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in Japanese: LocaleMiddleware leaves the thread in the language
    of the last request, so a client request to /en/ would leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def hr_client(client, django_user_model):
    """The test client signed in as a superuser of the admin."""
    user = django_user_model.objects.create_superuser(
        "jinji", "jinji@kouryu.metro.tokyo.example", "pw-not-used-12"
    )
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches (the submission limit counts in one, stored
    pages are in the other)."""
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """Debian's Chromium driven by Playwright; Playwright never downloads a browser."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Django keeps connections in asgiref Locals, which become context-local once an
    # event loop runs in the thread, and Playwright's sync API runs one. The
    # connections the browser tests then get lack the seed serialized at database
    # set-up, so serialized_rollback would silently restore nothing: hand it over.
    seeds = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    with sync_playwright() as playwright:
        for alias, seed in seeds.items():
            if seed is not None:
                connections[alias]._test_serialized_contents = seed
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab whose relative URLs go to the live test server."""
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def vnu_command():
    """The command that runs the Nu HTML checker, or a skip saying what is missing."""
    java = shutil.which("java")
    if not java:
        pytest.skip("java is missing: apt-get install -y default-jre-headless")
    if not VNU_JAR.exists():
        pytest.skip("vnu.jar is missing: npm ci --ignore-scripts")
    return [java, "-jar", str(VNU_JAR)]


@pytest.fixture
def clock():
    """timezone.now() under the test's control, for every thread (the live server too)."""

    class Clock:
        moment = timezone.now()

        def move_to(self, moment):
            self.moment = moment

    fixed = Clock()
    with mock.patch("django.utils.timezone.now", lambda: fixed.moment):
        yield fixed
