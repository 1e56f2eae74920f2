"""Open data: the JSON and CSV files read back equal the published catalogue, and nothing more."""

import csv
import io
import json
import re
from datetime import datetime

import pytest
from django.utils import translation

from bureaus import opendata
from bureaus.models import Bureau, Duty, Theme
from core.models import InquiryWindow
from tests.conftest import grow_catalogue, make_bureau, make_duty, make_theme

pytestmark = pytest.mark.django_db

JSON_URL = "/opendata/catalogue.json"
DUTIES_CSV_URL = "/opendata/duties.csv"
BUREAUS_CSV_URL = "/opendata/bureaus.csv"
FILES = [JSON_URL, DUTIES_CSV_URL, BUREAUS_CSV_URL]
BASE = "http://testserver"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def read_json(client):
    response = client.get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def read_csv(client, url):
    """The rows of a CSV file as dicts, after checking it is what Excel expects."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv; charset=utf-8")
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark: Excel would misread it"
    text = raw.decode("utf-8-sig")
    assert "\ufeff" not in text
    lines = text.split("\r\n")
    assert lines[-1] == "", "the file must end with CRLF"
    return list(csv.DictReader(io.StringIO(text, newline="")))


def page_url(obj, language):
    with translation.override(language):
        return BASE + obj.get_absolute_url()


def published_duties():
    return Duty.objects.live().select_related("bureau").prefetch_related("themes")


def published_themes_of(duty):
    return [theme for theme in duty.themes.all() if theme.is_live()]


# --- catalogue.json ---------------------------------------------------------------------


def test_json_holds_every_published_duty_with_both_languages_and_nothing_else(client):
    catalogue = read_json(client)
    records = {record["id"]: record for record in catalogue["duties"]}
    duties = {f"{duty.bureau.slug}/{duty.slug}": duty for duty in published_duties()}
    assert len(records) == len(catalogue["duties"]) == 25
    assert records.keys() == duties.keys()
    for key, duty in duties.items():
        record = records[key]
        assert record["bureau_id"] == duty.bureau.slug
        assert record["title_ja"] == duty.title_ja
        assert record["title_en"] == duty.title_en
        assert record["description_ja"] == duty.description_ja
        assert record["description_en"] == duty.description_en
        assert record["url_ja"] == page_url(duty, "ja")
        assert record["url_en"] == page_url(duty, "en")
        assert "/en/" in record["url_en"] and "/en/" not in record["url_ja"]
        assert datetime.fromisoformat(record["updated_at"]) == duty.updated_at.replace(
            microsecond=0
        )
        assert datetime.fromisoformat(record["created_at"]) == duty.created_at.replace(
            microsecond=0
        )
        # The flyer's duties wait for a bureau's confirmation: no date, the flyer as source.
        assert duty.confirmed_at is None and record["confirmed_at"] is None
        assert record["source_ja"] == duty.source_ja and "チラシ" in duty.source_ja
        assert record["source_en"] == duty.source_en and "flyer" in duty.source_en
        assert record["themes"] == [
            {"id": theme.slug, "name_ja": theme.name_ja, "name_en": theme.name_en}
            for theme in sorted(published_themes_of(duty), key=lambda t: (t.order, t.slug))
        ]


def test_json_lists_published_bureaus_and_themes_with_contacts_and_pages(client):
    catalogue = read_json(client)
    bureaus = {record["id"]: record for record in catalogue["bureaus"]}
    assert list(bureaus) == [bureau.slug for bureau in Bureau.objects.live()]
    for bureau in Bureau.objects.live():
        record = bureaus[bureau.slug]
        assert record["name_ja"] == bureau.name_ja
        assert record["name_en"] == bureau.name_en
        assert record["contact_section_ja"] == bureau.contact_section_ja
        assert record["contact_section_en"] == bureau.contact_section_en
        assert record["phone"] == bureau.phone
        assert record["url_ja"] == page_url(bureau, "ja")
        assert record["url_en"] == page_url(bureau, "en")
        assert record["duty_count"] == published_duties().filter(bureau=bureau).count()
    themes = catalogue["themes"]
    assert [theme["id"] for theme in themes] == [t.slug for t in Theme.objects.live()]
    environment = next(theme for theme in themes if theme["id"] == "environment")
    assert environment["name_ja"] == "環境・エネルギー"
    assert environment["url_ja"] == f"{BASE}/bureaus/?theme=environment"
    assert environment["url_en"] == f"{BASE}/en/bureaus/?theme=environment"


def test_json_names_its_licence_documentation_and_last_change(client):
    catalogue = read_json(client)
    assert catalogue["license"]["name"] == "CC BY 4.0"
    assert catalogue["license"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "東京都" in catalogue["license"]["attribution_ja"]
    assert "Tokyo Metropolitan Government" in catalogue["license"]["attribution_en"]
    assert catalogue["documentation_url_ja"] == f"{BASE}/opendata/"
    assert catalogue["documentation_url_en"] == f"{BASE}/en/opendata/"
    newest = max(
        [d.updated_at for d in Duty.objects.live()] + [b.updated_at for b in Bureau.objects.live()]
    )
    assert datetime.fromisoformat(catalogue["last_modified"]) == newest.replace(microsecond=0)
    assert catalogue["last_modified"].endswith("+09:00")


def test_unpublished_duties_bureaus_and_themes_are_left_out_of_every_file(client):
    Duty.objects.filter(slug="hydrogen-society").update(publication_state="withdrawn")
    Bureau.objects.filter(slug="audit").update(publication_state="withdrawn")
    Theme.objects.filter(slug="agriculture").update(publication_state="withdrawn")
    hidden_bureau = make_bureau(publication_state="draft", name_ja="非公開局")
    make_duty(bureau=hidden_bureau, title_ja="非公開局の業務")
    catalogue = read_json(client)
    ids = {duty["id"] for duty in catalogue["duties"]}
    assert "environment/hydrogen-society" not in ids
    assert not any(i.startswith(("audit/", f"{hidden_bureau.slug}/")) for i in ids)
    assert "audit" not in {bureau["id"] for bureau in catalogue["bureaus"]}
    assert "agriculture" not in {theme["id"] for theme in catalogue["themes"]}
    assert all(
        theme["id"] != "agriculture" for duty in catalogue["duties"] for theme in duty["themes"]
    )
    for url in FILES:
        text = client.get(url).content.decode("utf-8-sig")
        for hidden in ["水素社会実現", "監査事務局", "農林水産", "非公開局"]:
            assert hidden not in text, (url, hidden)


def test_no_file_holds_an_email_address(client):
    make_bureau(contact_email="someone.private@bureau.metro.tokyo.example")
    addresses = list(
        Bureau.objects.exclude(contact_email="").values_list("contact_email", flat=True)
    )
    addresses += list(InquiryWindow.objects.values_list("contact_email", flat=True))
    assert len(addresses) >= 9
    for url in FILES:
        text = client.get(url).content.decode("utf-8-sig")
        assert not EMAIL.search(text), (url, EMAIL.search(text).group())
        for address in addresses:
            assert address not in text
        assert "contact_email" not in text


def test_every_field_in_the_json_is_documented(client):
    catalogue = read_json(client)
    assert sorted(catalogue) == sorted(opendata.field_names(opendata.CATALOGUE_FIELDS))
    assert all(
        sorted(t) == sorted(opendata.field_names(opendata.THEME_FIELDS))
        for t in catalogue["themes"]
    )
    for bureau in catalogue["bureaus"]:
        assert sorted(bureau) == sorted(opendata.field_names(opendata.BUREAU_FIELDS))
    for duty in catalogue["duties"]:
        assert sorted(duty) == sorted(opendata.field_names(opendata.DUTY_FIELDS))


# --- CSV --------------------------------------------------------------------------------


def test_duties_csv_reads_back_as_the_published_duties(client):
    rows = read_csv(client, DUTIES_CSV_URL)
    assert list(rows[0]) == opendata.field_names(opendata.DUTY_CSV_FIELDS)
    by_id = {row["id"]: row for row in rows}
    duties = {f"{duty.bureau.slug}/{duty.slug}": duty for duty in published_duties()}
    assert len(rows) == 25
    assert by_id.keys() == duties.keys()
    for key, duty in duties.items():
        row = by_id[key]
        bureau = duty.bureau
        assert row["bureau_id"] == bureau.slug
        assert row["bureau_name_ja"] == bureau.name_ja
        assert row["bureau_name_en"] == bureau.name_en
        assert row["title_ja"] == duty.title_ja
        assert row["title_en"] == duty.title_en
        assert row["description_ja"] == duty.description_ja
        assert row["contact_section_ja"] == bureau.contact_section_ja
        assert row["contact_section_en"] == bureau.contact_section_en
        assert row["phone"] == bureau.phone
        assert row["url_ja"] == page_url(duty, "ja")
        assert row["url_en"] == page_url(duty, "en")
        assert row["confirmed_at"] == "" and duty.confirmed_at is None
        assert (row["source_ja"], row["source_en"]) == (duty.source_ja, duty.source_en)
        themes = sorted(published_themes_of(duty), key=lambda t: (t.order, t.slug))
        assert row["theme_ids"].split(";") == [t.slug for t in themes] or (
            not themes and row["theme_ids"] == ""
        )
        assert row["theme_names_ja"] == ";".join(t.name_ja for t in themes)
        assert row["theme_names_en"] == ";".join(t.name_en for t in themes)


def test_bureaus_csv_reads_back_as_the_published_bureaus(client):
    rows = read_csv(client, BUREAUS_CSV_URL)
    assert list(rows[0]) == opendata.field_names(opendata.BUREAU_CSV_FIELDS)
    assert [row["id"] for row in rows] == [b.slug for b in Bureau.objects.live()]
    general = next(row for row in rows if row["id"] == "general-affairs")
    bureau = Bureau.objects.get(slug="general-affairs")
    assert general["name_ja"] == "総務局"
    assert general["phone"] == bureau.phone
    assert general["duty_count"] == "4"
    assert general["url_en"] == f"{BASE}/en/bureaus/general-affairs/"


def test_csv_keeps_line_breaks_commas_and_quotes_inside_a_cell(client):
    bureau = make_bureau(order=0)
    make_duty(
        bureau=bureau,
        title_ja="調査, 分析 及び「報告」",
        title_en='Survey, analysis and "reporting"',
        description_ja="1 行目\n2 行目",
    )
    rows = read_csv(client, DUTIES_CSV_URL)
    row = rows[0]
    assert row["title_ja"] == "調査, 分析 及び「報告」"
    assert row["title_en"] == 'Survey, analysis and "reporting"'
    assert row["description_ja"] == "1 行目\n2 行目"


@pytest.mark.parametrize("title", ['=HYPERLINK("http://evil.example")', "+1+2", "-3", "@SUM(A1)"])
def test_csv_cells_never_start_a_spreadsheet_formula(client, title):
    make_duty(bureau=make_bureau(order=0), title_ja=title)
    row = read_csv(client, DUTIES_CSV_URL)[0]
    assert row["title_ja"] == "'" + title
    # The JSON keeps the text as it is.
    assert read_json(client)["duties"][0]["title_ja"] == title


def test_theme_names_keep_their_order_across_the_three_columns(client):
    first = make_theme(slug="aaa", name_ja="甲", name_en="First", order=0)
    second = make_theme(slug="bbb", name_ja="乙", name_en="Second", order=1)
    make_duty(bureau=make_bureau(order=0), themes=[second, first])
    row = read_csv(client, DUTIES_CSV_URL)[0]
    assert (row["theme_ids"], row["theme_names_ja"], row["theme_names_en"]) == (
        "aaa;bbb",
        "甲;乙",
        "First;Second",
    )


# --- Serving ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", FILES)
def test_files_carry_cache_validators_and_answer_304(client, url):
    response = client.get(url)
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Last-Modified"]
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"


def test_files_show_an_edit_at_once(client):
    client.get(JSON_URL)  # Cached for this revision.
    duty = Duty.objects.get(slug="hydrogen-society")
    duty.title_ja = "水素エネルギーの普及"
    duty.save()
    record = next(
        d for d in read_json(client)["duties"] if d["id"] == "environment/hydrogen-society"
    )
    assert record["title_ja"] == "水素エネルギーの普及"
    assert datetime.fromisoformat(record["updated_at"]) == duty.updated_at.replace(microsecond=0)


def test_files_are_only_at_their_unprefixed_address(client):
    assert client.get("/en/opendata/catalogue.json").status_code == 404


@pytest.mark.parametrize("url", FILES)
def test_file_query_count_is_unchanged_when_the_catalogue_grows(
    client, django_assert_num_queries, url
):
    # Revision with the inquiry window, bureaus, their duties, the duties' themes, themes.
    with django_assert_num_queries(5):
        client.get(url)
    grow_catalogue(bureaus=30, duties_per_bureau=10)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200


# --- The documentation page -------------------------------------------------------------


@pytest.mark.parametrize("path", ["/opendata/", "/en/opendata/"])
def test_documentation_page_links_the_files_and_documents_every_field(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for url in [*FILES, "/feeds/duties.atom" if path == "/opendata/" else "/en/feeds/duties.atom"]:
        assert f'href="{url}"' in html, url
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert "CC BY 4.0" in html
    assert opendata.LICENSE["attribution_ja"] in html
    assert opendata.LICENSE["attribution_en"] in html
    for documented in [
        opendata.CATALOGUE_FIELDS,
        opendata.THEME_FIELDS,
        opendata.BUREAU_FIELDS,
        opendata.DUTY_FIELDS,
        opendata.DUTY_CSV_FIELDS,
        opendata.BUREAU_CSV_FIELDS,
    ]:
        for names, _meaning in documented:
            assert f"<code>{names}</code>" in html, names


def test_every_page_footer_links_the_documentation(client):
    assert 'href="/opendata/"' in client.get("/").content.decode()
    assert 'href="/en/opendata/"' in client.get("/en/").content.decode()


# --- The records, without a request --------------------------------------------------


def test_spreadsheet_safe_only_touches_formula_starts():
    assert opendata.spreadsheet_safe("=1+1") == "'=1+1"
    assert opendata.spreadsheet_safe("03-5388-2113") == "03-5388-2113"
    assert opendata.spreadsheet_safe("a=b") == "a=b"
    assert opendata.spreadsheet_safe(4) == "4"


def test_to_csv_writes_bom_header_and_crlf():
    data = opendata.to_csv([{"a": "甲", "b": "x"}], ["a", "b"])
    assert data == '\ufeff"a","b"\r\n"甲","x"\r\n'.encode()
