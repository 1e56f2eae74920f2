"""The programme's pages in the sitemap."""

from core.sitemaps import NamedPagesSitemap


class ProgrammeSitemap(NamedPagesSitemap):
    """The programme's guides; tests/test_search_engines.py fails when a new
    indexable page is missing from the sitemap."""

    pages = (
        "portal:home",
        "portal:how-to-apply",
        "portal:timeline",
        "portal:faq",
        "portal:privacy",
        "portal:site-policy",
        "portal:accessibility",
    )
    unrevisioned = frozenset({"portal:accessibility"})


SITEMAPS = {"programme": ProgrammeSitemap}
