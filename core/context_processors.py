"""Context every page shares: the inquiry window, the date the content last changed, the
language links, the search engine meta."""

from django.conf import settings
from django.urls import translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from core.content import active_language
from core.revision import revision_and_window

# og:locale wants a territory as well as a language.
OPEN_GRAPH_LOCALES = {"ja": "ja_JP", "en": "en_US"}


def local_path(path):
    """``path`` with its leading slashes (and backslashes, which browsers read as
    slashes) made one: "//evil.example/" would be a link to another host."""
    return "/" + path.lstrip("/\\")


def language_links(request):
    """For each language, the URL of the current page in it (the switcher keeps the page)."""
    current = get_language()
    path = local_path(request.get_full_path())
    return [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
            "is_current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


def search_engine_meta(request):
    """What the <head> tells search engines and link previews about the current page.

    Its canonical URL is the absolute URL without the query string: a filtered
    catalogue points to the whole catalogue, and tracking parameters never make
    a second copy of a page. The hreflang alternates name the same page in each
    language, and x-default the default (unprefixed) one. Everything depends on
    the URL alone, as the page cache (core.pages) requires.
    """
    path = local_path(request.path)
    alternates = [
        {"hreflang": code, "url": request.build_absolute_uri(translate_url(path, code))}
        for code, _name in settings.LANGUAGES
    ]
    default = next(link for link in alternates if link["hreflang"] == settings.LANGUAGE_CODE)
    current = active_language()
    return {
        "canonical_url": request.build_absolute_uri(path),
        "alternates": [*alternates, {"hreflang": "x-default", "url": default["url"]}],
        "locale": OPEN_GRAPH_LOCALES[current],
        "alternate_locales": [
            locale for code, locale in OPEN_GRAPH_LOCALES.items() if code != current
        ],
    }


def window_for(request):
    """The footer's inquiry window, read in one query with the content revision."""
    if not hasattr(request, "inquiry_window"):
        revision = revision_and_window(request)
        if getattr(request, "content_revision", None) is None:
            request.content_revision = revision
    return request.inquiry_window


def content_changed_at(request):
    """When the published content last changed: the revision a public page was made from,
    or else the one read with the footer's window, so the date costs no query of its own."""
    if getattr(request, "content_revision", None) is None:
        window_for(request)
    return request.content_revision[1]


def site(request):
    return {
        # Lazy: a page that never shows the footer (the 500 page) runs no query;
        # public pages read the window with the content revision (core.revision).
        "inquiry_window": SimpleLazyObject(lambda: window_for(request)),
        "content_changed_at": SimpleLazyObject(lambda: content_changed_at(request)),
        "language_links": SimpleLazyObject(lambda: language_links(request)),
        "search_engine_meta": SimpleLazyObject(lambda: search_engine_meta(request)),
    }
