"""The published catalogue as open-data records (JSON and CSV), and the meaning of every field.

The functions here take model instances already read from the database (with
their published duties and themes prefetched) and return plain rows: no query,
no request. What the files may hold is decided here once: the catalogue as the
site shows it, in both languages, with the bureaus' office phones, and never an
e-mail address or anything about a person.
"""

import csv
import io
import json

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

LICENSE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "url_ja": "https://creativecommons.org/licenses/by/4.0/deed.ja",
    "attribution_ja": "出典：東京都「交流受入 業務内容例」（クリエイティブ・コモンズ 表示 4.0 国際）",
    "attribution_en": (
        "Source: Tokyo Metropolitan Government, “Personnel exchange: example duties” (CC BY 4.0)"
    ),
}
DATASET = {
    "title_ja": "東京都 交流受入 業務内容例",
    "title_en": "Tokyo Metropolitan Government personnel exchange: example duties",
    "publisher_ja": "東京都",
    "publisher_en": "Tokyo Metropolitan Government",
}
LANGUAGES = ("ja", "en")
# Joins the several themes of a duty in one CSV cell.
LIST_SEPARATOR = ";"
# Spreadsheets read a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- The meaning of every field, for the documentation page. ------------------------------

CATALOGUE_FIELDS = [
    ("title_ja / title_en", _("データセットの名称")),
    ("publisher_ja / publisher_en", _("公開者")),
    (
        "license",
        _(
            "利用条件: name（ライセンス名）、url、url_ja（日本語の説明）、attribution_ja / attribution_en（出典の表示例）"
        ),
    ),
    ("documentation_url_ja / documentation_url_en", _("このページの URL")),
    ("last_modified", _("局・業務内容例のうち最も新しい更新日時")),
    ("themes", _("テーマの一覧（項目は下の「テーマ」）")),
    ("bureaus", _("局の一覧（項目は下の「局」）")),
    ("duties", _("業務内容例の一覧（項目は下の「業務内容例」）")),
]
THEME_FIELDS = [
    ("id", _("テーマの ID（URL 用の名前。変わりません）")),
    ("name_ja / name_en", _("テーマ名")),
    ("url_ja / url_en", _("このテーマで絞り込んだ業務内容例の一覧ページ")),
]
BUREAU_FIELDS = [
    ("id", _("局の ID（局のページの URL 用の名前。変わりません）")),
    ("name_ja / name_en", _("局名")),
    ("contact_section_ja / contact_section_en", _("お問合せ先の部課（局名を除く）")),
    ("phone", _("お問合せ先の電話番号（例: 03-5388-2113）")),
    ("duty_count", _("公開中の業務内容例の数")),
    ("url_ja / url_en", _("局のページ")),
    ("created_at", _("サイトに登録された日時（ISO 8601、日本時間）")),
    ("updated_at", _("最後に変更された日時（ISO 8601、日本時間）")),
]
DUTY_FIELDS = [
    ("id", _("業務内容例の ID（「局の ID/業務の URL 用の名前」。変わりません）")),
    ("bureau_id", _("業務を担う局の ID")),
    ("title_ja / title_en", _("業務内容")),
    ("description_ja / description_en", _("補足説明（ない場合は空）")),
    ("themes", _("テーマ（id、name_ja、name_en の一覧）")),
    ("url_ja / url_en", _("業務のページ")),
    ("created_at", _("サイトに登録された日時（ISO 8601、日本時間）")),
    ("updated_at", _("最後に変更された日時（ISO 8601、日本時間）")),
    ("confirmed_at", _("局が最後に内容を確認した日（YYYY-MM-DD）。局による確認がまだのときは空")),
    ("source_ja / source_en", _("局による確認がまだのときの掲載内容の出典（ない場合は空）")),
]
DUTY_CSV_FIELDS = [
    ("id", _("業務内容例の ID（「局の ID/業務の URL 用の名前」。変わりません）")),
    ("bureau_id", _("業務を担う局の ID")),
    ("bureau_name_ja / bureau_name_en", _("局名")),
    ("title_ja / title_en", _("業務内容")),
    ("description_ja / description_en", _("補足説明（ない場合は空）")),
    ("theme_ids", _("テーマの ID（複数あるときは ; で区切ります）")),
    ("theme_names_ja / theme_names_en", _("テーマ名（theme_ids と同じ順に ; で区切ります）")),
    ("contact_section_ja / contact_section_en", _("お問合せ先の部課（局名を除く）")),
    ("phone", _("お問合せ先の電話番号（例: 03-5388-2113）")),
    ("url_ja / url_en", _("業務のページ")),
    ("created_at", _("サイトに登録された日時（ISO 8601、日本時間）")),
    ("updated_at", _("最後に変更された日時（ISO 8601、日本時間）")),
    ("confirmed_at", _("局が最後に内容を確認した日（YYYY-MM-DD）。局による確認がまだのときは空")),
    ("source_ja / source_en", _("局による確認がまだのときの掲載内容の出典（ない場合は空）")),
]
BUREAU_CSV_FIELDS = BUREAU_FIELDS


def field_names(documented):
    """The field names a documentation table covers: 'a_ja / a_en' stands for both."""
    return [name for names, _meaning in documented for name in names.split(" / ")]


# --- Records. ---------------------------------------------------------------------------


def timestamp(moment):
    """ISO 8601 in Japan time, to the second: 2026-11-26T09:30:00+09:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def page_urls(absolute, path_of):
    """{'url_ja': ..., 'url_en': ...}: the absolute address of a page in each language."""
    urls = {}
    for language in LANGUAGES:
        with translation.override(language):
            urls[f"url_{language}"] = absolute(path_of())
    return urls


def theme_record(theme, absolute, catalogue_path):
    return {
        "id": theme.slug,
        "name_ja": theme.name_ja,
        "name_en": theme.name_en,
        **page_urls(absolute, lambda: f"{catalogue_path()}?theme={theme.slug}"),
    }


def bureau_record(bureau, absolute):
    return {
        "id": bureau.slug,
        "name_ja": bureau.name_ja,
        "name_en": bureau.name_en,
        "contact_section_ja": bureau.contact_section_ja,
        "contact_section_en": bureau.contact_section_en,
        "phone": bureau.phone,
        "duty_count": len(bureau.published_duties),
        **page_urls(absolute, bureau.get_absolute_url),
        "created_at": timestamp(bureau.created_at),
        "updated_at": timestamp(bureau.updated_at),
    }


def duty_record(duty, absolute):
    return {
        "id": f"{duty.bureau.slug}/{duty.slug}",
        "bureau_id": duty.bureau.slug,
        "title_ja": duty.title_ja,
        "title_en": duty.title_en,
        "description_ja": duty.description_ja,
        "description_en": duty.description_en,
        "themes": [
            {"id": theme.slug, "name_ja": theme.name_ja, "name_en": theme.name_en}
            for theme in duty.themes.all()
        ],
        **page_urls(absolute, duty.get_absolute_url),
        "created_at": timestamp(duty.created_at),
        "updated_at": timestamp(duty.updated_at),
        "confirmed_at": duty.confirmed_at.isoformat() if duty.confirmed_at else None,
        "source_ja": duty.source_ja,
        "source_en": duty.source_en,
    }


def catalogue_records(*, bureaus, themes, absolute, catalogue_path, documentation_path):
    """The whole published catalogue as one JSON-ready dict.

    ``bureaus`` are the published bureaus, each with ``published_duties`` (their
    published duties, whose ``themes.all()`` gives the published themes);
    ``themes`` the published themes; ``absolute`` turns a path into a full URL;
    ``catalogue_path`` and ``documentation_path`` give the catalogue's and this
    documentation's path in the active language.
    """
    duties = [duty for bureau in bureaus for duty in bureau.published_duties]
    changes = [bureau.updated_at for bureau in bureaus] + [duty.updated_at for duty in duties]
    return {
        **DATASET,
        "license": LICENSE,
        **{
            f"documentation_{key}": url
            for key, url in page_urls(absolute, documentation_path).items()
        },
        "last_modified": timestamp(max(changes)) if changes else None,
        "themes": [theme_record(theme, absolute, catalogue_path) for theme in themes],
        "bureaus": [bureau_record(bureau, absolute) for bureau in bureaus],
        "duties": [duty_record(duty, absolute) for duty in duties],
    }


def duty_csv_rows(catalogue):
    """duties.csv as dicts keyed by column, from catalogue_records' output."""
    bureaus = {bureau["id"]: bureau for bureau in catalogue["bureaus"]}
    for duty in catalogue["duties"]:
        bureau = bureaus[duty["bureau_id"]]
        yield {
            "id": duty["id"],
            "bureau_id": duty["bureau_id"],
            "bureau_name_ja": bureau["name_ja"],
            "bureau_name_en": bureau["name_en"],
            "title_ja": duty["title_ja"],
            "title_en": duty["title_en"],
            "description_ja": duty["description_ja"],
            "description_en": duty["description_en"],
            **{
                column: LIST_SEPARATOR.join(theme[key] for theme in duty["themes"])
                for column, key in [
                    ("theme_ids", "id"),
                    ("theme_names_ja", "name_ja"),
                    ("theme_names_en", "name_en"),
                ]
            },
            "contact_section_ja": bureau["contact_section_ja"],
            "contact_section_en": bureau["contact_section_en"],
            "phone": bureau["phone"],
            "url_ja": duty["url_ja"],
            "url_en": duty["url_en"],
            "created_at": duty["created_at"],
            "updated_at": duty["updated_at"],
            "confirmed_at": duty["confirmed_at"] or "",
            "source_ja": duty["source_ja"],
            "source_en": duty["source_en"],
        }


def bureau_csv_rows(catalogue):
    """bureaus.csv as dicts keyed by column, from catalogue_records' output."""
    return catalogue["bureaus"]


# --- Files. -----------------------------------------------------------------------------


def to_json(catalogue):
    """catalogue.json: UTF-8, Japanese left readable rather than escaped."""
    return json.dumps(catalogue, ensure_ascii=False, indent=2) + "\n"


def spreadsheet_safe(value):
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading '."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(rows, columns):
    """CSV that Excel opens correctly in Japanese: UTF-8 with a BOM, CRLF line ends,
    a header row, every cell quoted, and no cell that a spreadsheet would run."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row[column]) for column in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
