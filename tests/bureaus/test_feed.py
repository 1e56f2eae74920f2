"""The Atom feed of new and changed duties, one per language, linked from every page's head."""

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from django.utils import translation

from bureaus.models import Bureau, Duty, Theme
from tests.conftest import grow_catalogue, make_bureau, make_duty

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = {"ja": "/feeds/duties.atom", "en": "/en/feeds/duties.atom"}
BASE = "http://testserver"


def read_feed(client, language):
    response = client.get(FEEDS[language])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root):
    """(link, title, updated, published) of each entry, in feed order."""
    return [
        (
            entry.find(f"{ATOM}link[@rel='alternate']").get("href"),
            entry.findtext(f"{ATOM}title"),
            datetime.fromisoformat(entry.findtext(f"{ATOM}updated")),
            datetime.fromisoformat(entry.findtext(f"{ATOM}published")),
        )
        for entry in root.findall(f"{ATOM}entry")
    ]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_feed_lists_every_published_duty_with_its_page_title_and_dates(client, language):
    root = read_feed(client, language)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    listed = {
        link: (title, updated, published) for link, title, updated, published in entries(root)
    }
    duties = Duty.objects.live().select_related("bureau")
    assert len(listed) == duties.count() == 25
    with translation.override(language):
        for duty in duties:
            title, updated, published = listed[BASE + duty.get_absolute_url()]
            assert title == duty.title
            assert updated == duty.updated_at
            assert published == duty.created_at
    prefix = f"{BASE}/en/bureaus/" if language == "en" else f"{BASE}/bureaus/"
    assert all(link.startswith(prefix) for link in listed)


def test_feed_titles_follow_the_language(client):
    ja = {title for _link, title, *_ in entries(read_feed(client, "ja"))}
    en = {title for _link, title, *_ in entries(read_feed(client, "en"))}
    duty = Duty.objects.get(slug="hydrogen-society")
    assert duty.title_ja in ja and duty.title_ja not in en
    assert duty.title_en in en


def test_feed_is_newest_first_and_its_updated_is_the_latest_change(client):
    older = make_duty(bureau=make_bureau())
    newer = make_duty(bureau=make_bureau())
    changed = Duty.objects.get(slug="audits")
    changed.title_ja = "監査の実施（改訂）"
    changed.save()
    root = read_feed(client, "ja")
    listed = entries(root)
    updates = [updated for _link, _title, updated, _published in listed]
    assert updates == sorted(updates, reverse=True)
    assert [link for link, *_ in listed[:3]] == [
        BASE + changed.get_absolute_url(),
        BASE + newer.get_absolute_url(),
        BASE + older.get_absolute_url(),
    ]
    assert listed[0][1] == "監査の実施（改訂）"
    assert datetime.fromisoformat(root.findtext(f"{ATOM}updated")) == changed.updated_at


def test_feed_leaves_out_unpublished_duties_and_bureaus(client):
    Duty.objects.filter(slug="hydrogen-society").update(publication_state="withdrawn")
    Bureau.objects.filter(slug="audit").update(publication_state="withdrawn")
    links = [link for link, *_ in entries(read_feed(client, "ja"))]
    assert len(links) == 25 - 2
    assert not any("hydrogen-society" in link or "/audit/" in link for link in links)


def test_feed_names_itself_the_catalogue_and_each_bureau(client):
    root = read_feed(client, "en")
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{BASE}/en/feeds/duties.atom"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{BASE}/en/bureaus/"
    assert root.findtext(f"{ATOM}author/{ATOM}name")
    entry = next(
        e
        for e in root.findall(f"{ATOM}entry")
        if e.find(f"{ATOM}link").get("href").endswith("/hydrogen-society/")
    )
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Bureau of Environment"
    categories = {c.get("term") for c in entry.findall(f"{ATOM}category")}
    assert categories == {
        theme.name_en for theme in Theme.objects.live().filter(duties__slug="hydrogen-society")
    }


def test_feed_answers_a_repeat_request_with_304(client):
    response = client.get(FEEDS["ja"])
    assert "public" in response["Cache-Control"]
    assert client.get(FEEDS["ja"], headers={"if-none-match": response["ETag"]}).status_code == 304


def test_feed_query_count_is_unchanged_when_the_catalogue_grows(client, django_assert_num_queries):
    # Revision with the inquiry window, the duties with their bureaus, their themes.
    with django_assert_num_queries(3):
        client.get(FEEDS["ja"])
    grow_catalogue(bureaus=30, duties_per_bureau=10)
    with django_assert_num_queries(3):
        root = read_feed(client, "ja")
    assert len(root.findall(f"{ATOM}entry")) == 325


@pytest.mark.parametrize(
    ("path", "feed"),
    [("/", "/feeds/duties.atom"), ("/en/bureaus/", "/en/feeds/duties.atom")],
)
def test_every_page_head_links_the_feed_in_its_language(client, path, feed):
    html = client.get(path).content.decode()
    head = html.split("</head>")[0]
    assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in head
