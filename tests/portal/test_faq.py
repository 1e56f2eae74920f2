"""The FAQ: seeded from the flyer's facts, edited in admin, shown on /faq/ and /en/faq/."""

import re

import pytest
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.publication import State
from core.revision import bump_content_revision
from portal.models import FaqEntry
from tests.factories import approve_open_draft

pytestmark = pytest.mark.django_db

# Facts of the flyer each seeded answer must carry (the flyer, not the migration, is the source).
FLYER_FACTS = [
    "企業等の人材を、東京都行政実務研修員として受け入れます。",
    "派遣元企業様の負担",
    "交流受入期間は3年以内です。最長5年まで延長できます。",
    "都の業務に本格的に従事",
    "業務内容は個別に調整します。",
    "処分・許認可・行政指導に関して所管関係にある課への受入れはできません。",
    "補助金等の交付について関係する場合は、補助金等の交付を行う課への受入れはできません。",
    "契約に関する職務に携わることはできません。",
    "お申込みに先立って、受入れ制限にあたらないか等、事前にご相談を受け付けます。",
    "03-5388-2374",
    "この他に派遣を検討されたい業務がありましたら、遠慮なくお問い合わせください。",
]


def main_of(response):
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_the_seeded_answers_restate_the_flyer_in_both_languages():
    entries = list(FaqEntry.objects.live())
    assert len(entries) == 8
    answers = "\n".join(entry.answer_ja for entry in entries)
    for fact in FLYER_FACTS:
        assert fact in answers, fact
    for entry in entries:
        assert entry.question_en and entry.answer_en, entry
    english = "\n".join(entry.answer_en for entry in entries)
    for fact in ["up to 3 years", "maximum of 5 years", "borne by the sending company"]:
        assert fact in english, fact


@pytest.mark.parametrize(("path", "language"), [("/faq/", "ja"), ("/en/faq/", "en")])
def test_the_page_shows_each_published_question_as_a_heading_in_order(client, path, language):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    headings = re.findall(r'<h2 id="faq-\d+">(.*?)</h2>', html)
    field = "question_en" if language == "en" else "question_ja"
    expected = [getattr(e, field) for e in FaqEntry.objects.live()]
    assert [h.replace("&#x27;", "'") for h in headings] == expected


def test_each_question_in_the_contents_links_to_its_heading(client):
    html = client.get("/faq/").content.decode()
    for entry in FaqEntry.objects.live():
        assert f'<a href="#faq-{entry.pk}">{entry.question_ja}</a>' in html
        assert f'<h2 id="faq-{entry.pk}"' in html


def test_answers_keep_their_line_breaks(client):
    html = client.get("/faq/").content.decode()
    assert "受入れには一定の制限があります。<br>・処分・許認可" in html


def test_an_unpublished_entry_and_an_empty_faq(client):
    entry = FaqEntry.objects.first()
    entry.publication_state = State.WITHDRAWN
    entry.save()
    assert entry.question_ja not in main_of(client.get("/faq/"))
    FaqEntry.objects.update(publication_state=State.DRAFT)  # A bulk update sends no signal:
    bump_content_revision(sender=FaqEntry)
    main = main_of(client.get("/faq/"))
    assert "現在、掲載している質問はありません。" in main
    assert "質問の一覧" not in main


def test_an_english_question_left_blank_shows_the_japanese(client):
    entry = FaqEntry.objects.first()
    entry.question_en = ""
    entry.save()
    assert entry.question_ja in client.get("/en/faq/").content.decode()


@pytest.mark.parametrize("field", ["question_ja", "answer_ja"])
def test_the_database_refuses_an_entry_without_its_japanese_text(field):
    values = {"question_ja": "質問", "answer_ja": "回答", field: ""}
    with pytest.raises(IntegrityError), transaction.atomic():
        FaqEntry.objects.create(**values)


def test_an_edit_is_on_the_page_at_the_next_request(client):
    first = client.get("/faq/")
    assert first.status_code == 200
    entry = FaqEntry.objects.first()
    entry.answer_ja = "改めた回答です。"
    entry.save()
    second = client.get("/faq/")
    assert "改めた回答です。" in second.content.decode()
    assert second["ETag"] != first["ETag"]


def test_a_repeat_visit_gets_304_while_nothing_changed(client):
    etag = client.get("/faq/")["ETag"]
    assert client.get("/faq/", headers={"if-none-match": etag}).status_code == 304


def test_query_count_is_pinned(client, django_assert_num_queries):
    # The revision with the footer's window, then the entries.
    with django_assert_num_queries(2):
        assert client.get("/faq/").status_code == 200


# --- Admin. --------------------------------------------------------------------------


def test_admin_lists_searches_and_edits_order_and_publication():
    model_admin = admin.site._registry[FaqEntry]
    assert model_admin.list_display == [
        "question_ja",
        "question_en",
        "order",
        "publication_status",
    ]
    # The order is arranged from the list; publication goes through review.
    assert model_admin.list_editable == ["order"]
    assert "answer_ja" in model_admin.search_fields
    assert FaqEntry._meta.verbose_name == "よくある質問"


def test_admin_pages_open_and_search_finds_an_answer(hr_client):
    changelist = reverse("admin:portal_faqentry_changelist")
    html = hr_client.get(changelist, {"q": "03-5388-2374"}).content.decode()
    assert "制度についての問合せ先はどこですか。" in html
    assert "受入れ期間はどのくらいですか。" not in html
    entry = FaqEntry.objects.first()
    response = hr_client.get(reverse("admin:portal_faqentry_change", args=[entry.pk]))
    assert response.status_code == 200
    assert "field-question_ja field-question_en" in response.content.decode()
    assert hr_client.get(reverse("admin:portal_faqentry_add")).status_code == 200


def test_a_question_added_in_admin_shows_on_the_site_once_approved(hr_client, client):
    client.get("/faq/")  # Cached for the current revision.
    response = hr_client.post(
        reverse("admin:portal_faqentry_add"),
        {
            "question_ja": "管理画面で追加した質問ですか。",
            "question_en": "",
            "answer_ja": "はい。",
            "answer_en": "",
            "order": "0",  # Admin puts a new entry at the end whatever is typed here.
        },
    )
    assert response.status_code == 302
    added = FaqEntry.objects.get(question_ja="管理画面で追加した質問ですか。")
    assert added.publication_state == State.DRAFT
    others = FaqEntry.objects.exclude(pk=added.pk).values_list("order", flat=True)
    assert added.order > max(others)  # At the end of the list.
    assert "管理画面で追加した質問ですか。" not in client.get("/faq/").content.decode()
    approve_open_draft(added)
    html = client.get("/faq/").content.decode()
    headings = re.findall(r'<h2 id="faq-\d+">(.*?)</h2>', html)
    assert headings[-1] == "管理画面で追加した質問ですか。"
