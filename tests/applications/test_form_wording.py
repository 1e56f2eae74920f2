"""What the applicant reads on the form's three pages: one required question where one
of three answers will do, messages that name the field and the fix, every recipient on
the confirm page, and on the done page what happens next and by when."""

import re
from datetime import date

import pytest
from django.utils import timezone

from applications.models import Inquiry
from bureaus.models import Duty
from core.models import InquiryWindow
from tests.applications.helpers import form_data

pytestmark = pytest.mark.django_db

FORM, CONFIRM, DONE = "/consultation/", "/consultation/confirm/", "/consultation/done/"


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_three_ways_to_say_what_is_wanted_are_one_required_question(client, prefix):
    html = client.get(prefix + FORM).content.decode()
    question = html.split('id="one-of-question"', 1)[1].split("</fieldset>\n</fieldset>", 1)[0]
    legend = question.split("</legend>", 1)[0]
    required = "必須" if not prefix else "Required"
    assert required in text(legend)
    # None of the three is tagged on its own: no tag contradicts the validation.
    for name in ("bureaus", "duties", "other_duties"):
        block = html.split(f'id="div_id_{name}"', 1)[1].split('<div id="div_id_', 1)[0]
        assert "requirement-tag" not in block, name
    # Every other field's tag matches whether it is required.
    optional = "任意" if not prefix else "Optional"
    company = html.split('id="div_id_company_name"', 1)[1].split("</label>", 1)[0]
    job = html.split('id="div_id_job_title"', 1)[1].split("</label>", 1)[0]
    assert required in company and optional in job


def test_no_message_is_a_bare_this_field_is_required(client):
    response = client.post(FORM, {"started": form_data(client)["started"]})
    form = response.context["form"]
    messages = [str(error) for errors in form.errors.values() for error in errors]
    assert messages
    for message in messages:
        assert "このフィールドは必須です" not in message
    summary = [message for _anchor, message in form.error_summary()]
    for message in summary:
        assert "。:" not in message and "。：" not in message and "?:" not in message
    assert "「処分・許認可・行政指導の関係」を選んでください。" in summary
    assert "「企業・団体名」を入力してください。" in summary


def test_english_messages_name_the_field_in_english(client):
    response = client.post("/en" + FORM, {"desired_months": "99", "desired_start": "soon"})
    summary = [message for _anchor, message in response.context["form"].error_summary()]
    assert "Enter “Company or organisation”." in summary, summary
    assert "Enter a number of at most 36 for “Preferred length (months)”." in summary
    for message in summary:
        assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", message), message


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("令和9年4月", "2027年4月"), ("2027/4", "2027年4月"), ("2027-04", "2027年4月")],
)
def test_a_month_typed_any_common_way_is_shown_back_as_year_and_month(client, typed, shown):
    data = form_data(client, desired_start=typed)
    if date(2027, 4, 1) < timezone.localdate().replace(day=1):
        pytest.skip("the example month is in the past")
    assert client.post(FORM, data).status_code == 302
    confirm = client.get(CONFIRM).content.decode()
    assert shown in text(confirm)
    # Back on the form to correct something, it is as the applicant typed it.
    form = client.get(FORM, {"edit": "1"}).content.decode()
    assert f'value="{typed}"' in form


def test_a_phone_with_an_extension_is_accepted_and_stored_normalised(client):
    assert client.post(FORM, form_data(client, phone="03-5388-2374 ext. 123")).status_code == 302
    assert "03-5388-2374 内線123" in text(client.get(CONFIRM).content.decode())


def test_the_confirm_page_lists_every_recipient_and_the_consent_with_its_notice(client):
    hydrogen = Duty.objects.get(slug="hydrogen-society")
    other_bureau_duty = Duty.objects.get(slug="tourism-plan")
    data = form_data(
        client, duties=[hydrogen.pk, other_bureau_duty.pk], bureaus=[hydrogen.bureau.pk]
    )
    client.post(FORM, data)
    html = client.get(CONFIRM).content.decode()
    recipients = text(html.split('id="recipients-heading"', 1)[1].split("</section>", 1)[0])
    assert recipients.count("環境局") == 1  # Chosen, and the bureau of a chosen duty: once.
    assert "産業労働局" in recipients  # Only through its duty.
    assert InquiryWindow.objects.get().name_ja in recipients
    privacy = text(html.split('id="privacy-heading"', 1)[1].split("</section>", 1)[0])
    assert "利用目的" in privacy and "上記の個人情報の取扱いに同意しています。" in privacy
    answers = text(html.split('class="confirm-list"', 1)[1].split("</dl>", 1)[0])
    assert "同意" not in answers


def test_the_done_page_says_what_happens_next_by_when_and_shows_the_reference_whole(
    client, settings
):
    settings.INQUIRY_REPLY_BUSINESS_DAYS = 5
    client.post(FORM, form_data(client))
    digest = client.get(CONFIRM).context["draft_digest"]
    client.post(CONFIRM, {"draft": digest})
    html = client.get(DONE).content.decode()
    inquiry = Inquiry.objects.get()
    reply_by = inquiry.routes.get().reply_by
    words = text(html)
    assert f"{reply_by.year}年{reply_by.month}月{reply_by.day}日までに" in words
    assert "土日・祝日と年末年始を除く 5 日以内" in words
    assert "迷惑メール" in words
    assert re.search(
        rf'<strong class="reference" translate="no">{inquiry.reference}</strong>', html
    )
