"""Root URLs: public pages in Japanese (unprefixed) and English (/en/), admin apart."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.health import health

admin.site.site_header = "東京都 交流受入ポータル 管理"
admin.site.site_title = "交流受入ポータル 管理"
admin.site.index_title = "掲載内容の管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
urlpatterns += i18n_patterns(
    path("", include("portal.urls")),
    path("bureaus/", include("bureaus.urls")),
    path("consultation/", include("applications.urls")),
    prefix_default_language=False,
)
