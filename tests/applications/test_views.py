"""The pre-consultation pages through the test client: PRG, resubmission, limits, escaping."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import Inquiry, Notification
from applications.outbox import deliver_notifications
from bureaus.models import Duty
from tests.applications.helpers import form_data

pytestmark = pytest.mark.django_db

FORM, CONFIRM, DONE = "/consultation/", "/consultation/confirm/", "/consultation/done/"


def to_confirm(client, prefix="", **overrides):
    response = client.post(prefix + FORM, form_data(client, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(prefix + CONFIRM)
    assert page.status_code == 200
    return page


def confirm(client, prefix=""):
    token = client.get(prefix + CONFIRM).context["draft_digest"]
    return client.post(prefix + CONFIRM, {"draft": token})


def test_the_empty_form_answers_with_one_h1(client):
    html = client.get(FORM).content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "必須" in html and "任意" in html


def test_a_duty_page_link_preselects_that_duty(client):
    duty = Duty.objects.get(slug="hydrogen-society")
    detail = client.get(duty.get_absolute_url()).content.decode()
    assert f'href="{FORM}?duty=environment/hydrogen-society"' in detail
    form = client.get(FORM, {"duty": "environment/hydrogen-society"}).context["form"]
    assert [d.pk for d in form.initial["duties"]] == [duty.pk]


def test_a_bureau_page_link_preselects_that_bureau(client):
    form = client.get(FORM, {"bureau": "audit"}).context["form"]
    assert [b.slug for b in form.initial["bureaus"]] == ["audit"]


def test_an_unknown_preselection_is_ignored(client):
    response = client.get(FORM, {"duty": "nowhere/nothing", "bureau": "<script>"})
    assert response.status_code == 200
    assert response.context["form"].initial["duties"] == []


def test_invalid_input_is_shown_again_with_a_summary_and_nothing_lost(client):
    response = client.post(
        FORM, form_data(client, email="wrong", phone="12", company_name="<b>株式会社テスト</b>")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "入力内容に誤りがあります" in html
    assert 'href="#id_email"' in html and 'href="#id_phone"' in html
    assert 'value="&lt;b&gt;株式会社テスト&lt;/b&gt;"' in html
    assert 'value="wrong"' in html
    assert "<b>株式会社テスト</b>" not in html
    assert Inquiry.objects.count() == 0


def test_confirm_shows_every_answer_and_the_restriction_note(client):
    html = to_confirm(client).content.decode()
    for text in [
        "東京エネルギー株式会社",
        "hanako.yamada@energy.example",
        "03-1234-5678",
        "水素社会実現に向けた取組",
        "24 か月",
    ]:
        assert text in html
    assert "補助金等の交付について関係する場合は" in html
    assert "「わからない」と回答されたため" in html
    assert Inquiry.objects.count() == 0


def test_edit_brings_the_answers_back(client):
    to_confirm(client)
    form = client.get(FORM, {"edit": "1"}).context["form"]
    assert form["company_name"].value() == "東京エネルギー株式会社"
    assert not form.errors


def test_confirm_without_a_draft_goes_back_to_the_form(client):
    assert client.get(CONFIRM).url == FORM
    assert client.post(CONFIRM, {"token": "x"}).url == FORM


def test_submitting_twice_creates_one_inquiry(client, django_capture_on_commit_callbacks):
    to_confirm(client)
    token = client.get(CONFIRM).context["draft_digest"]
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(CONFIRM, {"draft": token})
        second = client.post(CONFIRM, {"draft": token})  # a second click on 送信
    assert first.url == DONE
    # The same done page and reference, not an empty form; nothing sent twice.
    assert second.url == DONE
    reference = Inquiry.objects.get().reference
    assert reference in client.get(DONE).content.decode()
    assert Inquiry.objects.count() == 1
    assert deliver_notifications() == 3
    assert len(mail.outbox) == 3


def test_a_double_click_with_the_draft_still_there_finds_the_same_inquiry(client):
    from applications.intake import submit_inquiry

    to_confirm(client)
    digest = client.get(CONFIRM).context["draft_digest"]
    form = client.get(CONFIRM).context["form"]
    # The same request, already sent by the first of two clicks.
    submit_inquiry(
        token=client.session["consultation_draft"]["token"],
        language="ja",
        answers=form.inquiry_answers(),
        bureaus=[],
        duties=form.cleaned_data["duties"],
    )
    response = client.post(CONFIRM, {"draft": digest})
    assert response.url == DONE
    assert Inquiry.objects.count() == 1
    assert Notification.objects.count() == 3


def test_a_wrong_digest_submits_nothing_and_shows_the_draft_again(client):
    to_confirm(client)
    response = client.post(CONFIRM, {"draft": "forged"})
    assert response.status_code == 200
    assert "入力内容が別の画面で変更されたため、送信していません" in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_the_done_page_needs_a_submission_in_this_session(client):
    assert client.get(DONE).url == FORM


def test_the_reference_opens_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        to_confirm(client)
        confirm(client)
    reference = Inquiry.objects.get().reference
    assert client.get(DONE.replace("done/", f"done/{reference}/")).status_code == 404
    other = client.__class__()
    assert other.get(DONE).url == FORM


def test_the_submission_limit_answers_429_and_keeps_the_draft(client, settings):
    settings.CONSULTATION_SUBMISSIONS_PER_HOUR = 2
    for _ in range(2):
        to_confirm(client)
        assert confirm(client).url == DONE
    to_confirm(client)
    response = confirm(client)
    assert response.status_code == 429
    assert "送信の回数が上限に達しました" in response.content.decode()
    assert Inquiry.objects.count() == 2
    assert client.get(CONFIRM).status_code == 200


def test_an_english_request_is_recorded_in_english(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        to_confirm(client, prefix="/en")
        assert confirm(client, prefix="/en").url == "/en" + DONE
    assert Inquiry.objects.get().language == "en"
    deliver_notifications()
    acknowledgement = next(m for m in mail.outbox if m.to == ["hanako.yamada@energy.example"])
    assert "We have received your request" in acknowledgement.body


def test_script_in_answers_is_escaped_on_the_pages_and_in_admin(
    client, admin_client, django_capture_on_commit_callbacks
):
    payload = '<script>alert("x")</script>'
    with django_capture_on_commit_callbacks(execute=True):
        html = to_confirm(client, message=payload, main_business=payload).content.decode()
        confirm(client)
    assert payload not in html
    assert "&lt;script&gt;" in html
    inquiry = Inquiry.objects.get()
    assert inquiry.message == payload  # stored as typed
    admin_html = admin_client.get(
        reverse("admin:applications_inquiry_change", args=[inquiry.pk])
    ).content.decode()
    assert payload not in admin_html
    assert "&lt;script&gt;" in admin_html


def test_admin_lists_inquiries_with_their_bureaus_and_delivery(
    admin_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        to_confirm(client)
        confirm(client)
    deliver_notifications()
    inquiry = Inquiry.objects.get()
    listing = admin_client.get(reverse("admin:applications_inquiry_changelist")).content.decode()
    assert inquiry.reference in listing and "環境局" in listing and "受付" in listing
    change = admin_client.get(
        reverse("admin:applications_inquiry_change", args=[inquiry.pk])
    ).content.decode()
    assert "送信済み" in change
    assert 'name="company_name"' not in change  # answers are read-only
    assert admin_client.get(reverse("admin:applications_inquiry_add")).status_code == 403
