"""English pages read as English: English punctuation, Japanese marked as Japanese,
links to Japanese-only pages say so, and the shortlist's button counts its duties
(issue 15, "Truthful content")."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from bureaus.models import Duty
from core.models import InquiryWindow
from portal.models import FaqEntry, OverviewPoint
from tests.conftest import make_bureau, make_duty, public_paths

pytestmark = pytest.mark.django_db

# Kana, kanji and the full-width punctuation and brackets of Japanese text.
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff01-\uff5e]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class UnmarkedJapanese(HTMLParser):
    """Collects Japanese characters in text outside any element marked lang="ja"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # One entry per open element: is it (or an ancestor) Japanese?
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        inherited = self.stack[-1] if self.stack else False
        lang = dict(attrs).get("lang")
        self.stack.append(lang == "ja" if lang is not None else inherited)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        in_japanese = self.stack[-1] if self.stack else False
        if not in_japanese and JAPANESE.search(data):
            self.found.append(data.strip()[:80])


def unmarked_japanese(html):
    # <script> and <style> hold no reader text. <title> holds text only, no element to
    # carry lang=, so an untranslated name there stays as it is (the <h1> is marked).
    html = re.sub(r"<(script|style|title)\b.*?</\1>", "", html, flags=re.S)
    parser = UnmarkedJapanese()
    parser.feed(html)
    return parser.found


def test_the_parser_sees_unmarked_japanese_and_accepts_marked_japanese():
    assert unmarked_japanese('<p>Tokyo <span lang="ja">東京</span></p>') == []
    assert unmarked_japanese('<div lang="ja"><p>東京<br>都</p></div>') == []
    assert unmarked_japanese("<p>Tokyo（東京）</p>") == ["Tokyo（東京）"]
    assert unmarked_japanese('<p lang="ja">東京</p><p>（note）</p>') == ["（note）"]


def test_every_english_page_is_english_or_marked_japanese(client):
    pages = public_paths("en")
    assert len(pages) > 40
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert unmarked_japanese(response.content.decode()) == [], path


def test_an_untranslated_title_is_marked_japanese_wherever_it_shows(client):
    bureau = make_bureau(name_ja="翻訳前の局", name_en="")
    duty = make_duty(bureau=bureau, title_ja="翻訳前の業務", title_en="", description_en="")
    duty_path = duty.get_absolute_url()  # Before any request leaves English active.
    paths = ["/en/bureaus/", "/en" + bureau.get_absolute_url(), "/en" + duty_path]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert '<span lang="ja">翻訳前の業務</span>' in html or (
            'lang="ja">翻訳前の業務<' in html
        ), path
        assert unmarked_japanese(html) == [], path
    html = client.get("/en" + duty_path).content.decode()
    assert '<h1><span lang="ja">翻訳前の業務</span></h1>' in html
    assert '<li aria-current="page" lang="ja">翻訳前の業務</li>' in html
    # The Japanese page is Japanese throughout: nothing marked.
    html = client.get(duty_path).content.decode()
    assert "<h1>翻訳前の業務</h1>" in html
    assert 'lang="ja"' not in html.split("<main", 1)[1]


def test_untranslated_programme_texts_are_marked_japanese(client):
    OverviewPoint.objects.create(title_ja="翻訳前の項目", title_en="", note_ja="注記", order=99)
    FaqEntry.objects.create(question_ja="翻訳前の質問", answer_ja="翻訳前の\n答え", order=99)
    for path in ["/en/", "/en/faq/", "/en/shortlist/print/"]:
        html = client.get(path).content.decode()
        assert unmarked_japanese(html) == [], path


def test_english_notes_use_english_brackets(client):
    point = OverviewPoint.objects.exclude(note_en="").first()
    html = client.get("/en/").content.decode()
    assert f"({point.note_en})" in html and f"（{point.note_en}）" not in html
    html = client.get("/").content.decode()
    assert f"（{point.note_ja}）" in html


def test_links_to_the_japanese_only_site_say_so_on_english_pages(client):
    window = InquiryWindow.objects.get()
    assert not window.website_in_english
    link = re.compile(r'<a[^>]*href="' + re.escape(window.website) + r'"[^>]*>')
    for path in ["/en/", "/en/how-to-apply/", "/en/timeline/", "/en/shortlist/print/"]:
        html = client.get(path).content.decode()
        anchors = link.findall(html)
        assert anchors, path
        assert all('hreflang="ja"' in a for a in anchors), path
        assert html.count("(Japanese)") >= len(anchors), path
    html = client.get("/how-to-apply/").content.decode()
    assert 'hreflang="ja"' not in "".join(link.findall(html))
    assert "日本語のページ" not in html
    window.website_in_english = True
    window.save()
    html = Client().get("/en/how-to-apply/").content.decode()
    assert "(Japanese)" not in html
    assert not any('hreflang="ja"' in a for a in link.findall(html))


@pytest.mark.parametrize(
    ("ids", "japanese", "english"),
    [
        (
            ["environment/hydrogen-society"],
            "この業務で事前相談を申し込む",
            "Request a pre-consultation about this duty",
        ),
        (
            ["environment/hydrogen-society", "audit/audits"],
            "これらの業務で事前相談を申し込む",
            "Request a pre-consultation about these duties",
        ),
    ],
)
def test_the_shortlist_button_says_this_duty_or_these_duties(client, ids, japanese, english):
    assert Duty.objects.identified_by(ids).count() == len(ids)
    for value in ids:
        assert client.post("/shortlist/add/", {"duty": value}).status_code == 302
    assert japanese in client.get("/shortlist/").content.decode()
    assert english in client.get("/en/shortlist/").content.decode()
