"""The sitemap: every public page in Japanese and English, with its hreflang alternates."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.functional import cached_property

from bureaus.models import Bureau, Duty
from portal.models import ContentRevision


class BilingualSitemap(Sitemap):
    """Each item once per language, each entry naming the page in every language."""

    i18n = True
    alternates = True
    x_default = True

    @cached_property
    def revision_changed_at(self):
        # Instantiated per request (the view is given classes), so read once per sitemap.
        return ContentRevision.current().changed_at

    def lastmod(self, item):
        """When the content last changed: the pages' own Last-Modified (portal.caching).

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


class ProgrammeSitemap(BilingualSitemap):
    """The pages without a slug: the programme's guides, the catalogue, the form.

    tests/test_search_engines.py fails when a new indexable page is missing here.
    """

    # These change without a new content revision (they count inquiries and test
    # runs): no lastmod is better than a wrong one.
    UNREVISIONED = {"portal:statistics", "portal:accessibility"}

    def items(self):
        return [
            "portal:home",
            "portal:how-to-apply",
            "portal:timeline",
            "portal:faq",
            "portal:privacy",
            "portal:site-policy",
            "portal:statistics",
            "portal:accessibility",
            "bureaus:list",
            "opendata:page",
            "applications:form",
        ]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return None if item in self.UNREVISIONED else super().lastmod(item)


class BureauSitemap(BilingualSitemap):
    def items(self):
        return Bureau.objects.published()


class DutySitemap(BilingualSitemap):
    def items(self):
        return Duty.objects.published().select_related("bureau")


SITEMAPS = {"programme": ProgrammeSitemap, "bureaus": BureauSitemap, "duties": DutySitemap}
