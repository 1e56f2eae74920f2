"""The catalogue page: filters, keyword search, bad input, and its fixed query cost."""

import re

import pytest
from django.urls import reverse

from bureaus.models import Bureau, Duty, Theme
from tests.conftest import grow_catalogue, make_bureau, make_duty, make_theme

pytestmark = pytest.mark.django_db

CATALOGUE = "/bureaus/"


def duty_links(response):
    """The duty pages a catalogue response links to, in order."""
    return re.findall(r'href="(/(?:en/)?bureaus/[\w-]+/[\w-]+/)"', response.content.decode())


def test_unfiltered_catalogue_lists_every_published_duty_under_its_bureau(client):
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    assert len(duty_links(response)) == Duty.objects.live().count() == 25
    html = response.content.decode()
    for bureau in Bureau.objects.live():
        assert bureau.name_ja in html
        assert bureau.phone in html


def test_theme_filter_keeps_only_duties_with_that_theme(client):
    response = client.get(CATALOGUE, {"theme": "environment"})
    expected = {
        duty.get_absolute_url() for duty in Duty.objects.live().filter(themes__slug="environment")
    }
    assert set(duty_links(response)) == expected
    assert len(expected) == 4
    assert "4 件の業務内容例" in response.content.decode()


def test_bureau_filter_keeps_only_that_bureaus_duties(client):
    response = client.get(CATALOGUE, {"bureau": "general-affairs"})
    links = duty_links(response)
    assert len(links) == 4
    assert all(link.startswith("/bureaus/general-affairs/") for link in links)


def test_bureau_theme_and_keyword_filters_combine(client):
    response = client.get(
        CATALOGUE, {"bureau": "general-affairs", "theme": "public-relations", "q": "防災"}
    )
    assert duty_links(response) == ["/bureaus/general-affairs/disaster-prevention/"]


@pytest.mark.parametrize("keyword", ["ＩＣＴ", "ICT", "ict", "ｉｃｔ"])
def test_keyword_search_ignores_width_and_case(client, keyword):
    response = client.get(CATALOGUE, {"q": keyword})
    assert duty_links(response) == ["/bureaus/general-affairs/ict-policy/"]


def test_full_width_digits_find_half_width_digits(client):
    response = client.get(CATALOGUE, {"q": "第８期"})
    assert duty_links(response) == ["/bureaus/social-welfare-public-health/elderly-welfare-plan/"]


def test_keyword_matches_the_bureau_name(client):
    response = client.get(CATALOGUE, {"q": "監査事務局"})
    assert duty_links(response) == ["/bureaus/audit/audits/"]


def test_english_keyword_finds_english_text(client):
    response = client.get("/en/bureaus/", {"q": "Hydrogen"})
    assert duty_links(response) == ["/en/bureaus/environment/hydrogen-society/"]


def test_no_results_says_so_and_offers_a_reset(client):
    response = client.get(CATALOGUE, {"q": "存在しない業務"})
    html = response.content.decode()
    assert response.status_code == 200
    assert duty_links(response) == []
    assert "条件に合う業務内容例はありません" in html
    assert f'href="{reverse("bureaus:list")}"' in html


@pytest.mark.parametrize("parameter", ["theme", "bureau"])
def test_unknown_filter_value_is_ignored_with_a_note(client, parameter):
    response = client.get(CATALOGUE, {parameter: "no-such-value", "q": "水素"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "指定された条件「no-such-value」は見つからないため、無視しました。" in html
    assert duty_links(response) == ["/bureaus/environment/hydrogen-society/"]


@pytest.mark.parametrize(
    "keyword",
    [
        "<script>alert(1)</script>",
        "' OR 1=1; DROP TABLE bureaus_duty; --",
        '"quoted" & <b>bold</b>',
        "🏙️🚄" * 40,
        "あ" * 5000,
        "%_\\",
    ],
)
def test_odd_keywords_cause_no_error_and_are_shown_escaped(client, keyword):
    response = client.get(CATALOGUE, {"q": keyword})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "<b>bold</b>" not in html
    assert Duty.objects.count() == 25


def test_like_wildcards_in_a_keyword_are_literal(client):
    assert duty_links(client.get(CATALOGUE, {"q": "%"})) == []
    assert duty_links(client.get(CATALOGUE, {"q": "_"})) == []


def test_a_filtered_url_is_shareable_and_restores_the_form(client):
    response = client.get(CATALOGUE, {"theme": "ict", "q": "施策"})
    html = response.content.decode()
    assert re.search(r'<option value="ict" selected>', html)
    assert 'value="施策"' in html


def test_unpublished_duties_bureaus_and_themes_never_appear(client):
    Duty.objects.filter(slug="hydrogen-society").update(publication_state="withdrawn")
    Bureau.objects.filter(slug="audit").update(publication_state="withdrawn")
    Theme.objects.filter(slug="agriculture").update(publication_state="withdrawn")
    html = client.get(CATALOGUE).content.decode()
    assert "水素社会実現" not in html
    assert "監査事務局" not in html
    assert "農林水産" not in html
    # Public once: their addresses say the listing has ended (410), not "not found".
    assert client.get("/bureaus/environment/hydrogen-society/").status_code == 410
    assert client.get("/bureaus/audit/").status_code == 410
    assert client.get("/bureaus/audit/audits/").status_code == 410
    assert "水素社会実現" not in client.get("/bureaus/environment/").content.decode()


def test_a_bureau_without_duties_is_listed_but_not_among_filtered_results(client):
    bureau = make_bureau(name_ja="新設局")
    section = f'id="bureau-{bureau.slug}"'
    assert section in client.get(CATALOGUE).content.decode()
    assert section not in client.get(CATALOGUE, {"q": "水素"}).content.decode()


def test_duties_are_listed_in_bureau_then_duty_order(client):
    bureau = make_bureau(order=0)
    second = make_duty(bureau=bureau, order=2)
    first = make_duty(bureau=bureau, order=1)
    links = duty_links(client.get(CATALOGUE))
    assert links[:2] == [first.get_absolute_url(), second.get_absolute_url()]


# Query counts: the catalogue reads bureaus, duties and their (duty, theme) pairs, plus the
# footer's inquiry window; the detail pages read their object and its relations.
PINNED_QUERIES = {
    "/": 6,
    CATALOGUE: 4,
    f"{CATALOGUE}?theme=environment&q=水素": 4,
    "/bureaus/environment/": 4,
    "/bureaus/environment/hydrogen-society/": 3,
    "/how-to-apply/": 3,
}


@pytest.mark.parametrize(("path", "queries"), PINNED_QUERIES.items())
def test_query_count_is_pinned(client, django_assert_num_queries, path, queries):
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize(("path", "queries"), PINNED_QUERIES.items())
def test_query_count_is_unchanged_when_the_catalogue_grows(
    client, django_assert_num_queries, path, queries
):
    grow_catalogue(bureaus=30, duties_per_bureau=10)
    assert Duty.objects.count() == 25 + 300
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200
    if path == CATALOGUE:
        assert len(duty_links(response)) == 325


def test_theme_choices_list_only_published_themes_in_use(client):
    unused = make_theme(name_ja="使われていないテーマ")
    html = client.get(CATALOGUE).content.decode()
    assert unused.name_ja not in html
    assert '<option value="environment"' in html


# The duty items and the bureau contacts are built in Python (bureaus.templatetags.
# catalogue), outside the template engine's autoescaping: every value must still
# come out escaped, on every page that shows them.
MARKUP = '<script>alert(1)</script>&"'


@pytest.mark.parametrize("language", ["ja", "en"])
def test_markup_in_names_titles_and_contacts_is_escaped_wherever_listed(client, language):
    theme = make_theme(name_ja=f"テーマ{MARKUP}", name_en=f"Theme{MARKUP}")
    bureau = make_bureau(
        slug="markup",
        name_ja=f"局{MARKUP}",
        name_en=f"Bureau{MARKUP}",
        contact_section_ja=f"課{MARKUP}",
        contact_section_en=f"Section{MARKUP}",
    )
    duty = make_duty(bureau=bureau, slug="markup", themes=[theme],
                     title_ja=f"業務{MARKUP}", title_en=f"Duty{MARKUP}")  # fmt: skip
    prefix = "/en" if language == "en" else ""
    pages = [CATALOGUE, bureau.get_absolute_url(), duty.get_absolute_url()]
    for path in pages:
        html = client.get(prefix + path).content.decode()
        assert "<script>alert(1)" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;" in html, path


def test_listed_themes_are_the_published_ones_in_display_order(django_assert_num_queries):
    from bureaus.models import attach_listed_themes

    later, hidden, earlier = (
        make_theme(order=2),
        make_theme(publication_state="draft"),
        make_theme(order=1),
    )
    bureau = make_bureau()
    first = make_duty(bureau=bureau, themes=[later, hidden, earlier])
    second = make_duty(bureau=bureau, themes=[later])
    bare = make_duty(bureau=bureau)
    with django_assert_num_queries(2):  # The duties, then every pair with its theme.
        duties = attach_listed_themes(Duty.objects.filter(bureau=bureau))
    by_pk = {duty.pk: duty for duty in duties}
    assert by_pk[first.pk].listed_themes == [earlier, later]
    assert by_pk[second.pk].listed_themes == [later]
    assert by_pk[bare.pk].listed_themes == []
    # One object per theme, shared by the duties that carry it.
    assert by_pk[first.pk].listed_themes[1] is by_pk[second.pk].listed_themes[0]
    # The bulk read agrees with the one-duty fallback.
    assert Duty.objects.get(pk=first.pk).listed_themes == [earlier, later]


def test_a_bureau_published_while_the_catalogue_is_read_waits_for_the_next_request(
    client, monkeypatch
):
    from bureaus import views
    from bureaus.models import attach_listed_themes

    Bureau.objects.filter(slug="environment").update(publication_state="withdrawn")

    def editor_publishes_meanwhile(duties):
        Bureau.objects.filter(slug="environment").update(publication_state="approved")
        return attach_listed_themes(duties)

    monkeypatch.setattr(views, "attach_listed_themes", editor_publishes_meanwhile)
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    assert not any(link.startswith("/bureaus/environment/") for link in duty_links(response))
    monkeypatch.undo()
    assert any(
        link.startswith("/bureaus/environment/")
        for link in duty_links(client.get(CATALOGUE, {"bureau": "environment"}))
    )
