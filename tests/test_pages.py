"""Project-wide page guards: every public page answers, has one h1 and its own title."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.conftest import all_public_paths, ended_duty_paths, public_paths

pytestmark = pytest.mark.django_db


def title_of(html):
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip())


def test_every_public_page_answers_with_one_h1_and_a_unique_title(client):
    paths = all_public_paths()
    # 12 programme, tool and form pages, 5 catalogue views, 8 bureaus, 25 duties.
    assert len(paths) == 2 * (12 + 5 + 8 + 25)
    titles = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert len(re.findall(r"<h1[\s>]", html)) == 1, path
        titles.setdefault(title_of(html), []).append(path)
    shared = {title: pages for title, pages in titles.items() if len(pages) > 1}
    assert shared == {}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_declare_their_language(client, language):
    for path in public_paths(language)[:3]:
        assert f'<html lang="{language}">' in client.get(path).content.decode()


def test_english_pages_show_english_content(client):
    html = client.get("/en/bureaus/environment/hydrogen-society/").content.decode()
    assert "Work towards a hydrogen-based society" in html
    assert "General Affairs Section, General Affairs Division, Bureau of Environment" in html
    assert "水素社会" not in html


@pytest.mark.parametrize(
    ("path", "other_language_path"),
    [
        ("/", "/en/"),
        ("/bureaus/environment/", "/en/bureaus/environment/"),
        (
            "/bureaus/?theme=ict&q=%E6%96%BD%E7%AD%96",
            "/en/bureaus/?theme=ict&amp;q=%E6%96%BD%E7%AD%96",
        ),
        ("/en/how-to-apply/", "/how-to-apply/"),
        ("/en/bureaus/audit/audits/", "/bureaus/audit/audits/"),
    ],
)
def test_language_switcher_keeps_the_current_page(client, path, other_language_path):
    html = client.get(path).content.decode()
    assert f'href="{other_language_path}"' in html


def test_unprefixed_pages_stay_japanese_whatever_the_browser_prefers(client):
    response = client.get("/", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert '<html lang="ja">' in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/bureaus/no-such-bureau/",
        "/bureaus/environment/no-such-duty/",
        "/bureaus/audit/hydrogen-society/",  # a real duty under the wrong bureau
        "/en/bureaus/no-such-bureau/",
        "/no-such-page/",
    ],
)
def test_unknown_pages_get_the_styled_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "site-header" in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert ("Page not found" if path.startswith("/en/") else "ページが見つかりません") in html


def test_an_ended_duty_gets_the_styled_410_in_each_language(client):
    for path in ended_duty_paths():
        response = client.get(path)
        assert response.status_code == 410
        html = response.content.decode()
        assert "site-header" in html and '<meta name="robots" content="noindex, follow">' in html
        assert len(re.findall(r"<h1[\s>]", html)) == 1
        assert (
            "This listing has ended" if path.startswith("/en/") else "掲載を終了しました"
        ) in html


def test_server_error_page_is_styled_and_needs_no_database(client, django_assert_num_queries):
    from django.views.defaults import server_error

    request = client.get("/").wsgi_request
    with django_assert_num_queries(0):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "site-header" in html
    assert "03-5388-2374" in html


def test_home_links_on_to_the_catalogue_and_to_pre_consultation(client):
    html = client.get("/").content.decode()
    assert f'href="{reverse("bureaus:list")}"' in html
    assert f'href="{reverse("portal:how-to-apply")}"' in html


def test_phone_numbers_are_tel_links(client):
    html = client.get("/bureaus/environment/").content.decode()
    assert '<a href="tel:+81-3-5388-3418">03-5388-3418</a>' in html
    assert '<a href="tel:+81-3-5388-2374">03-5388-2374</a>' in html


def test_pages_carry_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
