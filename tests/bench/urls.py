"""The benchmark's URLconf: the site, plus a minimal view serving fixed bytes (case B)."""

import os

from django.http import HttpResponse
from django.urls import path

from config import urls as site_urls

REFERENCE_BYTES = open(os.environ["BENCH_REFERENCE_FILE"], "rb").read()


def reference_bytes(request):
    """The home page's bytes, through the full middleware stack and no template."""
    return HttpResponse(REFERENCE_BYTES, content_type="text/html; charset=utf-8")


# i18n_patterns cannot be include()d: extend the site's own list instead.
urlpatterns = [path("bench/reference/", reference_bytes), *site_urls.urlpatterns]
