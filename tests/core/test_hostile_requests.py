"""Hostile requests: bad bytes in addresses and filters, links built from the path,
secrets in logs, limits with the cache down, the stored-page key space, admin
lookups the page never offers, and secrets on the error page."""

import re
import secrets
import sys
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.debug import technical_500_response

from applications.models import Inquiry
from bureaus.models import Bureau, Theme
from core.models import InquiryWindow
from core.observability import redact, redacting_gunicorn_logger
from tests.applications.helpers import form_data
from tests.applications.stored import make_bureau_staff, make_hr, make_request
from tests.conftest import all_public_paths
from tests.core.support import log_lines

pytestmark = pytest.mark.django_db

NUL = "\x00"
OVERLONG = "あ" * 5000 + "x" * 5000
INVALID = "<script>'\"%ZZ../../"
# The public pages that read query parameters, and the parameters each reads.
PARAMETERS = {
    "/bureaus/": ["q", "bureau", "theme"],
    "/en/bureaus/": ["q", "bureau", "theme"],
    "/consultation/": ["bureau", "duty", "edit"],
    "/en/consultation/": ["bureau", "duty", "edit"],
    "/opendata/duties.csv": ["format"],
}


# --- 4. Bad bytes: NUL, overlong and invalid values, everywhere. ---------------------------


def test_every_public_page_answers_a_nul_in_its_query_with_a_400(client):
    for path in all_public_paths():
        for name in ["q", "bureau", "theme", "duty"]:
            response = client.get(path, {name: NUL})
            assert response.status_code == 400, (path, name)
            assert "アドレスに使えない文字" in response.content.decode()
        # A NUL in the name of a parameter, too.
        assert client.get(f"{path}?bad%00name=1").status_code == 400, path


@pytest.mark.parametrize("path", PARAMETERS)
def test_the_pages_that_read_parameters_answer_any_other_value_with_a_page(client, path):
    for name in PARAMETERS[path]:
        assert client.get(path, {name: NUL}).status_code == 400, (path, name)
        for value in (OVERLONG, INVALID, "", "-1"):
            response = client.get(path, {name: value})
            assert response.status_code in (200, 302), (path, name, value[:20])
        response = client.get(path, {name: ["environment", OVERLONG, INVALID]})
        assert response.status_code in (200, 302), (path, name)


@pytest.mark.parametrize(
    "path",
    [
        "/consultation/status/%00/",
        "/consultation/status/abc%00def/",
        "/en/consultation/status/%00/",
        "/bureaus/%00/",
        "/bureaus/environment/%00/",
        "/%00/",
    ],
)
def test_a_nul_in_the_path_gets_a_400(client, path):
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("value", [OVERLONG, INVALID, "a" * 64, "A" * 500])
def test_any_other_status_token_is_a_plain_404(client, value):
    assert client.get(f"/consultation/status/{value}/").status_code == 404


def admin_list_cases(request):
    """(model admin, its change list URL, the parameter names its page offers)."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"core", "bureaus", "portal", "applications"}:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        yield model_admin, url, sorted(model_admin.offered_filter_lookups(request))


@pytest.mark.parametrize("role", ["hr", "bureau"])
def test_every_admin_list_answers_nul_with_a_400_and_other_values_with_a_page(client, role):
    bureau = Bureau.objects.get(slug="environment")
    make_request(bureaus=[bureau])
    user = make_hr() if role == "hr" else make_bureau_staff(bureau)
    client.force_login(user)
    request = SimpleNamespace(user=user)
    checked = 0
    for model_admin, url, offered in admin_list_cases(request):
        if not model_admin.has_view_permission(SimpleNamespace(user=user)):
            continue
        for name in [*offered, "industry__exact", "email__contains", "q"]:
            assert client.get(url, {name: NUL}).status_code == 400, (url, name)
            for value in (OVERLONG, "2026-13-45'<x>"):
                response = client.get(url, {name: value})
                # A page, admin's "invalid filter" redirect, or a refused lookup: never a 500.
                assert response.status_code in (200, 302, 400), (url, name, response.status_code)
            checked += 1
    assert checked > (20 if role == "hr" else 3)


# --- 9. Admin takes only the lookups its page offers. ---------------------------------------


@pytest.mark.parametrize("role", ["hr", "bureau"])
@pytest.mark.parametrize(
    "lookup",
    ["status_token__startswith", "status_token__regex", "email__contains", "phone__startswith"],
)
def test_admin_refuses_lookups_on_fields_its_page_never_offers(client, role, lookup):
    bureau = Bureau.objects.get(slug="environment")
    inquiry = make_request(bureaus=[bureau])
    client.force_login(make_hr() if role == "hr" else make_bureau_staff(bureau))
    url = reverse("admin:applications_inquiry_changelist")
    secret = inquiry.status_token or ""
    response = client.get(url, {lookup: secret[:1] or "a"})
    assert response.status_code == 400


def test_the_filters_the_page_offers_still_work(client):
    bureau = Bureau.objects.get(slug="environment")
    make_request(bureaus=[bureau], industry="finance")
    make_request(bureaus=[bureau], industry="energy")
    client.force_login(make_hr())
    url = reverse("admin:applications_inquiry_changelist")
    response = client.get(url, {"industry__exact": "finance"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    year = Inquiry.objects.first().received_at.year
    assert client.get(url, {"received_at__year": year}).status_code == 200
    assert client.get(url, {"bureaus__id__exact": bureau.pk}).status_code == 200


# --- 5. Links built from the request path stay on this site. -----------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action", "content") and value:
                self.urls.append(value)


@pytest.mark.parametrize(
    "path", ["//evil.example/", "///evil.example/", "/\\evil.example/", "//evil.example/en/x/"]
)
def test_links_built_from_a_hostile_path_stay_on_this_site(client, path):
    # The path exactly as a browser would send it (the test client would read
    # "//evil.example/" as a host).
    response = client.get("/", PATH_INFO=path)
    assert response.status_code == 404
    parser = Links()
    parser.feed(response.content.decode())
    urls = [url for url in parser.urls if "/" in url]
    assert urls
    # This site, or the central window's own page (from the database).
    known = {"", "testserver", urlsplit(InquiryWindow.objects.get().website).netloc}
    for url in urls:
        assert urlsplit(url).netloc in known, url
        assert not url.startswith("//") and not url.startswith("/\\"), url


# --- 6. The status link's secret never reaches a log line. ---------------------------------


def test_the_status_token_is_redacted_from_404_lines_and_the_access_log(client):
    token = secrets.token_urlsafe(32)
    with log_lines() as lines:
        assert client.get(f"/consultation/status/{token}/").status_code == 404
        assert client.get(f"/en/consultation/status/{token}/?x=1").status_code == 404
    text = "\n".join(lines)
    assert "/consultation/status/[redacted]/" in text
    assert token not in text

    # gunicorn's access log: every field goes through the same redaction.
    logger = redacting_gunicorn_logger()(SimpleNamespace(**GUNICORN_CONFIG))
    request = SimpleNamespace(
        method="GET",
        path=f"/consultation/status/{token}/",
        query="",
        uri=f"/consultation/status/{token}/",
        version=(1, 1),
        headers=[("REFERER", f"https://kouryu.example/consultation/status/{token}/")],
    )
    response = SimpleNamespace(status="404 Not Found", sent=0, headers=[], response_length=0)
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/consultation/status/{token}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "RAW_URI": f"/consultation/status/{token}/",
    }
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=0))
    assert token not in repr(atoms)
    assert atoms["U"] == "/consultation/status/[redacted]/"


GUNICORN_CONFIG = {
    "errorlog": "-",
    "accesslog": None,
    "loglevel": "info",
    "syslog": False,
    "logconfig": None,
    "logconfig_dict": {},
    "logconfig_json": None,
    "capture_output": False,
    "disable_redirect_access_to_syslog": False,
    "statsd_host": None,
    "dogstatsd_tags": "",
    "statsd_prefix": "",
    "access_log_format": "%(U)s",
    "user": None,
    "group": None,
    "umask": 0,
}


def test_redaction_covers_both_languages_and_leaves_other_paths_alone():
    assert redact("GET /en/consultation/status/abc-DEF_123/ 404") == (
        "GET /en/consultation/status/[redacted]/ 404"
    )
    assert (
        redact("/bureaus/environment/hydrogen-society/") == "/bureaus/environment/hydrogen-society/"
    )


# --- 7. The submission limit with the cache down. -------------------------------------------


def consult(client):
    assert client.post("/consultation/", form_data(client)).status_code == 302
    digest = client.get("/consultation/confirm/").context["draft_digest"]
    return client.post("/consultation/confirm/", {"draft": digest}).status_code


def test_the_submission_limit_holds_with_redis_down(redis_down, settings):
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 3
    client = Client()
    statuses = [consult(client) for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Inquiry.objects.count() == 3


# --- 8. Stored pages: bounded by the content, not by what visitors type. -------------------


def stored_page_keys():
    return set(caches["pages"]._cache)


def test_random_searches_and_unknown_filters_store_no_page(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    client.get("/bureaus/")
    before = stored_page_keys()
    for _ in range(30):
        client.get("/bureaus/", {"q": secrets.token_hex(8)})
        client.get("/bureaus/", {"bureau": secrets.token_hex(8)})
        client.get("/bureaus/", {"theme": secrets.token_hex(8)})
        client.get("/bureaus/", {"bureau": ["environment", secrets.token_hex(8)]})
    assert stored_page_keys() == before


def test_pages_for_known_filters_are_stored_once_each(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    before = stored_page_keys()
    slugs = list(Bureau.objects.live().values_list("slug", flat=True))
    themes = list(Theme.objects.live().values_list("slug", flat=True))
    for _ in range(3):
        for slug in slugs:
            client.get("/bureaus/", {"bureau": slug})
        for slug in themes:
            client.get("/bureaus/", {"theme": slug})
    assert len(stored_page_keys() - before) == len(slugs) + len(themes)


# --- 9. The error page hides every secret setting. ------------------------------------------


def test_the_debug_error_page_masks_passwords_in_urls_and_settings(settings):
    settings.DEBUG = True
    marker = "s3cr3t-" + secrets.token_hex(6)
    settings.DATABASE_URL = f"postgres://kouryu:{marker}@db.internal:5432/kouryu"
    settings.REDIS_URL = f"redis://:{marker}@cache.internal:6379/0"
    settings.CACHES = {
        **settings.CACHES,
        "extra": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"redis://:{marker}@cache.internal:6379/1",
        },
    }
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "OPTIONS": {"password": marker},
        }
    }
    request = RequestFactory().get("/")
    request.META["DATABASE_URL"] = settings.DATABASE_URL  # As runserver's environ has it.
    secret_chars = list(marker)
    del marker  # The page also shows this frame's variables; the secret is in settings only.
    html = error_page(request)
    assert "RuntimeError" in html  # The page was made.
    assert "".join(secret_chars) not in html
    assert re.search(r"DATABASE_URL.*\*{5,}", html, re.S)


def error_page(request):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()
