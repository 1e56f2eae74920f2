"""What search engines and link previews read: sitemap, robots.txt and each page's <head>."""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import timezone, translation

from bureaus.models import Bureau, Duty
from core.models import ContentRevision
from core.templatetags.page_meta import plain_text
from portal.models import PageText, Place
from tests.applications.helpers import form_data
from tests.conftest import make_bureau, make_duty, make_theme

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
NAMESPACES = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
}
NOINDEX = "noindex, follow"
SITE_NAME = {"ja": "東京都 交流受入（民間企業等からの人材受入れ）"}
OPEN_GRAPH_LOCALES = {"ja": "ja_JP", "en": "en_US"}
PAGES_WITHOUT_ARGUMENTS = [
    "portal:home",
    "portal:how-to-apply",
    "portal:timeline",
    "portal:faq",
    "portal:privacy",
    "portal:site-policy",
    "applications:statistics",
    "portal:accessibility",
    "bureaus:list",
    "opendata:page",
    "applications:form",
]
# Pages whose content does not follow the content revision have no lastmod.
UNREVISIONED = {"applications:statistics", "portal:accessibility"}


# --- Helpers. ------------------------------------------------------------------------


class HeadParser(HTMLParser):
    """The <title>, <meta> and <link> elements of a page's <head>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.metas, self.links, self.title = [], [], ""
        self._in_head = self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif self._in_head and tag == "meta":
            self.metas.append(attrs)
        elif self._in_head and tag == "link":
            self.links.append(attrs)
        elif self._in_head and tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


class Head:
    """A page's head, read as a search engine reads it."""

    def __init__(self, html):
        parser = HeadParser()
        parser.feed(html)
        self.title = parser.title.strip()
        self.metas, self.links = parser.metas, parser.links

    def meta(self, key):
        """The content of every <meta name=key> or <meta property=key>."""
        return [
            meta["content"]
            for meta in self.metas
            if key in (meta.get("name"), meta.get("property"))
        ]

    def one(self, key):
        values = self.meta(key)
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    @property
    def canonicals(self):
        return [link["href"] for link in self.links if link.get("rel") == "canonical"]

    @property
    def alternates(self):
        """hreflang -> URL of every <link rel="alternate" hreflang>."""
        pairs = [
            (link["hreflang"], link["href"])
            for link in self.links
            if link.get("rel") == "alternate" and "hreflang" in link
        ]
        assert len(pairs) == len(dict(pairs)), f"repeated hreflang: {pairs}"
        return dict(pairs)


def head_of(client, path, status=200, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == status, path
    return Head(response.content.decode())


def in_language(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def page_in_both_languages(name, **kwargs):
    """(ja path, en path) of one page."""
    return in_language("ja", name, **kwargs), in_language("en", name, **kwargs)


def indexable_pages():
    """(ja path, en path) of every page the sitemap should list."""
    pages = [page_in_both_languages(name) for name in PAGES_WITHOUT_ARGUMENTS]
    for bureau in Bureau.objects.live():
        pages.append(page_in_both_languages("bureaus:detail", slug=bureau.slug))
    for duty in Duty.objects.live().select_related("bureau"):
        pages.append(
            page_in_both_languages("bureaus:duty", bureau_slug=duty.bureau.slug, slug=duty.slug)
        )
    return pages


def sitemap_entries(client, **kwargs):
    """loc -> {hreflang: href} for every <url> of /sitemap.xml, and loc -> lastmod."""
    response = client.get("/sitemap.xml", **kwargs)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NAMESPACES['sm']}}}urlset"
    entries, lastmods = {}, {}
    for url in root.findall("sm:url", NAMESPACES):
        loc = url.findtext("sm:loc", namespaces=NAMESPACES)
        assert loc not in entries, f"{loc} listed twice"
        entries[loc] = {
            link.get("hreflang"): link.get("href")
            for link in url.findall("xhtml:link", NAMESPACES)
            if link.get("rel") == "alternate"
        }
        lastmods[loc] = url.findtext("sm:lastmod", namespaces=NAMESPACES)
    return entries, lastmods


def submit_to_confirm(client):
    response = client.post(reverse("applications:form"), form_data(client))
    assert response.status_code == 302
    return client.get(reverse("applications:confirm"))


def submit(client):
    token = client.get(reverse("applications:confirm")).context["draft_digest"]
    return client.post(reverse("applications:confirm"), {"draft": token})


# --- The sitemap. --------------------------------------------------------------------


def test_sitemap_lists_every_public_page_in_both_languages_with_hreflang_alternates(client):
    entries, _lastmods = sitemap_entries(client)
    pages = indexable_pages()
    assert len(pages) == len(PAGES_WITHOUT_ARGUMENTS) + 8 + 25
    expected = {}
    for ja, en in pages:
        alternates = {"ja": ORIGIN + ja, "en": ORIGIN + en, "x-default": ORIGIN + ja}
        expected[ORIGIN + ja] = alternates
        expected[ORIGIN + en] = alternates
    assert entries == expected


def test_sitemap_leaves_out_unpublished_bureaus_and_duties(client):
    Duty.objects.filter(slug="hydrogen-society").update(publication_state="withdrawn")
    Bureau.objects.filter(slug="audit").update(publication_state="withdrawn")
    hidden_bureau = make_bureau(slug="closed-bureau", publication_state="draft")
    make_duty(bureau=hidden_bureau, slug="published-duty-of-a-closed-bureau")
    entries, _lastmods = sitemap_entries(client)
    listed = " ".join(entries)
    for fragment in ("hydrogen-society", "/audit/", "closed-bureau"):
        assert fragment not in listed
    assert f"{ORIGIN}/bureaus/environment/" in entries
    assert len(entries) == 2 * len(indexable_pages())


def test_sitemap_lastmod_is_the_content_revision_date(client):
    _entries, lastmods = sitemap_entries(client)
    changed_on = timezone.localdate(ContentRevision.current().changed_at).isoformat()
    unrevisioned = {ORIGIN + path for name in UNREVISIONED for path in page_in_both_languages(name)}
    assert {loc: lastmods[loc] for loc in unrevisioned} == dict.fromkeys(unrevisioned)
    assert {lastmods[loc] for loc in lastmods.keys() - unrevisioned} == {changed_on}


def routes_without_arguments(patterns=None, namespace="", prefixed=False):
    """Names of the language-prefixed routes that take no argument, from the URLconf."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    names = []
    for pattern in patterns:
        if getattr(pattern.pattern, "converters", None):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            prefixed_here = prefixed or isinstance(pattern.pattern, LocalePrefixPattern)
            names += routes_without_arguments(pattern.url_patterns, inner, prefixed_here)
        elif prefixed and pattern.name:
            names.append(namespace + pattern.name)
    return names


def test_every_indexable_page_without_arguments_is_in_the_sitemap(client):
    """A new page is listed, or says noindex, or is no HTML page (a feed, an action)."""
    entries, _lastmods = sitemap_entries(client)
    missing = []
    for name in routes_without_arguments():
        path = in_language("ja", name)
        response = client.get(path)
        is_page = response.status_code == 200 and response["Content-Type"].startswith("text/html")
        if is_page and NOINDEX not in Head(response.content.decode()).meta("robots"):
            if ORIGIN + path not in entries:
                missing.append(name)
    assert missing == [], "add these to portal.sitemaps.ProgrammeSitemap.items()"


def test_sitemap_and_robots_use_the_requests_scheme_and_host(client):
    entries, _lastmods = sitemap_entries(client, headers={"host": "localhost"}, secure=True)
    assert "https://localhost/en/bureaus/" in entries
    assert all(loc.startswith("https://localhost/") for loc in entries)
    robots = client.get("/robots.txt", headers={"host": "localhost"}, secure=True)
    assert "Sitemap: https://localhost/sitemap.xml" in robots.content.decode()


def test_x_default_keeps_a_slug_that_spells_the_default_language(client):
    # Django builds x-default by deleting "/ja/" from the URL; here that is a slug.
    make_bureau(slug="ja")
    entries, _lastmods = sitemap_entries(client)
    assert entries[f"{ORIGIN}/en/bureaus/ja/"] == {
        "ja": f"{ORIGIN}/bureaus/ja/",
        "en": f"{ORIGIN}/en/bureaus/ja/",
        "x-default": f"{ORIGIN}/bureaus/ja/",
    }


def test_sitemap_costs_the_same_whatever_the_catalogue_size(client, django_assert_max_num_queries):
    sitemap_entries(client)
    for _ in range(5):
        bureau = make_bureau()
        make_duty(bureau=bureau, themes=[make_theme()])
    # One query each for the bureaus and duties, and one read of the revision.
    with django_assert_max_num_queries(3):
        sitemap_entries(client)


# --- robots.txt. -----------------------------------------------------------------------


def test_robots_txt_allows_public_pages_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = [line for line in response.content.decode().splitlines() if line.strip()]
    assert lines[0] == "User-agent: *"
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow:")}
    assert disallowed == {
        "/admin/",
        "/consultation/confirm/",
        "/consultation/done/",
        "/en/consultation/confirm/",
        "/en/consultation/done/",
    }
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in lines
    # Nothing disallowed is a prefix of a page that should be crawled.
    crawlable = [path for ja, en in indexable_pages() for path in (ja, en)]
    assert "/en/consultation/" in crawlable
    assert not [p for p in crawlable if any(p.startswith(rule) for rule in disallowed)]


# --- The <head> of each page type. ----------------------------------------------------


PAGE_TYPES = {
    "home": ("portal:home", {}),
    "how-to-apply": ("portal:how-to-apply", {}),
    "privacy": ("portal:privacy", {}),
    "catalogue": ("bureaus:list", {}),
    "bureau": ("bureaus:detail", {"slug": "environment"}),
    "duty": ("bureaus:duty", {"bureau_slug": "environment", "slug": "hydrogen-society"}),
    "consultation": ("applications:form", {}),
}


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_each_page_type_names_its_canonical_url_languages_and_preview(client, page_type, language):
    name, kwargs = PAGE_TYPES[page_type]
    ja, en = page_in_both_languages(name, **kwargs)
    path = {"ja": ja, "en": en}[language]
    head = head_of(client, path)

    assert head.canonicals == [ORIGIN + path]
    assert head.alternates == {"ja": ORIGIN + ja, "en": ORIGIN + en, "x-default": ORIGIN + ja}
    description = head.one("description")
    assert 20 <= len(description) <= 160
    assert head.meta("robots") == []

    page_title, _separator, site_name = head.title.rpartition(" | ")
    assert head.one("og:title") == page_title
    assert head.one("og:site_name") == site_name
    if language == "ja":
        assert site_name == SITE_NAME["ja"]
    assert head.one("og:description") == description
    assert head.one("og:url") == ORIGIN + path
    assert head.one("og:type") == "website"
    assert head.one("og:locale") == OPEN_GRAPH_LOCALES[language]
    assert head.meta("og:locale:alternate") == [
        locale for code, locale in OPEN_GRAPH_LOCALES.items() if code != language
    ]
    assert head.one("twitter:card") == "summary"
    assert head.meta("og:image") == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_descriptions_come_from_each_pages_own_content(client, language):
    with translation.override(language):
        introduction = PageText.objects.get(place=Place.INTRODUCTION).body
        bureau = Bureau.objects.get(slug="environment")
        first_duty = bureau.duties.live_alone().first()
        duty = Duty.objects.get(slug="hydrogen-society")
        bureau_name, first_duty_title, duty_title = bureau.name, first_duty.title, duty.title
        home = in_language(language, "portal:home")
    description = head_of(client, home).one("description")
    assert description == plain_text(introduction, 160)
    bureau_description = head_of(client, bureau.get_absolute_url()).one("description")
    assert bureau_name in bureau_description
    assert first_duty_title in bureau_description
    duty_description = head_of(client, duty.get_absolute_url()).one("description")
    assert duty_title in duty_description
    assert bureau_name in duty_description


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_indexable_page_has_its_own_description(client, language):
    paths = [{"ja": ja, "en": en}[language] for ja, en in indexable_pages()]
    descriptions = {}
    for path in paths:
        descriptions.setdefault(head_of(client, path).one("description"), []).append(path)
    shared = {text: pages for text, pages in descriptions.items() if len(pages) > 1}
    assert shared == {}


def test_a_long_duty_description_is_cut_to_160_characters(client):
    duty = make_duty(description_ja="長い説明。" * 100)
    description = head_of(client, duty.get_absolute_url()).one("description")
    assert len(description) == 160
    assert description.endswith("…")
    assert description.startswith(f"{duty.bureau.name_ja}の業務内容例: {duty.title_ja}")


def test_markup_in_content_is_escaped_once_in_the_head(client):
    duty = make_duty(title_ja='R&D <研究> "試験"', description_ja="改行\nを含む\n説明")
    html = client.get(duty.get_absolute_url()).content.decode()
    assert "R&amp;D &lt;研究&gt; &quot;試験&quot;" in html
    assert "&amp;amp;" not in html
    head = Head(html)
    assert 'R&D <研究> "試験"' in head.one("description")
    assert "改行 を含む 説明" in head.one("description")
    assert head.one("og:title").startswith('R&D <研究> "試験"')


def test_the_home_page_without_an_introduction_keeps_the_site_description(client):
    PageText.objects.filter(place=Place.INTRODUCTION).delete()
    description = head_of(client, "/").one("description")
    assert description.startswith("東京都が民間企業等の人材を")


# --- Canonical URLs and noindex. ------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"q": "ICT"},
        {"bureau": "general-affairs"},
        {"theme": "environment"},
        {"bureau": "general-affairs", "theme": "public-relations", "q": "防災"},
        {"theme": "no-such-theme"},
        {"q": ""},
    ],
)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_filtered_catalogue_points_to_the_whole_catalogue_and_is_not_indexed(
    client, query, prefix
):
    head = head_of(client, f"{prefix}/bureaus/", data=query)
    assert head.canonicals == [f"{ORIGIN}{prefix}/bureaus/"]
    assert head.alternates["ja"] == f"{ORIGIN}/bureaus/"
    assert head.alternates["en"] == f"{ORIGIN}/en/bureaus/"
    assert head.meta("robots") == [NOINDEX]


def test_other_query_parameters_leave_the_canonical_url_and_indexing_alone(client):
    head = head_of(client, "/bureaus/environment/", data={"utm_source": "flyer"})
    assert head.canonicals == [f"{ORIGIN}/bureaus/environment/"]
    assert head.meta("robots") == []
    head = head_of(client, "/bureaus/", data={"utm_source": "flyer"})
    assert head.meta("robots") == []


def test_no_unfiltered_public_page_is_kept_out_of_the_index(client):
    for ja, en in indexable_pages():
        for path in (ja, en):
            assert head_of(client, path).meta("robots") == [], path


@pytest.mark.parametrize("path", ["/no-such-page/", "/en/no-such-page/", "/bureaus/no-such/"])
def test_the_404_page_is_not_indexed_and_claims_no_url(client, path):
    head = head_of(client, path, status=404)
    assert head.meta("robots") == [NOINDEX]
    assert head.canonicals == []
    assert head.alternates == {}


def test_the_consultation_confirm_done_and_429_pages_are_not_indexed(client, settings):
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 1
    for response in (submit_to_confirm(client), client.get(submit(client).url)):
        assert response.status_code == 200
        head = Head(response.content.decode())
        assert head.meta("robots") == [NOINDEX]
        assert head.canonicals == []
    submit_to_confirm(client)
    refused = submit(client)
    assert refused.status_code == 429
    assert Head(refused.content.decode()).meta("robots") == [NOINDEX]


# --- Cached pages. ---------------------------------------------------------------------


def test_a_cached_page_names_the_host_it_is_served_on(client):
    first = head_of(client, "/bureaus/environment/")
    again = head_of(client, "/bureaus/environment/", headers={"accept-language": "en"})
    other_host = head_of(client, "/bureaus/environment/", headers={"host": "localhost"})
    assert first.canonicals == again.canonicals == [f"{ORIGIN}/bureaus/environment/"]
    assert first.metas == again.metas
    assert other_host.canonicals == ["http://localhost/bureaus/environment/"]
    assert other_host.alternates["en"] == "http://localhost/en/bureaus/environment/"


def test_an_edit_shows_in_the_description_at_once(client):
    duty = Duty.objects.get(slug="hydrogen-society")
    head_of(client, duty.get_absolute_url())
    duty.title_ja = "水素エネルギーの普及"
    duty.save()
    assert "水素エネルギーの普及" in head_of(client, duty.get_absolute_url()).one("description")
