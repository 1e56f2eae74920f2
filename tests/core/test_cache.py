"""The cache: Redis down or hanging costs a miss, never a 500; pages stored in a real Redis."""

import time

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from applications.models import Inquiry
from bureaus.models import Duty
from tests.conftest import all_public_paths, free_port
from tests.core.support import HYDROGEN, REDIS_LOCATION, redis_cache, submit_consultation
from tests.factories import approve_open_draft

pytestmark = pytest.mark.django_db


def test_overriding_caches_swaps_the_backend_and_restores_it():
    cache.set("probe", "locmem")
    with redis_cache(f"redis://127.0.0.1:{free_port()}/7"):
        assert cache.get("probe") is None  # A miss, not an error and not the old value.
        cache.set("probe", "redis")
        assert cache.get("probe") is None
    assert isinstance(cache._connections["default"], LocMemCache)
    assert cache.get("probe") == "locmem"


def test_with_the_cache_down_every_public_page_still_answers_200(client, redis_down):
    started = time.monotonic()
    for path in all_public_paths():
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


def test_an_approved_admin_edit_shows_at_once_with_pages_cached_in_redis(
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
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    approve_open_draft(duty)
    html = client.get("/bureaus/").content.decode()
    assert "水素エネルギーの普及に向けた取組" in html
    assert "水素社会実現" not in html
