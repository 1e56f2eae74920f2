"""Production hardening: security headers, /health/, cache and database outages,
conditional GET, the revision-keyed page cache, request ids and JSON-lines logs.

Production-like settings are switched on per test with pytest-django's ``settings``
fixture. SecurityMiddleware reads them when the client's handler loads its
middleware, which happens on the client's first request; every test here makes
that request after the change, and the first assertion on HSTS shows it took.
"""

import contextlib
import io
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from applications.forms import ConsultationForm
from applications.models import Inquiry, Notification, NotificationState
from applications.services import submit_inquiry
from bureaus.models import Bureau, Duty, Theme
from config.cache import ResilientRedisCache
from config.observability import JsonFormatter, RequestIdFilter, request_id_var
from portal.models import (
    Benefit,
    ContentRevision,
    InquiryWindow,
    OverviewPoint,
    PageText,
    Place,
    Restriction,
    TrainingOpportunity,
)
from portal.models import Testimonial as TraineeVoice
from tests.applications.helpers import form_data
from tests.conftest import all_public_paths, free_port, make_theme

pytestmark = pytest.mark.django_db

# Pages outside all_public_paths(): the form (never cached) and the privacy notice.
HSTS = "max-age=31536000; includeSubDomains; preload"
UNAVAILABLE_JA = "ただいまご利用いただけません"
UNAVAILABLE_EN = "Temporarily unavailable"
# A database of its own, flushed by these tests; .ci/run points it at a throwaway
# server when none runs on the usual port.
REDIS_LOCATION = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/7")
HYDROGEN = "/bureaus/environment/hydrogen-society/"


def every_page():
    return all_public_paths()


# --- 1. Security headers under production settings. ------------------------------


@pytest.fixture
def production(settings):
    """The HTTPS settings production runs with (the test environment has them off)."""
    assert not settings.SECURE_SSL_REDIRECT
    assert settings.SECURE_HSTS_SECONDS == 0
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response, path):
    assert response["Strict-Transport-Security"] == HSTS, path
    policy = response["Content-Security-Policy"]
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"], path
    assert directives["frame-ancestors"] == ["'none'"], path
    assert "unsafe-inline" not in policy, path
    assert "unsafe-eval" not in policy, path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["X-Frame-Options"] == "DENY", path
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"]), path


def assert_nothing_inline_the_policy_blocks(response, path):
    """style-src 'self' and script-src 'self' refuse inline styles and scripts."""
    html = response.content.decode()
    assert not re.search(r"<style[\s>]", html), path
    assert not re.search(r"\sstyle=", html), path
    assert not re.search(r"\son[a-z]+=", html), path
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes, path


def test_every_public_page_sends_the_security_headers_over_https(client, production):
    paths = every_page()
    assert len(paths) == 2 * (12 + 5 + 8 + 25)
    for path in paths:
        response = client.get(path, secure=True)
        assert response.status_code == 200, path
        assert_security_headers(response, path)
        assert_nothing_inline_the_policy_blocks(response, path)


def test_the_admin_login_page_sends_the_security_headers(client, production):
    response = client.get("/admin/login/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response, "/admin/login/")
    assert response.cookies["csrftoken"]["secure"]


def test_plain_http_is_redirected_permanently_to_https(client, production):
    for path in [*every_page(), "/admin/login/", "/no-such-page/"]:
        response = client.get(path)
        assert response.status_code == 301, path
        assert response["Location"] == f"https://testserver{path}", path
        assert "Strict-Transport-Security" not in response  # Only ever sent over HTTPS.


def test_health_answers_over_plain_http_for_load_balancers(client, production):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    secure = client.get("/health/", secure=True)
    assert secure.status_code == 200
    assert_security_headers(secure, "/health/")


@pytest.mark.parametrize("path", ["/consultation/", "/en/consultation/"])
def test_the_forms_csrf_cookie_is_secure_and_same_site_lax(client, production, path):
    response = client.get(path, secure=True)
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


def test_the_admin_session_cookie_is_secure_http_only_and_same_site_lax(
    client, production, django_user_model
):
    django_user_model.objects.create_superuser("jinji", "jinji@example.com", "pw-not-used-12")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "jinji", "password": "pw-not-used-12", "next": "/admin/"},
        secure=True,
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# --- Caches: a Redis that is down, and the real one. -------------------------------------


@contextlib.contextmanager
def redis_cache(location):
    """Point CACHES at ResilientRedisCache for the block.

    override_settings sends setting_changed, on which Django closes the caches and
    forgets every cache connection; ``django.core.cache.cache`` is a proxy to
    ``caches["default"]``, so the views, /health/ and the submission limit all follow.
    Leaving the block does the same with the test settings.
    """
    config = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "kouryu-test",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    config["pages"] = config["default"]
    with override_settings(CACHES=config):
        assert isinstance(caches["default"], ResilientRedisCache)
        assert cache._cache._servers == [location]
        yield caches["default"]
    assert isinstance(caches["default"], LocMemCache)


@pytest.fixture
def redis_down():
    with redis_cache(f"redis://127.0.0.1:{free_port()}/7") as backend:
        yield backend


def redis_answers():
    import redis

    try:
        return redis.Redis.from_url(REDIS_LOCATION, socket_connect_timeout=0.25).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def real_redis():
    if not redis_answers():
        pytest.skip(f"no Redis answers at {REDIS_LOCATION} (CI runs one)")
    with redis_cache(REDIS_LOCATION) as backend:
        backend.clear()  # FLUSHDB of database 7 only.
        yield backend
        backend.clear()


def test_overriding_caches_swaps_the_backend_and_restores_it():
    cache.set("probe", "locmem")
    with redis_cache(f"redis://127.0.0.1:{free_port()}/7"):
        assert cache.get("probe") is None  # A miss, not an error and not the old value.
        cache.set("probe", "redis")
        assert cache.get("probe") is None
    assert isinstance(cache._connections["default"], LocMemCache)
    assert cache.get("probe") == "locmem"


# --- 2. /health/. ----------------------------------------------------------------------


def queue_a_consultation():
    """A submitted request whose mails are waiting in the outbox (none was delivered)."""
    form = ConsultationForm(form_data())
    assert form.is_valid(), form.errors
    submission = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=form.inquiry_answers(),
        bureaus=form.cleaned_data["bureaus"],
        duties=form.cleaned_data["duties"].select_related("bureau"),
    )
    assert submission.inquiry.notifications.filter(state=NotificationState.PENDING).count() == 3
    return submission.inquiry


def test_health_is_200_when_database_cache_and_outbox_are_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"] == {"ok": True}
    assert report["cache"] == {"ok": True}
    assert report["outbox"] == {"ok": True, "oldest_pending_seconds": 0}
    assert "no-store" in response["Cache-Control"]


def test_health_stays_200_while_fresh_mails_wait_in_the_outbox(client):
    queue_a_consultation()
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["outbox"]["ok"] is True


def test_health_is_503_when_a_pending_mail_is_older_than_the_limit(client, settings):
    inquiry = queue_a_consultation()
    limit = settings.HEALTH_MAX_OUTBOX_AGE_SECONDS
    oldest = inquiry.notifications.first()
    Notification.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - timedelta(seconds=limit + 60)
    )
    response = client.get("/health/")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "unhealthy"
    assert report["outbox"]["ok"] is False
    assert report["outbox"]["oldest_pending_seconds"] >= limit + 60
    assert report["database"]["ok"] is True
    assert report["cache"]["ok"] is True


def test_an_old_mail_that_was_sent_does_not_make_health_fail(client, settings):
    inquiry = queue_a_consultation()
    inquiry.notifications.update(
        state=NotificationState.SENT,
        sent_at=timezone.now(),
        created_at=timezone.now() - timedelta(days=3),
    )
    assert client.get("/health/").status_code == 200


def test_health_is_503_when_the_cache_is_down(client, redis_down):
    response = client.get("/health/")
    assert response.status_code == 503
    report = response.json()
    assert report["cache"] == {"ok": False}
    assert report["database"]["ok"] is True
    assert report["outbox"]["ok"] is True


@pytest.mark.parametrize("check", ["check_database", "check_cache", "check_outbox"])
def test_health_never_answers_500_whatever_a_check_raises(client, monkeypatch, check):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(f"config.health.{check}", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    name = check.removeprefix("check_")
    assert response.json()[name] == {"ok": False, "error": "RuntimeError"}


# --- 3. The cache down (and the real Redis). ---------------------------------------------


def test_with_the_cache_down_every_public_page_still_answers_200(client, redis_down):
    started = time.monotonic()
    for path in every_page():
        response = client.get(path)
        assert response.status_code == 200, path
    assert time.monotonic() - started < 20


def test_a_redis_that_hangs_costs_one_timeout_then_is_skipped_for_a_while(client, hanging_server):
    """Each call to a Redis that never answers waits for the socket timeout (0.25 s);
    after one such failure the cache is left alone for CACHE_RETRY_SECONDS."""
    with redis_cache(f"redis://127.0.0.1:{hanging_server}/7"):
        started = time.monotonic()
        first = client.get(HYDROGEN)
        first_took = time.monotonic() - started
        started = time.monotonic()
        for path in ["/", "/bureaus/", HYDROGEN, "/how-to-apply/", "/consultation/"]:
            assert client.get(path).status_code == 200, path
        others_took = time.monotonic() - started
    assert first.status_code == 200
    assert first_took < 1
    assert others_took < 1  # Five pages; without the pause at least 0.25 s each.


def submit_consultation(client, capture):
    response = client.post("/consultation/", form_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == "/consultation/confirm/"
    token = client.get("/consultation/confirm/").context["token"]
    with capture(execute=True):
        response = client.post("/consultation/confirm/", {"token": token})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == "/consultation/done/"
    return response


def test_with_the_cache_down_a_consultation_can_still_be_submitted(
    client, redis_down, django_capture_on_commit_callbacks
):
    submit_consultation(client, django_capture_on_commit_callbacks)
    assert Inquiry.objects.count() == 1
    done = client.get("/consultation/done/")
    assert done.status_code == 200
    assert Inquiry.objects.get().reference in done.content.decode()


def redis_page_keys():
    import redis

    return redis.Redis.from_url(REDIS_LOCATION).keys("kouryu-test:1:page:*")


def test_pages_are_cached_in_redis_and_an_edit_shows_at_the_next_request(
    client, real_redis, django_assert_max_num_queries
):
    first = client.get(HYDROGEN)
    assert first.status_code == 200
    assert len(redis_page_keys()) == 1
    with django_assert_max_num_queries(1):
        again = client.get(HYDROGEN)
    assert again.content == first.content

    duty = Duty.objects.get(slug="hydrogen-society")
    duty.title_ja = "水素エネルギーの普及に向けた取組（改訂）"
    duty.save()
    edited = client.get(HYDROGEN)
    assert "水素エネルギーの普及に向けた取組（改訂）" in edited.content.decode()
    assert edited["ETag"] != first["ETag"]
    assert len(redis_page_keys()) == 1  # The edited page replaced its old copy.
    # The form is rendered for each visitor, never stored.
    assert client.get("/consultation/").status_code == 200
    assert len(redis_page_keys()) == 1
    assert client.get("/health/").status_code == 200


def test_an_admin_edit_shows_at_once_with_pages_cached_in_redis(
    client, real_redis, django_user_model
):
    assert "水素社会実現" in client.get("/bureaus/").content.decode()
    staff = Client()
    staff.force_login(
        django_user_model.objects.create_superuser("jinji", "jinji@example.com", "pw-not-12345")
    )
    duty = Duty.objects.get(slug="hydrogen-society")
    response = staff.post(
        f"/admin/bureaus/duty/{duty.pk}/change/",
        {
            "bureau": duty.bureau_id,
            "slug": duty.slug,
            "title_ja": "水素エネルギーの普及に向けた取組",
            "title_en": "Work to spread hydrogen energy",
            "description_ja": "",
            "description_en": "",
            "themes": [theme.pk for theme in duty.themes.all()],
            "order": duty.order,
            "is_published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get("/bureaus/").content.decode()
    assert "水素エネルギーの普及に向けた取組" in html
    assert "水素社会実現" not in html


# --- 4. Conditional GET. ----------------------------------------------------------------

CONDITIONAL_PATHS = [
    "/",
    "/en/",
    "/how-to-apply/",
    "/privacy/",
    "/bureaus/",
    "/en/bureaus/?theme=environment",
    "/bureaus/environment/",
    HYDROGEN,
]


@pytest.mark.parametrize("path", CONDITIONAL_PATHS)
def test_a_repeat_visit_with_the_etag_gets_304_for_at_most_one_query(
    client, django_assert_max_num_queries, path
):
    first = client.get(path)
    assert first.status_code == 200
    with django_assert_max_num_queries(1):
        again = client.get(path, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("path", CONDITIONAL_PATHS)
def test_a_repeat_visit_with_if_modified_since_gets_304(client, path):
    first = client.get(path)
    again = client.get(path, headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


def test_public_pages_may_be_cached_publicly_for_a_minute(client, settings):
    for path in CONDITIONAL_PATHS:
        response = client.get(path)
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {"public", f"max-age={settings.PAGE_MAX_AGE_SECONDS}"}, path
        assert re.fullmatch(r'"\d+-(ja|en)-[0-9a-f]{8}"', response["ETag"]), path
        assert response["Last-Modified"], path


def test_after_a_content_change_the_old_etag_gets_the_new_page(client):
    first = client.get(HYDROGEN)
    duty = Duty.objects.get(slug="hydrogen-society")
    duty.title_ja = "水素社会の実現に向けた新しい取組"
    duty.save()
    response = client.get(HYDROGEN, headers={"if-none-match": first["ETag"]})
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert "水素社会の実現に向けた新しい取組" in response.content.decode()


def test_the_etag_of_one_language_does_not_match_the_other(client):
    japanese = client.get("/")
    english = client.get("/en/", headers={"if-none-match": japanese["ETag"]})
    assert english.status_code == 200
    assert english["ETag"] != japanese["ETag"]


def test_a_304_repeats_the_validators_and_caching_headers_of_the_200(client):
    """RFC 9110 15.4.5: a 304 MUST carry the ETag and Cache-Control a 200 would have."""
    first = client.get(HYDROGEN)
    again = client.get(HYDROGEN, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.get("ETag") == first["ETag"]
    assert again.get("Cache-Control") == first["Cache-Control"]


def test_an_edit_within_the_same_second_still_defeats_if_modified_since(client):
    """Last-Modified has one-second resolution: two revisions in one second must not
    share it, or a client holding the first gets 304 for the second."""
    ContentRevision.objects.update(changed_at=timezone.now())
    first = client.get(HYDROGEN)

    duty = Duty.objects.get(slug="hydrogen-society")
    duty.title_ja = "水素社会の実現に向けた改訂版の取組"
    duty.save()  # Well within the same second as the revision the client holds.

    response = client.get(HYDROGEN, headers={"if-modified-since": first["Last-Modified"]})
    assert response.status_code == 200
    assert response["Last-Modified"] != first["Last-Modified"]
    assert "水素社会の実現に向けた改訂版の取組" in response.content.decode()


def test_the_consultation_form_is_never_publicly_cached_nor_served_from_the_page_cache(
    client,
):
    visitors = [Client(), Client()]
    cookies = []
    for visitor in visitors:
        response = visitor.get("/consultation/")
        assert response.status_code == 200
        assert "public" not in response.get("Cache-Control", "")
        assert "ETag" not in response
        assert "Last-Modified" not in response
        token = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()
        ).group(1)
        cookie = response.cookies["csrftoken"].value
        # Each visitor's form carries a token for that visitor's own cookie.
        assert _unmask_cipher_token(token) == cookie
        cookies.append(cookie)
    assert cookies[0] != cookies[1]
    # And a repeat visit renders it again, with the ETag of the page cache ignored.
    etag = client.get("/")["ETag"]  # The validator public pages have now.
    first = client.get("/consultation/")
    again = client.get("/consultation/", headers={"if-none-match": etag})
    assert again.status_code == 200
    assert again.content != first.content  # A freshly masked token each time.


# --- 5. The page cache. ---------------------------------------------------------------


def stored_pages():
    """The public pages the page cache keeps: not those that are per visitor or change
    without a content edit."""
    uncached = ("/statistics/", "/accessibility/", "/shortlist/", "/consultation/")
    return [path for path in all_public_paths() if not any(part in path for part in uncached)]


def test_the_second_request_for_every_page_costs_one_query_and_returns_the_same_bytes(
    client, settings, django_assert_num_queries
):
    settings.REVISION_CACHE_SECONDS = 0  # Every request reads the revision: one query.
    for path in stored_pages():
        first = client.get(path)
        assert first.status_code == 200, path
        with django_assert_num_queries(1):
            again = client.get(path)
        assert again.status_code == 200, path
        assert again.content == first.content, path
        assert again["Content-Type"] == first["Content-Type"], path


def test_while_the_revision_is_cached_a_repeat_request_costs_no_query(
    client, settings, django_assert_num_queries
):
    settings.REVISION_CACHE_SECONDS = 60  # No expiry during the test, however slow.
    first = client.get(HYDROGEN)
    with django_assert_num_queries(0):
        again = client.get(HYDROGEN)
        not_modified = client.get(HYDROGEN, headers={"if-none-match": first["ETag"]})
    assert again.content == first.content
    assert not_modified.status_code == 304


def test_another_process_edit_shows_once_the_cached_revision_expires(client, settings):
    """A per-process cache (no REDIS_URL) cannot hear of another process's edit: the
    revision it holds lives REVISION_CACHE_SECONDS, and no longer."""
    settings.REVISION_CACHE_SECONDS = 1
    assert "水素社会実現" in client.get(HYDROGEN).content.decode()
    # Another process: the rows and the revision change, this process's cache does not.
    Duty.objects.filter(slug="hydrogen-society").update(title_ja="別のプロセスでの編集")
    ContentRevision.bump()
    time.sleep(1.1)
    assert "別のプロセスでの編集" in client.get(HYDROGEN).content.decode()


def edit_bureau():
    bureau = Bureau.objects.get(slug="environment")
    bureau.name_ja = "環境局（新）"
    bureau.save()
    return "/bureaus/environment/", "環境局（新）"


def edit_duty():
    duty = Duty.objects.get(slug="hydrogen-society")
    duty.title_ja = "水素の新しい取組"
    duty.save()
    return HYDROGEN, "水素の新しい取組"


def edit_theme():
    theme = Duty.objects.get(slug="hydrogen-society").themes.first()
    theme.name_ja = "新しいテーマ名"
    theme.save()
    return HYDROGEN, "新しいテーマ名"


def edit_page_text():
    text = PageText.objects.get(place=Place.INTRODUCTION)
    text.body_ja = "新しい導入文です。"
    text.save()
    return "/", "新しい導入文です。"


def edit_restriction():
    restriction = Restriction.objects.published().first()
    restriction.body_ja = "新しい受入れ制限です。"
    restriction.save()
    return "/how-to-apply/", "新しい受入れ制限です。"


def edit_inquiry_window():
    window = InquiryWindow.objects.get()
    window.name_ja = "新しいお問合せ窓口"
    window.save()
    return "/privacy/", "新しいお問合せ窓口"


def edit_overview_point():
    point = OverviewPoint.objects.published().first()
    point.title_ja = "新しい制度の要点"
    point.save()
    return "/", "新しい制度の要点"


def edit_training():
    item = TrainingOpportunity.objects.published().first()
    item.title_ja = "新しい研修機会"
    item.save()
    return "/", "新しい研修機会"


def edit_benefit():
    benefit = Benefit.objects.published().first()
    benefit.title_ja = "新しいメリット"
    benefit.save()
    return "/", "新しいメリット"


def edit_testimonial():
    voice = TraineeVoice.objects.published().first()
    voice.body_ja = "新しい研修員の声です。"
    voice.save()
    return "/", "新しい研修員の声です。"


def delete_duty():
    Duty.objects.get(slug="hydrogen-society").delete()
    return "/bureaus/environment/", None


# Each edit: the page it shows on, read (and cached) before the edit.
EDITS = {
    "bureau": (edit_bureau, "/bureaus/environment/"),
    "duty": (edit_duty, HYDROGEN),
    "theme": (edit_theme, HYDROGEN),
    "page text": (edit_page_text, "/"),
    "restriction": (edit_restriction, "/how-to-apply/"),
    "inquiry window": (edit_inquiry_window, "/privacy/"),
    "overview point": (edit_overview_point, "/"),
    "training opportunity": (edit_training, "/"),
    "benefit": (edit_benefit, "/"),
    "testimonial": (edit_testimonial, "/"),
    "deleted duty": (delete_duty, "/bureaus/environment/"),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_saving_content_bumps_the_revision_and_no_stale_page_is_served(
    client, django_assert_max_num_queries, edit
):
    change, path = edit
    before = client.get(path).content.decode()
    with django_assert_max_num_queries(1):
        assert client.get(path).content.decode() == before  # Served from the cache.
    revision = ContentRevision.current().number

    page, text = change()

    assert page == path
    assert ContentRevision.current().number > revision
    after = client.get(path).content.decode()
    assert after != before
    if text:
        assert text not in before
        assert text in after
    else:
        assert "水素社会実現" in before
        assert "水素社会実現" not in after


def test_changing_a_dutys_themes_bumps_the_revision_and_shows_at_once(client):
    theme = make_theme(name_ja="宇宙開発")
    duty = Duty.objects.get(slug="hydrogen-society")
    assert "宇宙開発" not in client.get(HYDROGEN).content.decode()
    revision = ContentRevision.current().number

    duty.themes.add(theme)
    assert ContentRevision.current().number > revision
    assert "宇宙開発" in client.get(HYDROGEN).content.decode()

    revision = ContentRevision.current().number
    duty.themes.remove(theme)
    assert ContentRevision.current().number > revision
    assert "宇宙開発" not in client.get(HYDROGEN).content.decode()

    revision = ContentRevision.current().number
    duty.themes.clear()
    assert ContentRevision.current().number > revision


def test_a_theme_created_after_a_page_was_cached_is_offered_at_once(client):
    before = client.get("/bureaus/").content.decode()
    theme = Theme.objects.create(slug="space", name_ja="宇宙開発", name_en="Space", order=99)
    Duty.objects.get(slug="hydrogen-society").themes.add(theme)
    after = client.get("/bureaus/").content.decode()
    assert '<option value="space"' not in before
    assert '<option value="space"' in after


def test_the_page_cache_is_off_when_page_cache_seconds_is_0(
    client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(HYDROGEN)
    with django_assert_num_queries(3):  # The duty page's pinned cost, as on every visit.
        assert client.get(HYDROGEN).status_code == 200


def headers_of(response):
    """A response's headers but those that differ per response."""
    return {k: v for k, v in response.items() if k not in ("X-Request-ID", "Date")}


def test_a_stored_page_is_served_with_every_header_the_rendered_one_had(client, production):
    for path in stored_pages():
        rendered = client.get(path, secure=True)
        stored = client.get(path, secure=True)
        assert stored.content == rendered.content, path
        assert headers_of(stored) == headers_of(rendered), path
        assert_security_headers(stored, path)
        assert stored["Content-Language"] == ("en" if path.startswith("/en/") else "ja"), path


def test_a_stored_page_skips_the_middleware_behind_the_page_cache(
    client, settings, monkeypatch, django_assert_num_queries
):
    """Served by PageCacheMiddleware: no session, locale, auth or view code runs."""
    from django.contrib.sessions.middleware import SessionMiddleware

    settings.REVISION_CACHE_SECONDS = 60
    rendered = client.get(HYDROGEN)
    calls = []
    monkeypatch.setattr(
        SessionMiddleware, "process_request", lambda self, request: calls.append(request.path)
    )
    with django_assert_num_queries(0):
        stored = client.get(HYDROGEN)
        not_modified = client.get(HYDROGEN, headers={"if-none-match": rendered["ETag"]})
    assert calls == []
    assert stored.content == rendered.content
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == rendered["ETag"]


@pytest.mark.parametrize(
    ("header", "value", "stored"),
    [
        (None, None, True),
        ("Vary", "Accept-Language", True),
        ("Vary", "Accept-Language, Cookie", False),  # It read the visitor's session.
        ("Set-Cookie", "x=1", False),
    ],
)
def test_a_page_is_stored_only_when_it_is_the_same_for_every_visitor(header, value, stored):
    from portal.caching import PageCacheMiddleware, page_key

    request = RequestFactory().get("/bureaus/")

    def view(request):
        request.page_to_store = (page_key(request, "ja"), 1)
        response = HttpResponse("page")
        if header == "Set-Cookie":
            response.set_cookie("x", "1")
        elif header:
            response[header] = value
        return response

    PageCacheMiddleware(view)(request)
    assert (caches["pages"].get(page_key(request, "ja")) is not None) is stored


@pytest.mark.parametrize("page_cache_seconds", [600, 0])
def test_a_304_states_no_content_length_whether_stored_or_rendered(
    client, settings, page_cache_seconds
):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    etag = client.get(HYDROGEN)["ETag"]
    for _visit in ("rendered or stored", "stored"):
        response = client.get(HYDROGEN, headers={"if-none-match": etag})
        assert response.status_code == 304
        assert "Content-Length" not in response  # RFC 9110, 8.6: "0" would be false.


@pytest.mark.parametrize("visit", ["first", "stored"])
def test_a_failed_if_match_gets_a_412_that_no_cache_may_keep(client, visit):
    if visit == "stored":
        client.get(HYDROGEN)
    for precondition in (
        {"if-match": '"nope"'},
        {"if-unmodified-since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    ):
        response = client.get(HYDROGEN, headers=precondition)
        assert response.status_code == 412
        assert "public" not in response.get("Cache-Control", "")
        assert "ETag" not in response


def test_a_new_release_serves_no_page_or_etag_of_the_previous_one(client, settings):
    settings.RELEASE_ID = "release-1"
    first = client.get(HYDROGEN)
    assert client.get(HYDROGEN, headers={"if-none-match": first["ETag"]}).status_code == 304
    settings.RELEASE_ID = "release-2"
    settings.PAGE_MAX_AGE_SECONDS = 30  # A header a stored page carries.
    after = client.get(HYDROGEN, headers={"if-none-match": first["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert after["Cache-Control"] == "public, max-age=30"


def test_release_ids_follow_the_sources_unless_one_is_given(settings):
    from config.release import release_id, source_digest

    settings.RELEASE_ID = ""
    from_sources = release_id()
    assert len(source_digest()) == 64
    settings.RELEASE_ID = "4b8eb2b"
    assert release_id() != from_sources
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"
    assert release_id() not in (from_sources, "4b8eb2b")


def test_a_flood_of_distinct_urls_evicts_stored_pages_never_other_cached_data(client, settings):
    pages = {**settings.CACHES["pages"], "OPTIONS": {"MAX_ENTRIES": 20}}
    with override_settings(CACHES={**settings.CACHES, "pages": pages}):
        cache.set("submission-limit-probe", 3, 3600)
        for number in range(40):  # Twice what the pages cache holds here.
            assert client.get(f"/bureaus/?bureau=no-such-{number}").status_code == 200
        assert len(caches["pages"]._cache) <= 20
        assert cache.get("submission-limit-probe") == 3


def test_the_language_of_a_stored_page_comes_from_its_url_not_the_visitor(client):
    client.get("/bureaus/", headers={"accept-language": "ja"})
    client.get("/en/bureaus/", headers={"accept-language": "ja"})
    english_browser = client.get("/bureaus/", headers={"accept-language": "en"})
    assert english_browser["Content-Language"] == "ja"
    assert "業務内容例" in english_browser.content.decode()
    japanese_browser = client.get("/en/bureaus/", headers={"accept-language": "ja"})
    assert japanese_browser["Content-Language"] == "en"
    assert "Example duties" in japanese_browser.content.decode()


def test_a_page_with_a_query_the_view_does_not_know_is_never_stored(
    client, settings, django_assert_num_queries
):
    settings.REVISION_CACHE_SECONDS = 60
    for _visit in range(2):
        with django_assert_num_queries(4):  # The catalogue's pinned cost: rendered each time.
            client.get("/bureaus/?utm_source=mail")
    client.get("/bureaus/?theme=environment")
    with django_assert_num_queries(0):  # Stored.
        client.get("/bureaus/?theme=environment")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stored_page_with_the_database_down_gets_the_friendly_503_in_one_attempt(
    client, tmp_path
):
    """The revision must be checked before a stored page goes out; when that read
    fails, the answer is the 503 at once, not a second try through the view."""
    assert client.get(HYDROGEN).status_code == 200  # Stored.
    cache.delete("content-revision")
    with database_down(tmp_path):
        started = time.monotonic()
        response = client.get(HYDROGEN)
        elapsed = time.monotonic() - started
    assert_friendly_503(response, HYDROGEN)
    assert elapsed < 3
    assert client.get(HYDROGEN).status_code == 200


# --- 6. The database down. -------------------------------------------------------------


@contextlib.contextmanager
def database_down(tmp_path):
    """Make the default database unreachable for the block, then bring it back.

    SQLite: the test database lives in memory and dies when its connection closes,
    so the connection is set aside (not closed) and NAME points under a directory
    that does not exist. PostgreSQL: the connection is closed and PORT points at a
    port nothing listens on. Either way the next query must open a connection, and
    fails with OperationalError.
    """
    saved = dict(connection.settings_dict)
    kept = None
    if connection.vendor == "sqlite":
        kept = connection.connection
        connection.connection = None
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    else:
        connection.close()
        connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            if connection.connection not in (None, kept):
                connection.connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            connection.connection = kept
        else:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            connection.close()


def assert_friendly_503(response, path):
    assert response.status_code == 503, path
    html = response.content.decode()
    assert UNAVAILABLE_JA in html, path
    assert UNAVAILABLE_EN in html, path
    assert response["Retry-After"] == "30", path
    assert response["Cache-Control"] == "no-store", path
    assert "ETag" not in response, path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_database_down_pages_get_a_friendly_503_quickly_and_service_resumes(
    client, tmp_path
):
    paths = every_page()
    assert client.get("/").status_code == 200
    cache.clear()  # Nothing served from the page cache: every page needs the database.
    with database_down(tmp_path):
        for path in paths:
            started = time.monotonic()
            response = client.get(path)
            assert time.monotonic() - started < 3, path
            assert_friendly_503(response, path)
        health = client.get("/health/")
        assert health.status_code == 503
        report = health.json()
        assert report["database"] == {"ok": False, "error": "OperationalError"}
        assert report["status"] == "unhealthy"
    # The database is back: no restart, the next request is served.
    assert client.get("/").status_code == 200
    assert client.get(HYDROGEN).status_code == 200
    assert client.get("/health/").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_503_page_carries_the_security_headers(client, production, tmp_path):
    with database_down(tmp_path):
        response = client.get("/", secure=True)
    assert_friendly_503(response, "/")
    assert_security_headers(response, "/")


@pytest.fixture
def hanging_server():
    """A TCP port that accepts connections and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_server_that_hangs_costs_a_page_under_3_seconds(client, hanging_server):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server that could hang")
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = str(hanging_server)
    try:
        started = time.monotonic()
        response = client.get("/")
        elapsed = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert_friendly_503(response, "/")
    assert elapsed < 3
    assert client.get("/").status_code == 200


def wsgi_get(handler, path):
    """A request the way a WSGI server makes it: request_started and request_finished
    fire with Django's connection housekeeping (the test client skips it)."""
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    statuses = []
    response = handler(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()
    return int(statuses[0].split()[0])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_the_database_dropped_is_replaced_at_the_next_request():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite connections are never dropped by a server")
    import psycopg2

    handler = WSGIHandler()
    assert wsgi_get(handler, "/") == 200
    pid = connection.connection.get_backend_pid()
    params = connection.settings_dict
    with contextlib.closing(
        psycopg2.connect(
            dbname=params["NAME"],
            user=params["USER"],
            password=params["PASSWORD"],
            host=params["HOST"],
            port=params["PORT"],
        )
    ) as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    cache.clear()  # The page and the revision must come from the database.
    # The health check (CONN_HEALTH_CHECKS) finds the dead connection and replaces it.
    assert wsgi_get(handler, "/") == 200
    assert connection.connection.get_backend_pid() != pid
    assert wsgi_get(handler, "/health/") == 200


# --- 7. Request ids and logs. -------------------------------------------------------------


@contextlib.contextmanager
def log_lines():
    """The lines the configured console handler (JSON, with request ids) writes."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    lines = []
    try:
        yield lines
    finally:
        handler.setStream(previous)
        lines.extend(stream.getvalue().splitlines())


def parse(lines):
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        assert {"time", "level", "logger", "request_id", "message"} <= entry.keys()
    return entries


def record(message, *args, exc_info=None):
    return logging.LogRecord("kouryu.test", logging.WARNING, __file__, 1, message, args, exc_info)


def test_the_json_formatter_writes_one_object_per_line_with_the_request_id():
    formatter, request_filter = JsonFormatter(), RequestIdFilter()
    token = request_id_var.set("abc12345-request")
    try:
        entry = record("two\nlines and %s", "an argument")
        assert request_filter.filter(entry)
    finally:
        request_id_var.reset(token)
    line = formatter.format(entry)
    assert "\n" not in line
    parsed = json.loads(line)
    assert set(parsed) == {"time", "level", "logger", "request_id", "message"}
    assert parsed["level"] == "WARNING"
    assert parsed["logger"] == "kouryu.test"
    assert parsed["request_id"] == "abc12345-request"
    assert parsed["message"] == "two\nlines and an argument"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", parsed["time"])


def test_an_exception_is_logged_by_type_on_one_line_without_its_traceback():
    try:
        raise ValueError("hanako.yamada@energy.example")
    except ValueError:
        entry = record("failed", exc_info=sys.exc_info())
    RequestIdFilter().filter(entry)  # Outside any request.
    line = JsonFormatter().format(entry)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["exception"] == "ValueError"
    assert parsed["request_id"] == "-"
    assert parsed["message"] == "failed"
    assert "hanako" not in line
    assert "Traceback" not in line


def test_the_request_id_is_in_the_response_and_in_the_404_log_line(client):
    with log_lines() as lines:
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [warning] = [e for e in parse(lines) if e["logger"] == "django.request"]
    assert warning["message"] == "Not Found: /no-such-page/"
    assert warning["level"] == "WARNING"
    assert warning["status"] == 404
    assert warning["request_id"] == request_id


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/").get("X-Request-ID") for _ in range(3)}
    assert len(ids) == 3


def test_log_lines_during_a_cache_outage_carry_the_request_id(client, redis_down):
    with log_lines() as lines:
        response = client.get(HYDROGEN)
    assert response.status_code == 200
    warnings = [e for e in parse(lines) if e["logger"] == "config.cache"]
    # One line: after the first failed call the cache is left alone for a while.
    assert [e["message"] for e in warnings] == ["cache unavailable during get: ConnectionError"]
    assert {e["request_id"] for e in warnings} == {response["X-Request-ID"]}


@pytest.mark.parametrize(("retry_seconds", "tries"), [(60, 1), (0, 3)])
def test_after_a_failed_call_redis_is_tried_again_only_after_the_pause(
    settings, retry_seconds, tries
):
    settings.CACHE_RETRY_SECONDS = retry_seconds
    with redis_cache(f"redis://127.0.0.1:{free_port()}/7") as backend, log_lines() as lines:
        assert backend.get("a") is None
        assert backend.add("b", 1) is False
        with pytest.raises(ValueError):  # As for a missing counter.
            backend.incr("c")
    warnings = [e for e in parse(lines) if e["logger"] == "config.cache"]
    assert len(warnings) == tries


@pytest.mark.parametrize(
    "incoming", ["abcdef12", "0123456789abcdef0123456789abcdef", "lb-1.req_42", "x" * 64]
)
def test_a_valid_incoming_request_id_is_reused(client, redis_down, incoming):
    with log_lines() as lines:
        response = client.get(HYDROGEN, headers={"x-request-id": incoming})
    assert response.status_code == 200
    assert response["X-Request-ID"] == incoming
    # The cache warnings of the outage are logged during the request.
    assert {e["request_id"] for e in parse(lines) if e["logger"] == "config.cache"} == {incoming}


INVALID_IDS = {
    "too long": "x" * 65,
    "too short": "abc",
    "with spaces": "abc def ghi jkl",
    "with a newline inside": "abcdefgh\nX-Injected: yes",
    "with a trailing newline": "abcdefgh12345\n",
    "with a carriage return": "abcdefgh12345\r",
    "not ascii": "リクエスト番号一二三四五",
    "with a quote": 'abcdefgh"}',
    "empty": "",
}


@pytest.mark.parametrize("incoming", INVALID_IDS.values(), ids=INVALID_IDS.keys())
def test_an_invalid_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/", headers={"x-request-id": incoming})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def use_closed_mail_server(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }


def test_a_submission_with_the_mail_server_down_logs_no_personal_data(
    client, settings, django_capture_on_commit_callbacks
):
    use_closed_mail_server(settings)
    data = form_data()
    with log_lines() as lines:
        submit_consultation(client, django_capture_on_commit_callbacks)
    inquiry = Inquiry.objects.get()
    assert set(inquiry.notifications.values_list("state", flat=True)) == {NotificationState.PENDING}
    entries = parse(lines)
    warnings = [e for e in entries if e["level"] == "WARNING"]
    assert len(warnings) >= 3
    assert all(inquiry.reference in e["message"] for e in warnings if "not sent" in e["message"])
    personal = [
        data["email"],
        "hanako",
        data["contact_name"],
        "山田",
        data["contact_name_kana"],
        data["company_name"],
        data["phone"],
        "03-1234-5678",
        "1234-5678",
        data["main_business"],
        data["message"],
    ]
    for line in lines:
        for value in personal:
            assert value not in line, (value, line)


def test_the_consultation_form_under_the_cache_down_logs_no_personal_data_either(
    client, redis_down, django_capture_on_commit_callbacks
):
    data = form_data()
    with log_lines() as lines:
        submit_consultation(client, django_capture_on_commit_callbacks)
    assert lines
    for line in lines:
        for value in (data["email"], data["contact_name"], data["company_name"]):
            assert value not in line


def test_a_burst_of_concurrent_log_lines_stays_one_object_per_line():
    logger = logging.getLogger("kouryu.burst")

    def emit(n):
        token = request_id_var.set(f"thread-{n:04d}")
        try:
            for i in range(50):
                logger.warning("line %s\nof thread %s", i, n)
        finally:
            request_id_var.reset(token)

    with log_lines() as lines:
        threads = [threading.Thread(target=emit, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    entries = parse(lines)
    assert len(entries) == 200
    for entry in entries:
        n = int(entry["message"].rsplit(" ", 1)[1])
        assert entry["request_id"] == f"thread-{n:04d}"
