"""The site policy: one text HR edits in admin, shown with real headings in both languages."""

import re

import pytest

from portal.models import PageText, Place
from portal.views import headed_sections
from tests.factories import approve_open_draft

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "sections"),
    [
        ("■著作権\n本文。\n\n次の段落。", [("著作権", ["本文。", "次の段落。"])]),
        ("前書き。\n■ リンク \n自由です。", [("", ["前書き。"]), ("リンク", ["自由です。"])]),
        ("■見出しだけ", [("見出しだけ", [])]),
        ("", []),
    ],
)
def test_the_site_policy_text_splits_at_its_headings(text, sections):
    assert headed_sections(text) == sections


def test_the_site_policy_page_shows_the_stored_text_with_real_headings(client):
    html = client.get("/site-policy/").content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert re.findall(r"<h2>(.*?)</h2>", main) == [
        "このサイトについて",
        "著作権",
        "リンク",
        "免責事項",
        "Cookie の利用",
        "JavaScript",
    ]
    assert "■" not in main
    english = client.get("/en/site-policy/").content.decode()
    assert "<h2>Copyright</h2>" in english and "<h1>Site policy</h1>" in english


def test_the_site_policy_is_edited_in_admin_and_shows_once_approved(hr_client):
    text = PageText.objects.get(place=Place.SITE_POLICY)
    response = hr_client.post(
        f"/admin/portal/pagetext/{text.pk}/change/",
        {"body_ja": "■新しい見出し\n新しい本文。", "body_en": ""},
    )
    assert response.status_code == 302
    assert "新しい見出し" not in hr_client.get("/site-policy/").content.decode()
    preview = hr_client.get(f"/admin/portal/pagetext/{text.pk}/preview/ja/")
    assert "<h2>新しい見出し</h2>" in preview.content.decode()
    assert preview["X-Robots-Tag"] == "noindex, nofollow"
    approve_open_draft(text)
    main = hr_client.get("/site-policy/").content.decode()
    assert "<h2>新しい見出し</h2>" in main and "<p>新しい本文。</p>" in main
