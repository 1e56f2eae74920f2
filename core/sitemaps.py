"""What every app's sitemap shares: each page in Japanese and English, with its hreflang
alternates. config/urls.py puts the apps' sitemaps together in /sitemap.xml."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.functional import cached_property

from core.revision import current_revision


class BilingualSitemap(Sitemap):
    """Each item once per language, each entry naming the page in every language."""

    i18n = True
    alternates = True
    x_default = True

    @cached_property
    def revision_changed_at(self):
        # Read through the revision's cache: the five sitemaps share one read.
        return current_revision()[1]

    def lastmod(self, item):
        """When the content last changed: the pages' own Last-Modified (core.pages).

        Any edit moves it for every page (a page shows its bureau, themes and the
        footer too), so it is never older than a page's real change: a crawler may
        revisit an unchanged page, but never skips a changed one.
        """
        return self.revision_changed_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        # Django makes x-default by deleting the first "/<default language>/" from the
        # default language's URL. Japanese pages have no prefix, so that could only cut
        # a slug named "ja" out of the path: take the Japanese URL as it is.
        for url in urls:
            by_language = {alternate["lang_code"]: alternate for alternate in url["alternates"]}
            if "x-default" in by_language:
                by_language["x-default"]["location"] = by_language[settings.LANGUAGE_CODE][
                    "location"
                ]
        return urls


class NamedPagesSitemap(BilingualSitemap):
    """Pages without a slug, named by URL name in ``pages``.

    ``unrevisioned`` names those that change without a new content revision (they
    count requests or test runs): no lastmod is better than a wrong one.
    """

    pages = ()
    unrevisioned = frozenset()

    def items(self):
        return list(self.pages)

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return None if item in self.unrevisioned else super().lastmod(item)
