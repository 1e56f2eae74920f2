"""The timeline page: pre-consultation → application → start, then the term, in order."""

import re
from html import unescape

import pytest

from portal.models import PageText, Place

pytestmark = pytest.mark.django_db

STEPS_JA = ["事前相談", "応募（お申込み）", "受入れ開始", "交流受入期間"]


def ordered_list(html):
    main = html.split("<main", 1)[1]
    return main.split('<ol class="timeline-steps">', 1)[1].split("</ol>", 1)[0]


def test_the_steps_are_an_ordered_list_of_headed_items_in_the_flyers_order(client):
    response = client.get("/timeline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    steps = ordered_list(html)
    items = re.findall(r"<li[^>]*>(.*?)</li>", steps, re.S)
    assert [re.search(r"<h2[^>]*>(.*?)</h2>", item).group(1) for item in items] == STEPS_JA


def test_the_facts_come_from_the_flyer(client):
    steps = unescape(ordered_list(client.get("/timeline/").content.decode()))
    for fact in [
        "お申込みに先立って、受入れ制限にあたらないか等、事前にご相談を受け付けます。",
        "応募方法",
        "東京都行政実務研修員",
        "業務内容は個別に調整します。",
        "交流受入期間は3年以内です。最長5年まで延長できます。",
    ]:
        assert fact in steps, fact
    assert 'href="/consultation/"' in steps
    assert 'href="http://www.soumu.metro.tokyo.jp/03jinji/kouryu.html"' in steps


def test_the_english_page_shows_the_english_texts(client):
    html = client.get("/en/timeline/").content.decode()
    assert '<html lang="en">' in html
    steps = ordered_list(html)
    assert "The exchange lasts up to 3 years. It can be extended to a maximum of 5 years." in steps
    assert "administrative trainee" in steps
    assert 'href="/en/consultation/"' in steps


def test_the_texts_are_edited_in_admin_and_shown_at_the_next_request(client):
    client.get("/timeline/")
    text = PageText.objects.get(place=Place.TIMELINE_TERM)
    text.body_ja = "期間についての新しい案内です。"
    text.save()
    assert "期間についての新しい案内です。" in client.get("/timeline/").content.decode()


def test_a_missing_text_leaves_its_step_with_only_the_heading(client):
    PageText.objects.filter(place=Place.TIMELINE_START).delete()
    steps = ordered_list(client.get("/timeline/").content.decode())
    assert "受入れ開始" in steps
    assert "本格的に従事" not in steps


def test_query_count_is_pinned(client, django_assert_num_queries):
    # The revision with the footer's window, then the texts.
    with django_assert_num_queries(2):
        assert client.get("/timeline/").status_code == 200
