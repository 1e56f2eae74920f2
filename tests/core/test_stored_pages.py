"""Stored pages: served before the middleware, never stale, never another release's or visitor's."""

import time
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from bureaus.models import Bureau, Duty, Theme
from core.models import ContentRevision, InquiryWindow
from portal.models import Benefit, OverviewPoint, PageText, Place, Restriction, TrainingOpportunity
from portal.models import Testimonial as TraineeVoice
from tests.conftest import all_public_paths, make_theme
from tests.core.support import HYDROGEN, assert_friendly_503, assert_security_headers, database_down

pytestmark = pytest.mark.django_db


def stored_pages():
    """The public pages the page cache keeps: not those that are per visitor or change
    without a content edit, nor keyword searches (whatever visitors type)."""
    uncached = ("/statistics/", "/accessibility/", "/shortlist/", "/consultation/", "?q=")
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
    restriction = Restriction.objects.live().first()
    restriction.body_ja = "新しい受入れ制限です。"
    restriction.save()
    return "/how-to-apply/", "新しい受入れ制限です。"


def edit_inquiry_window():
    window = InquiryWindow.objects.get()
    window.name_ja = "新しいお問合せ窓口"
    window.save()
    return "/privacy/", "新しいお問合せ窓口"


def edit_overview_point():
    point = OverviewPoint.objects.live().first()
    point.title_ja = "新しい制度の要点"
    point.save()
    return "/", "新しい制度の要点"


def edit_training():
    item = TrainingOpportunity.objects.live().first()
    item.title_ja = "新しい研修機会"
    item.save()
    return "/", "新しい研修機会"


def edit_benefit():
    benefit = Benefit.objects.live().first()
    benefit.title_ja = "新しいメリット"
    benefit.save()
    return "/", "新しいメリット"


def edit_testimonial():
    voice = TraineeVoice.objects.live().first()
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
    theme = Theme.objects.create(
        slug="space", name_ja="宇宙開発", name_en="Space", order=99, publication_state="approved"
    )
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
    from core.pages import PageCacheMiddleware, page_key

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


def test_the_release_digest_reads_every_app_of_the_project():
    from django.conf import settings

    from core.release import source_folders

    root = Path(settings.BASE_DIR)
    folders = {folder.relative_to(root).as_posix() for folder in source_folders(root)}
    packages = {folder.name for folder in root.iterdir() if (folder / "__init__.py").is_file()}
    assert folders == (packages - {"tests"}) | {"templates", "locale"}


def test_release_ids_follow_the_sources_unless_one_is_given(settings):
    from core.release import release_id, source_digest

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
