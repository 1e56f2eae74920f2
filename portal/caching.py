"""Conditional GET and a page cache for public pages, both keyed on the content revision."""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Subquery
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language

from portal.models import ContentRevision, InquiryWindow

REVISION_KEY = "content-revision"


def current_revision(request):
    """(number, changed_at) of the content, from the cache when it holds them.

    The cache entry is rewritten by every bump, and lives only
    REVISION_CACHE_SECONDS: with a cache shared by all app servers (Redis) an
    edit shows at once; with a per-process cache, other processes see it within
    that time.
    """
    cached = cache.get(REVISION_KEY)
    if cached is not None:
        return cached
    revision = revision_and_window(request)
    cache.set(REVISION_KEY, revision, settings.REVISION_CACHE_SECONDS)
    return revision


def revision_and_window(request):
    """The content revision, read in one query with the footer's inquiry window.

    The window is kept on the request for the site context processor, so a page
    costs no extra query for either.
    """
    latest = ContentRevision.objects.order_by()
    window = (
        InquiryWindow.objects.annotate(
            revision_number=Subquery(latest.values("number")[:1]),
            revision_changed_at=Subquery(latest.values("changed_at")[:1]),
        )
        .order_by("pk")
        .first()
    )
    request.inquiry_window = window
    if window is None or window.revision_number is None:
        revision = ContentRevision.current()
        return revision.number, revision.changed_at
    return window.revision_number, window.revision_changed_at


def bump_content_revision(sender, **kwargs):
    """Signal receiver: any change to published content makes a new revision."""
    if kwargs.get("raw"):  # Fixture loading.
        return
    ContentRevision.bump()
    cache.delete(REVISION_KEY)
    # Again once the edit is visible to others: a page read between the two
    # could have cached the old number.
    transaction.on_commit(lambda: cache.delete(REVISION_KEY))


def public_page(view=None, *, cache_params=()):
    """Serve a public page from the cache, or 304, while the content is unchanged.

    The revision comes from the cache, or from one query that also reads the
    footer's inquiry window. A repeat visit with a matching ETag or
    If-Modified-Since gets 304; otherwise a rendered copy for this revision,
    language and URL (with scheme and host) is served from the cache, or rendered
    and stored.

    Only the query parameters named in ``cache_params`` enter the cache key; a
    request with any other parameter is rendered and not stored, so random query
    strings cannot fill the cache.
    """
    if view is None:
        return lambda view: public_page(view, cache_params=cache_params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        number, changed_at = current_revision(request)
        language = get_language()
        etag = f'"{number}-{language}"'
        last_modified = int(changed_at.timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return with_validators(not_modified, etag, last_modified)

        cacheable = settings.PAGE_CACHE_SECONDS and set(request.GET) <= set(cache_params)
        query = sorted((name, request.GET.getlist(name)) for name in request.GET)
        # The whole URL: pages name their own absolute URL (canonical, hreflang), so a
        # copy made for one allowed host or scheme must not be served for another.
        url = request.build_absolute_uri(request.path)
        digest = hashlib.sha256(f"{url}?{query}".encode()).hexdigest()[:32]
        key = f"page:{number}:{language}:{digest}"
        stored = cache.get(key) if cacheable else None
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            if cacheable and response.status_code == 200 and not response.cookies:
                cache.set(
                    key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS
                )
        if response.status_code == 200:
            with_validators(response, etag, last_modified)
        return response

    return wrapper


def with_validators(response, etag, last_modified):
    """The headers a 200 carries and its 304 must repeat (RFC 9110, 15.4.5)."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=settings.PAGE_MAX_AGE_SECONDS)
    return response
