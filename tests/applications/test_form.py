"""Validation of the pre-consultation form: clear messages, nothing typed lost."""

import pytest

from applications.forms import ConsultationForm
from tests.applications.helpers import form_data

pytestmark = pytest.mark.django_db


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
        ("company_name", "", "「企業・団体名」を入力してください。"),
        ("industry", "", "「業種」を選んでください。"),
        ("company_name", "株式会社" * 60, "「企業・団体名」は 200 文字以内"),
        ("company_name", "東京\r\nBcc: victim@example.com", "改行は入力できません"),
        ("contact_name", "山田\n花子", "改行は入力できません"),
        ("department", "人事部\r", None),  # a trailing CR is stripped as white space
        ("email", "not-an-email", "メールアドレスは hanako.yamada@example.co.jp のような形"),
        ("email", "a@b.example\nBcc: x@y.example", "改行は入力できません"),
        ("phone", "123", "「電話番号」は 03-5388-2374 のように"),
        ("desired_months", "37", "「希望する期間（月数）」は 36 以下"),
        ("desired_months", "0", "「希望する期間（月数）」は 1 以上"),
        ("desired_months", "三", "「希望する期間（月数）」は 1 から 36 までの数字"),
        ("desired_start", "2020-01", "今月以降"),
        ("desired_start", "来年の春", "年と月を入力してください"),
        ("licensing_relation", "", "「処分・許認可・行政指導の関係」を選んでください。"),
        ("licensing_relation", "maybe", "示された選択肢から選んでください"),
        ("acknowledge", None, "個人情報の取扱いへの同意が必要です"),
        (
            "message",
            "あ" * 4001,
            "「ご相談内容」は 4000 文字以内で入力してください（いまは 4001 文字です）。",
        ),
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
    duty.publication_state = "withdrawn"
    duty.save()
    assert "duties" in bound(duties=[str(duty.pk)]).errors
