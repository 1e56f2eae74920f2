"""The pre-consultation form and the public statistics in the sitemap."""

from core.sitemaps import NamedPagesSitemap


class ConsultationSitemap(NamedPagesSitemap):
    pages = ("applications:form", "applications:statistics")
    unrevisioned = frozenset({"applications:statistics"})


SITEMAPS = {"consultation": ConsultationSitemap}
