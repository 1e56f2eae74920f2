"""Conditional GET: ETag and Last-Modified from the content revision, 304s, validators."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.utils import timezone

from bureaus.models import Duty
from core.models import ContentRevision
from tests.core.support import HYDROGEN

pytestmark = pytest.mark.django_db


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
