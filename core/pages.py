"""Public pages: conditional GET from the content revision, and rendered pages stored
and served before most of the middleware stack."""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date
from django.utils.translation import get_language, get_language_from_path

from core.database import database_unavailable_response, means_unavailable
from core.release import release_id
from core.revision import current_revision


def public_page(view=None, *, cache_params=()):
    """Mark a view as a public page: 304 while the content is unchanged, and stored.

    The revision comes from the cache, or from one query that also reads the
    footer's inquiry window. A repeat visit with a matching ETag or
    If-Modified-Since gets 304; otherwise the view renders, and PageCacheMiddleware
    stores the finished response, to serve it to later visitors of the same URL
    before the rest of the middleware stack runs.

    Only the query parameters named in ``cache_params`` enter the cache key, each
    at most once; a request with any other parameter is rendered and not stored.
    The view itself sets ``request.store_page = False`` when a value names nothing
    it knows, so the stored pages are bounded by the content, not by what visitors
    type.
    """
    if view is None:
        return lambda view: public_page(view, cache_params=cache_params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        # Kept on the request: the footer shows when the content last changed.
        request.content_revision = getattr(request, "content_revision", None) or current_revision(
            request
        )
        number, changed_at = request.content_revision
        language = get_language()
        etag = f'"{number}-{language}-{release_id()}"'
        last_modified = int(changed_at.timestamp())
        conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if conditional is not None:
            # A 304 repeats the validators; a 412 (a failed If-Match) is not cacheable.
            if conditional.status_code == 304:
                with_validators(conditional, etag, last_modified)
            return conditional
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if response.status_code == 200:
            with_validators(response, etag, last_modified)
            if settings.PAGE_CACHE_SECONDS and is_storable(request, cache_params):
                # For PageCacheMiddleware, which stores what the inner middleware
                # make of the response: the language it was rendered in is part
                # of the key, and the revision goes with it.
                request.page_to_store = (page_key(request, language), number)
        return response

    return wrapper


def is_storable(request, cache_params):
    """Whether the page at this URL may be stored: only known parameters, each once,
    with values the view recognised."""
    return (
        getattr(request, "store_page", True)
        and set(request.GET) <= set(cache_params)
        and all(len(request.GET.getlist(name)) == 1 for name in request.GET)
    )


def page_key(request, language):
    """The cache key of the page at this URL (scheme, host, path, query) in this language.

    The whole URL: pages name their own absolute URL (canonical, hreflang), so a copy
    made for one allowed host or scheme must not be served for another. The revision
    is stored with the page rather than in the key, so that a request can look for a
    stored page without reading the revision first, and an edited page replaces its
    old copy.
    """
    query = sorted((name, request.GET.getlist(name)) for name in request.GET)
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return f"page:{release_id()}:{language}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"


class PageCacheMiddleware:
    """Serve a stored public page, or its 304, before the rest of the stack runs.

    Placed after SecurityMiddleware and the CSP middleware, which add their headers
    to every response, stored or not, and before sessions, locale, auth and
    messages, which a stored page does not need: the page is the same for every
    visitor, and its language is in its URL. What the inner middleware added to the
    response (Content-Language, Vary, X-Frame-Options) is stored with it.

    A request for a URL with no stored page costs one cache read and nothing else:
    the revision is read only to check a stored page, and only such a request can
    meet a database that is down here (it gets the friendly 503 at once).
    """

    # Per response, not per page (a page with cookies is not stored at all).
    NOT_STORED = {"set-cookie", "x-request-id", "date"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        storable = request.method in ("GET", "HEAD") and settings.PAGE_CACHE_SECONDS
        if storable:
            stored = self.stored_response(request)
            if stored is not None:
                return stored
        response = self.get_response(request)
        if response.status_code == 304:
            # CommonMiddleware gives every response a Content-Length, "0" here; a 304
            # may only state the length of the 200 (RFC 9110, 8.6).
            del response["Content-Length"]
        if storable:
            self.store(request, response)
        return response

    def stored_response(self, request):
        """The stored page for this URL, if its revision is still current."""
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        stored = caches["pages"].get(page_key(request, language))
        if stored is None:
            return None
        number, content, headers = stored
        try:
            request.content_revision = current_revision(request)
        except DatabaseError as error:
            if not means_unavailable(error):
                raise
            return database_unavailable_response()
        if request.content_revision[0] != number:
            return None
        return stored_page(request, content, headers)

    def store(self, request, response):
        """Keep a public page the view marked, when it is the same for every visitor."""
        to_store = getattr(request, "page_to_store", None)
        if (
            to_store
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            # A page that read the visitor's session is theirs alone.
            and "cookie" not in response.get("Vary", "").lower()
        ):
            key, number = to_store
            headers = [(k, v) for k, v in response.items() if k.lower() not in self.NOT_STORED]
            caches["pages"].set(
                key, (number, response.content, headers), settings.PAGE_CACHE_SECONDS
            )


def stored_page(request, content, headers):
    """A stored page as a 200, or as a 304 when the visitor's copy is still current."""
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    conditional = get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=parse_http_date(response["Last-Modified"]),
        response=response,
    )
    if conditional is None:
        return response
    if conditional.status_code == 304:
        # The headers the view's own 304 would carry (CORS on the open-data files,
        # say), but not those describing a body it has not got.
        for name, value in headers:
            if not name.lower().startswith("content-"):
                conditional[name] = value
    return conditional


def with_validators(response, etag, last_modified):
    """The headers a 200 carries and its 304 must repeat (RFC 9110, 15.4.5)."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=settings.PAGE_MAX_AGE_SECONDS)
    return response


def briefly_cached(response):
    """Cache-Control for public pages that do not follow the content revision (so are
    not stored here): browsers and a CDN keep them as long as other pages."""
    patch_cache_control(response, public=True, max_age=settings.PAGE_MAX_AGE_SECONDS)
    return response
