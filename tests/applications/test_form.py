"""Validation of the pre-consultation form: clear messages, nothing typed lost."""

import pytest

from applications.forms import ConsultationForm, normalise_phone
from tests.applications.helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("03-5388-2374", "03-5388-2374"),
        ("０３－５３８８－２３７４", "03-5388-2374"),
        ("03ー5388ー2374", "03-5388-2374"),  # katakana long vowel mark as a dash
        ("03−5388−2374", "03-5388-2374"),  # minus sign
        ("0353882374", "0353882374"),
        ("03 5388 2374", "03-5388-2374"),
        ("(03) 5388-2374", "03-5388-2374"),
        ("+81-3-5388-2374", "03-5388-2374"),
        ("＋８１ ３ ５３８８ ２３７４", "03-5388-2374"),
        ("090-1234-5678", "090-1234-5678"),
        ("09012345678", "09012345678"),
        ("0422-12-3456", "0422-12-3456"),
    ],
)
def test_japanese_phone_formats_are_accepted_and_normalised(typed, normalised):
    assert normalise_phone(typed) == normalised


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "5388-2374",
        "03-5388-237",
        "03-5388-23745-1",
        "tel:0353882374",
        "03-5388-2374 ext 5",
        "+1-212-555-0100",
        "０３５３８８２３７",
    ],
)
def test_malformed_phone_numbers_are_refused(typed):
    assert normalise_phone(typed) is None


def bound(**overrides):
    form = ConsultationForm(form_data(**overrides))
    form.is_valid()
    return form


def test_valid_data_is_accepted():
    form = bound()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "03-1234-5678"
    assert form.cleaned_data["desired_start"].day == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("company_name", "", "このフィールドは必須です。"),
        ("company_name", "株式会社" * 60, "200"),
        ("company_name", "東京\r\nBcc: victim@example.com", "改行は入力できません"),
        ("contact_name", "山田\n花子", "改行は入力できません"),
        ("department", "人事部\r", None),  # a trailing CR is stripped as white space
        ("email", "not-an-email", "メールアドレスは hanako.yamada@example.co.jp のような形"),
        ("email", "a@b.example\nBcc: x@y.example", "改行は入力できません"),
        ("phone", "123", "電話番号は 03-5388-2374 のように"),
        ("desired_months", "37", "36"),
        ("desired_months", "0", "1"),
        ("desired_start", "2020-01", "今月以降"),
        ("desired_start", "来年の春", "日付"),
        ("licensing_relation", "maybe", "正しく選択"),
        ("acknowledge", None, "個人情報の取扱いへの同意が必要です"),
        ("message", "あ" * 4001, "4000"),
        ("duties", ["999999"], "現在掲載されていません"),
        ("bureaus", ["not-a-number"], "現在掲載されていません"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(field, value, message):
    form = bound(**{field: value})
    if message is None and field == "department":
        assert form.is_valid(), form.errors
        return
    assert not form.is_valid()
    assert field in form.errors
    if message:
        assert any(message in error for error in form.errors[field]), form.errors[field]


def test_other_industry_needs_its_name():
    form = bound(industry="other", industry_other="")
    assert "industry_other" in form.errors
    assert bound(industry="other", industry_other="宇宙").is_valid()


def test_a_bureau_a_duty_or_a_proposal_is_needed():
    form = bound(duties=[], bureaus=[], other_duties="")
    assert "bureaus" in form.errors
    assert bound(duties=[], other_duties="データ分析の業務").is_valid()


def test_the_honeypot_and_a_too_fast_submission_are_refused_without_losing_input():
    filled = bound(website="http://spam.example")
    assert not filled.is_valid()
    assert filled.non_field_errors()
    too_fast = ConsultationForm(form_data(started=ConsultationForm().initial["started"]))
    assert not too_fast.is_valid()
    assert too_fast.non_field_errors()
    assert too_fast["company_name"].value() == "東京エネルギー株式会社"
    forged = bound(started="12345")
    assert not forged.is_valid()


def test_error_summary_links_each_error_to_its_control():
    form = bound(company_name="", licensing_relation="", duties=[], other_duties="")
    anchors = dict(form.error_summary())
    assert "id_company_name" in anchors
    assert "id_licensing_relation_0" in anchors
    assert "id_bureaus_0" in anchors


def test_unpublished_duties_cannot_be_chosen():
    from bureaus.models import Duty

    duty = Duty.objects.get(slug="hydrogen-society")
    duty.is_published = False
    duty.save()
    assert "duties" in bound(duties=[str(duty.pk)]).errors
