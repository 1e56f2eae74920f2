"""The catalogue's pages in the sitemap: the list, the open data, each bureau and duty."""

from bureaus.models import Bureau, Duty
from core.sitemaps import BilingualSitemap, NamedPagesSitemap


class CatalogueSitemap(NamedPagesSitemap):
    pages = ("bureaus:list", "opendata:page")


class BureauSitemap(BilingualSitemap):
    def items(self):
        return Bureau.objects.live()


class DutySitemap(BilingualSitemap):
    def items(self):
        return Duty.objects.live().select_related("bureau")


SITEMAPS = {"catalogue": CatalogueSitemap, "bureaus": BureauSitemap, "duties": DutySitemap}
