"""The site's official face: the footer's identity and date, the favicon, the CSS budget."""

import gzip
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders

from core.models import ContentRevision
from portal.models import PageText, Place
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

TOKENS = ROOT / "static" / "vendor" / "digital-go-jp-design-tokens"


def footer_of(response):
    return response.content.decode().split('<footer class="site-footer">', 1)[1]


@pytest.mark.parametrize(
    ("path", "texts"),
    [
        (
            "/bureaus/",
            ["東京都庁", "〒163-8001 東京都新宿区西新宿二丁目8番1号", "© 東京都", "サイトポリシー"],
        ),
        (
            "/en/bureaus/",
            [
                "Tokyo Metropolitan Government Building",
                "2-8-1 Nishi-Shinjuku, Shinjuku-ku, Tokyo 163-8001, Japan",
                "© Tokyo Metropolitan Government",
                "Site policy",
            ],
        ),
    ],
)
def test_the_footer_names_the_government_its_address_and_its_policies(client, path, texts):
    footer = footer_of(client.get(path))
    for text in texts:
        assert text in footer
    prefix = "/en" if path.startswith("/en/") else ""
    for page in ("site-policy", "privacy", "accessibility"):
        assert f'href="{prefix}/{page}/"' in footer


def test_the_footer_shows_the_date_the_content_last_changed(client):
    ContentRevision.objects.update(changed_at=datetime(2026, 12, 3, 23, 30, tzinfo=ZoneInfo("UTC")))
    # 23:30 UTC is the next morning in Tokyo, the date the site states.
    expected = '掲載内容の最終更新日: <time datetime="2026-12-04">2026年12月4日</time>'
    assert expected in footer_of(client.get("/"))
    assert expected in footer_of(client.get("/consultation/"))  # not a revision-keyed page
    english = footer_of(client.get("/en/faq/"))
    assert 'Content last updated: <time datetime="2026-12-04">4 December 2026</time>' in english


def test_an_edit_moves_the_footer_date(client):
    ContentRevision.objects.update(changed_at=datetime(2026, 1, 5, 12, tzinfo=ZoneInfo("UTC")))
    assert "2026年1月5日" in footer_of(client.get("/faq/"))
    text = PageText.objects.get(place=Place.SITE_POLICY)
    text.body_ja = "■見出し\n本文"
    text.save()  # Any content edit makes a new revision, and so a new date.
    assert "2026年1月5日" not in footer_of(client.get("/faq/"))


def test_favicon_ico_is_a_real_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file's header


def stylesheets(html):
    """(path under static/, media) of each stylesheet the page links."""
    return [
        (href.split("/static/", 1)[1], media or "all")
        for href, media in re.findall(
            r'<link rel="stylesheet" href="([^"]+)"(?: media="([^"]+)")?>', html
        )
    ]


@pytest.mark.parametrize("path", ["/", "/bureaus/", "/consultation/", "/no-such-page/"])
def test_pages_load_the_design_tokens_and_our_stylesheet_and_no_bootstrap(client, path):
    html = client.get(path).content.decode()
    assert stylesheets(html) == [
        ("vendor/digital-go-jp-design-tokens/tokens.css", "all"),
        ("css/site.css", "all"),
        ("css/print.css", "print"),
    ]
    assert "bootstrap" not in html.lower()


def test_first_load_css_is_at_most_20_kb_compressed(client):
    """Every stylesheet a first visit downloads, gzip-compressed as collectstatic does."""
    sheets = stylesheets(client.get("/").content.decode())
    total = sum(
        len(gzip.compress(open(finders.find(path), "rb").read(), compresslevel=9))
        for path, _media in sheets
    )
    assert total <= 20 * 1024, f"{total} bytes of CSS"


def test_the_font_stack_names_the_japanese_faces_before_any_generic_family():
    css = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
    stack = re.search(r"--font:\s*([^;]+);", css).group(1)
    faces = [face.strip().strip('"') for face in stack.split(",")]
    japanese = ["Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", "Yu Gothic", "Meiryo"]
    generic = {"sans-serif", "serif", "system-ui", "ui-sans-serif", "-apple-system"}
    first_generic = min(i for i, face in enumerate(faces) if face in generic)
    assert all(faces.index(face) < first_generic for face in japanese), faces
    assert "system-ui" not in faces


def test_the_design_tokens_are_vendored_with_their_licence_and_version():
    package = json.loads((TOKENS / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == "@digital-go-jp/design-tokens"
    assert package["license"] == "MIT"
    assert "MIT License" in (TOKENS / "LICENSE").read_text(encoding="utf-8")
    assert "--color-primitive-blue-900: #0017c1;" in (TOKENS / "tokens.css").read_text(
        encoding="utf-8"
    )
