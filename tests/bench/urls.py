"""The benchmark's URLconf: the site, plus minimal views serving fixed bytes (case B)."""

import os
from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

from config import urls as site_urls

# The pages' bytes as tests/bench/serving.py saved them, read once at start-up.
REFERENCE_PAGES = {
    file.stem: file.read_bytes() for file in Path(os.environ["BENCH_REFERENCE_DIR"]).glob("*.html")
}


def reference_bytes(request, page):
    """A page's bytes, through the full middleware stack and no template."""
    if page not in REFERENCE_PAGES:
        raise Http404
    return HttpResponse(REFERENCE_PAGES[page], content_type="text/html; charset=utf-8")


# i18n_patterns cannot be include()d: extend the site's own list instead.
urlpatterns = [path("bench/reference/<slug:page>/", reference_bytes), *site_urls.urlpatterns]
