"""Context every page shares: the central inquiry window and the language links."""

from django.conf import settings
from django.urls import translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from portal.models import InquiryWindow


def language_links(request):
    """For each language, the URL of the current page in it (the switcher keeps the page)."""
    current = get_language()
    path = request.get_full_path()
    return [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
            "is_current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


def window_for(request):
    if hasattr(request, "inquiry_window"):
        return request.inquiry_window
    return InquiryWindow.objects.first()


def site(request):
    return {
        # Lazy: a page that never shows the footer (the 500 page) runs no query;
        # public pages read the window with the content revision (portal.caching).
        "inquiry_window": SimpleLazyObject(lambda: window_for(request)),
        "language_links": SimpleLazyObject(lambda: language_links(request)),
    }
