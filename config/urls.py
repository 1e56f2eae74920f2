"""Root URLs: public pages in Japanese (unprefixed) and English (/en/), admin apart."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from applications.sitemaps import SITEMAPS as CONSULTATION_SITEMAPS
from bureaus import opendata_urls
from bureaus.sitemaps import SITEMAPS as CATALOGUE_SITEMAPS
from core.health import health
from portal.sitemaps import SITEMAPS as PROGRAMME_SITEMAPS

# Each app names its own pages; the sitemap lists them in this order.
SITEMAPS = {**PROGRAMME_SITEMAPS, **CATALOGUE_SITEMAPS, **CONSULTATION_SITEMAPS}

admin.site.site_header = "東京都 交流受入ポータル 管理"
admin.site.site_title = "交流受入ポータル 管理"
admin.site.index_title = "掲載内容の管理"

# An unreachable database raised in a middleware gets the friendly 503, not the 500.
handler500 = "core.database.server_error"

urlpatterns = [
    # Before admin's own URLs, which would answer 404 for anything they do not know.
    path("admin/otp/", include("staffauth.urls")),
    path("admin/", admin.site.urls),
    # For monitoring; the balancer's probes /health/live/ and /health/ready/ are
    # answered by core.health.ProbeMiddleware.
    path("health/", health, name="health"),
    # For search engines, once for both languages: each entry names the page in each.
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    # Open-data files hold both languages, so they live at one unprefixed address.
    path("opendata/", include(opendata_urls.files)),
]
urlpatterns += i18n_patterns(
    path("", include("portal.urls")),
    path("bureaus/", include("bureaus.urls")),
    path("shortlist/", include("portal.shortlist_urls")),
    path("", include("applications.urls")),
    path("", include("bureaus.opendata_urls")),
    prefix_default_language=False,
)
