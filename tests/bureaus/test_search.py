"""Keyword folding and the duty matching rule."""

import pytest

from bureaus.search import MAX_KEYWORD_LENGTH, normalise_for_search, normalise_keyword
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
        ("  水素\u3000社会 ", "水素 社会"),  # ideographic space and padding
        ("", ""),
    ],
)
def test_keyword_folding_makes_width_and_case_variants_equal(typed, folded):
    assert normalise_keyword(typed) == folded


def test_stored_text_and_keyword_fold_the_same_way():
    stored = normalise_for_search("東京都のＩＣＴを活用した施策", "ICT policy")
    assert normalise_keyword("ｉＣｔ") in stored
    assert normalise_keyword("ＩＣＴを活用") in stored


def test_keyword_is_cut_to_a_sane_length():
    assert len(normalise_keyword("あ" * 5000)) == MAX_KEYWORD_LENGTH


def test_missing_keyword_folds_to_empty():
    assert normalise_keyword(None) == ""


@pytest.mark.django_db
def test_duty_keeps_its_search_text_in_step_with_its_texts():
    duty = make_duty(title_ja="水素社会実現に向けた取組", title_en="Hydrogen")
    assert "水素社会" in duty.search_text
    duty.description_en = "ＦＵＥＬ cells"
    duty.save()
    assert "fuel cells" in duty.search_text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("keyword", "theme_slug", "expected"),
    [
        ("", "", True),
        ("水素", "", True),
        ("hydrogen", "", True),
        ("環境局", "", True),  # the bureau's name
        ("bureau of environment", "", True),
        ("電気", "", False),
        ("", "green", True),
        ("", "other", False),
        ("水素", "green", True),
        ("水素", "other", False),
        ("電気", "green", False),
    ],
)
def test_duty_matches_keyword_and_theme_together(keyword, theme_slug, expected):
    green = make_theme(slug="green")
    make_theme(slug="other")
    bureau = make_bureau(name_ja="環境局", name_en="Bureau of Environment")
    duty = make_duty(
        bureau=bureau, themes=[green], title_ja="水素社会", title_en="Hydrogen society"
    )
    assert duty.matches(keyword, theme_slug) is expected
