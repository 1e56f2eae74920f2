"""Keyword search: the folding, and a table of queries with the duties each must find
on the flyer's catalogue, in each language's page."""

import pytest
from django.utils import translation

from bureaus.search import MAX_QUERY_LENGTH, MAX_QUERY_WORDS, fold, query_words
from tests.conftest import make_bureau, make_duty, make_theme


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("ＩＣＴ", "ict"),
        ("ICT", "ict"),
        ("ｉｃｔ", "ict"),
        ("３", "3"),
        ("第８期", "第8期"),
        ("（ＺＥＶ）", "(zev)"),
        ("ﾃﾞｼﾞﾀﾙ", "デジタル"),  # half-width katakana
        ("でじたる", "デジタル"),  # hiragana
        ("プラスティック", "プラスチック"),  # ティ / チ
        ("ヴァイオリン", "バイオリン"),  # ヴァ / バ
        ("ウィンドウ", "ウインドウ"),  # small ィ / イ
        ("コンピューター", "コンピュタ"),  # long-vowel marks dropped
        ("コンピュータ", "コンピュタ"),
        ("ディスク", "ジスク"),  # ディ / ジ
        ("  水素\u3000社会 ", "水素 社会"),  # ideographic space and padding
        ("", ""),
    ],
)
def test_folding_makes_spelling_width_script_and_case_variants_equal(typed, folded):
    assert fold(typed) == folded


def test_a_query_is_split_into_words_and_bounded():
    assert query_words("水素　環境 ") == ["水素", "環境"]
    assert query_words(None) == []
    assert len("".join(query_words("あ" * 5000))) == MAX_QUERY_LENGTH
    assert len(query_words(" ".join(["w"] * 50))) == MAX_QUERY_WORDS


@pytest.mark.django_db
def test_a_duty_keeps_its_search_texts_in_step_with_its_texts():
    duty = make_duty(title_ja="水素社会実現に向けた取組", title_en="Hydrogen")
    assert "水素社会" in duty.search_text_ja
    assert "hydrogen" in duty.search_text_en and "水素" not in duty.search_text_en
    duty.description_en = "ＦＵＥＬ cells"
    duty.save()
    assert "fuel cells" in duty.search_text_en
    untranslated = make_duty(title_ja="暑さ対策", title_en="")
    assert fold("暑さ対策") in untranslated.search_text_en  # What the English page shows.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("words", "theme_slug", "language", "expected"),
    [
        ([], "", "ja", True),
        (["水素"], "", "ja", True),
        (["hydrogen"], "", "en", True),
        (["hydrogen"], "", "ja", False),  # The Japanese page searches Japanese.
        (["水素"], "", "en", False),
        (["環境局"], "", "ja", True),  # The bureau's name.
        (["bureau", "environment"], "", "en", True),
        (["緑"], "", "ja", True),  # A theme's name.
        (["green"], "", "en", True),
        (["電気"], "", "ja", False),
        (["水素", "電気"], "", "ja", False),  # Every word must match.
        ([], "green", "ja", True),
        ([], "other", "ja", False),
        (["水素"], "green", "ja", True),
        (["水素"], "other", "ja", False),
    ],
)
def test_a_duty_matches_every_word_and_the_theme_in_the_page_s_language(
    words, theme_slug, language, expected
):
    green = make_theme(slug="green", name_ja="緑のまち", name_en="Green city")
    make_theme(slug="other")
    bureau = make_bureau(name_ja="環境局", name_en="Bureau of Environment")
    duty = make_duty(
        bureau=bureau, themes=[green], title_ja="水素社会", title_en="Hydrogen society"
    )
    assert duty.matches(words, theme_slug, language) is expected


# What visitors type, and the flyer's duties (bureau/duty) each query must find: exactly
# these, on the page of that language.
QUERIES = [
    ("ja", "プラスチック", {"environment/single-use-plastics"}),
    ("ja", "プラスティック", {"environment/single-use-plastics"}),
    ("ja", "ぷらすちっく", {"environment/single-use-plastics"}),
    ("ja", "ﾌﾟﾗｽﾁｯｸ", {"environment/single-use-plastics"}),
    ("ja", "水素", {"environment/hydrogen-society"}),
    ("ja", "水素 環境", {"environment/hydrogen-society"}),
    ("ja", "水素　環境局", {"environment/hydrogen-society"}),
    ("ja", "水素 福祉", set()),
    (
        "ja",
        "デジタル",
        {"general-affairs/ict-policy"},
    ),
    ("ja", "でじたる", {"general-affairs/ict-policy"}),
    ("ja", "ICT", {"general-affairs/ict-policy"}),
    ("ja", "ｉｃｔ", {"general-affairs/ict-policy"}),
    (
        "ja",
        "財務",
        {
            "policy-planning/international-financial-city",
            "general-affairs/affiliated-organisations-management",
            "accounting/public-funds-management",
        },
    ),
    ("ja", "EV", {"environment/zero-emission-vehicles"}),  # ZEV, not "every" or "prevention".
    ("ja", "ZEV", {"environment/zero-emission-vehicles"}),
    ("ja", "ゼロエミッションビークル", {"environment/zero-emission-vehicles"}),  # No ・
    ("ja", "ゼロエミッション", {"environment/zero-emission-vehicles"}),
    ("ja", "ビークル", {"environment/zero-emission-vehicles"}),
    ("ja", "暑さ", {"environment/heat-countermeasures"}),
    ("ja", "広報 防災", {"general-affairs/disaster-prevention"}),
    ("ja", "第８期", {"social-welfare-public-health/elderly-welfare-plan"}),
    ("ja", "NPO", {"citizens-culture/npo-certification"}),
    ("ja", "多摩", {"industrial-labour/tama-timber"}),
    ("ja", "監査事務局", {"audit/audits"}),
    (
        "ja",
        "観光",
        {
            "industrial-labour/industrial-employment-policy",
            "industrial-labour/tourism-plan",
            "industrial-labour/work-style-reform",
        },
    ),
    ("ja", "hydrogen", set()),  # English words on the Japanese page find nothing.
    ("en", "hydrogen", {"environment/hydrogen-society"}),
    ("en", "HYDROGEN", {"environment/hydrogen-society"}),
    ("en", "plastics", {"environment/single-use-plastics"}),
    ("en", "zero emission", {"environment/zero-emission-vehicles"}),
    ("en", "digital", {"general-affairs/ict-policy"}),
    (
        "en",
        "finance",
        {
            "policy-planning/international-financial-city",
            "general-affairs/affiliated-organisations-management",
            "accounting/public-funds-management",
        },
    ),
    ("en", "tourism plans", {"industrial-labour/tourism-plan"}),
    ("en", "水素", set()),  # Japanese on the English page: it shows English titles.
    ("en", "audit", {"audit/audits"}),
]


def catalogue_finds(client, language, query):
    prefix = "/en" if language == "en" else ""
    response = client.get(f"{prefix}/bureaus/", {"q": query})
    assert response.status_code == 200
    return {
        f"{duty.bureau.slug}/{duty.slug}"
        for _bureau, duties in response.context["sections"]
        for duty in duties
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "query", "expected"), QUERIES)
def test_each_query_finds_exactly_its_duties_on_its_language_s_page(
    client, language, query, expected
):
    with translation.override(language):
        assert catalogue_finds(client, language, query) == expected
