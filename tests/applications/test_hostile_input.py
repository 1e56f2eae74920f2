"""Hostile input on the pre-consultation form: addresses and one-line fields, drafts,
two tabs, the fill-time token, and what the acknowledgement may carry."""

import secrets
import time
import uuid

import pytest
from django.core.mail.backends.smtp import EmailBackend
from django.test import Client

from applications.forms import ApplicantEmailField, ConsultationForm, SingleLineField
from applications.intake import submit_inquiry
from applications.models import Inquiry, Notification, NotificationKind
from bureaus.models import Bureau, Duty
from core.mailer import address_for_smtp
from tests.applications.helpers import form_data, inquiry_answers

pytestmark = pytest.mark.django_db

FORM, CONFIRM, DONE = "/consultation/", "/consultation/confirm/", "/consultation/done/"

# --- 1. Addresses and one-line fields. ---------------------------------------------------

REFUSED_ADDRESSES = {
    "control character in a quoted local part": '"bad\x01name"@energy.example',
    "host-only domain": "hanako@localhost",
    "bare host": "hanako@intranet",
    "IP-literal domain": "hanako@[10.0.0.1]",
    "IPv6 literal": "hanako@[IPv6:::1]",
    "bidi override": "hanako\u202e@energy.example",
    "two addresses": "a@energy.example, b@energy.example",
    "non-ASCII local part": "山田@energy.example",
    "line break": "hanako@energy.example\r\nBcc: x@evil.example",
    "NUL": "hanako\x00@energy.example",
}


@pytest.mark.parametrize("address", REFUSED_ADDRESSES.values(), ids=REFUSED_ADDRESSES.keys())
def test_the_form_refuses_an_address_no_mailer_should_take_with_a_message_by_the_field(
    client, address
):
    response = client.post(FORM, form_data(client, email=address))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["email"]
    assert form.data["email"] == address  # What was typed is kept for correcting.
    assert 'href="#id_email"' in response.content.decode()  # ... and in the summary.
    assert not client.session.get("consultation_draft")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ｈａｎａｋｏ＠ｅｎｅｒｇｙ．ｅｘａｍｐｌｅ", "hanako@energy.example"),
        (" hanako.yamada@energy.example ", "hanako.yamada@energy.example"),
        ("hanako@例え.example", "hanako@例え.example"),
    ],
)
def test_an_address_is_width_normalised_and_accepted_as_the_mailer_sends_it(typed, stored):
    assert ApplicantEmailField().clean(typed) == stored
    address_for_smtp(stored)


ADDRESS_CORPUS = [
    "hanako@energy.example",
    '"quoted name"@energy.example',
    '"bad\x01"@energy.example',
    "hanako@例え.example",
    "山田@energy.example",
    "a@b, c@d",
    "hanako@[10.0.0.1]",
    "no-at-sign",
    "hanako@energy.example\r\nBcc: x@evil.example",
    "Hanako <hanako@energy.example>",
]


@pytest.mark.parametrize("address", ADDRESS_CORPUS)
def test_the_form_s_address_check_agrees_with_the_smtp_backend(address):
    # core.mailer.address_for_smtp mirrors Django's EmailBackend.prep_address: the
    # two must accept and refuse the same addresses, and give the same wire form.
    backend = EmailBackend(host="127.0.0.1", port=25, alias="default")
    try:
        expected = backend.prep_address(address)
    except ValueError:
        with pytest.raises(ValueError):
            address_for_smtp(address)
    else:
        assert address_for_smtp(address) == expected


INVISIBLE = {
    "bidi override RLO": "\u202e",
    "bidi isolate FSI": "\u2068",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "vertical tab": "\x0b",
    "form feed": "\x0c",
    "next line NEL": "\x85",
    "zero-width joiner": "\u200d",
    "NUL": "\x00",
}


@pytest.mark.parametrize("field", ["company_name", "contact_name", "department", "job_title"])
@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_a_one_line_field_refuses_control_and_format_characters(client, field, char):
    typed = f"東京{char}エネルギー"
    response = client.post(FORM, form_data(client, **{field: typed}))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors, field
    assert response.context["form"].data[field] == typed


def test_width_is_normalised_before_anything_is_checked():
    assert SingleLineField().clean("ﾄｳｷｮｳ　ＥＮＥＲＧＹ（株）") == "トウキョウ ENERGY(株)"
    # A full-width space is not a control character: normalised, not refused.
    assert SingleLineField().clean("人事部\u3000人事課") == "人事部 人事課"


# --- 2. Drafts. ------------------------------------------------------------------------


def session_bytes(client):
    """What the session holds for the visitor, as the session store encodes it."""
    session = client.session
    return len(session.encode(session._get_session(no_load=False)))


def test_a_draft_keeps_only_the_form_s_own_fields_and_stays_small(client):
    # 1.9 MB of random (incompressible) text in a field the form does not have.
    junk = secrets.token_urlsafe(1_400_000)
    response = client.post(FORM, {**form_data(client), "extra": junk, "another": ["x"] * 500})
    assert response.status_code == 302
    draft = client.session["consultation_draft"]["data"]
    assert set(draft) <= set(ConsultationForm.base_fields)
    assert "extra" not in draft and "another" not in draft
    assert session_bytes(client) < 20_000


def test_a_repeated_choice_is_kept_once(client):
    duty = Duty.objects.get(slug="hydrogen-society")
    response = client.post(FORM, form_data(client, duties=[str(duty.pk)] * 900))
    assert response.status_code == 302
    assert client.session["consultation_draft"]["data"]["duties"] == [str(duty.pk)]
    assert session_bytes(client) < 20_000


def test_an_answer_longer_than_its_field_is_refused_and_not_stored(client):
    response = client.post(FORM, form_data(client, message="あ" * 300_000))
    assert response.status_code == 200
    assert response.context["form"].errors["message"]
    assert "consultation_draft" not in client.session


def test_a_body_beyond_django_s_upload_limits_gets_a_400_and_nothing_is_stored(client):
    response = client.post(FORM, form_data(client, message="あ" * 1_000_000))  # 3 MB
    assert response.status_code == 400
    assert "consultation_draft" not in client.session


def test_step_one_posts_are_limited_per_visitor_and_the_429_page_keeps_the_draft(client, settings):
    settings.CONSULTATION_DRAFTS_PER_HOUR = 3
    assert client.post(FORM, form_data(client, company_name="最初の株式会社")).status_code == 302
    kept = client.session["consultation_draft"]
    for _ in range(2):
        client.post(FORM, form_data(client, email="wrong"))
    response = client.post(FORM, form_data(client, company_name="上書きする株式会社"))
    assert response.status_code == 429
    assert "入力内容は保存されています" in response.content.decode()
    assert client.session["consultation_draft"] == kept
    # The visitor continues from the draft, as the page says.
    assert "最初の株式会社" in client.get(CONFIRM).content.decode()
    # Another visitor is not held back.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert other.post(FORM, form_data(other)).status_code == 302


# --- 3. Two tabs. ------------------------------------------------------------------------


def test_confirming_a_tab_after_the_other_tab_changed_the_draft_sends_nothing(client):
    environment = Duty.objects.get(slug="hydrogen-society")
    other_bureau = Bureau.objects.exclude(pk=environment.bureau_id).first()
    # Tab A: fill in, reach the confirm page, keep its button.
    client.post(FORM, form_data(client, company_name="タブA株式会社"))
    tab_a = client.get(CONFIRM).context["draft_digest"]
    # Tab B: fill in something else, for another bureau.
    client.post(
        FORM,
        form_data(client, company_name="タブB株式会社", duties=None, bureaus=[other_bureau.pk]),
    )

    response = client.post(CONFIRM, {"draft": tab_a})

    assert response.status_code == 200
    assert not Inquiry.objects.exists()
    html = response.content.decode()
    assert "入力内容が別の画面で変更されたため、送信していません" in html
    assert "タブB株式会社" in html and "タブA株式会社" not in html
    # Confirming what is shown now sends that, to the bureau chosen there.
    response = client.post(CONFIRM, {"draft": response.context["draft_digest"]})
    assert response.url == DONE
    inquiry = Inquiry.objects.get()
    assert inquiry.company_name == "タブB株式会社"
    assert list(inquiry.bureaus.all()) == [other_bureau]


def test_a_second_click_on_send_shows_the_same_done_page_and_reference(client):
    client.post(FORM, form_data(client))
    digest = client.get(CONFIRM).context["draft_digest"]
    assert client.post(CONFIRM, {"draft": digest}).url == DONE
    reference = Inquiry.objects.get().reference

    again = client.post(CONFIRM, {"draft": digest}, follow=True)

    assert again.redirect_chain == [(DONE, 302)]
    assert reference in again.content.decode()
    assert Inquiry.objects.count() == 1
    assert Notification.objects.filter(kind=NotificationKind.ACKNOWLEDGEMENT).count() == 1


# --- 7. The fill-time token: bound to the session, and expiring. --------------------------


def token_from_the_page(client):
    return client.get(FORM).context["form"].initial["started"]


def test_a_fill_time_token_from_one_session_is_refused_in_another(client, settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    token = token_from_the_page(client)
    assert client.post(FORM, form_data(client, started=token)).status_code == 302

    other = Client()
    other.get(FORM)
    response = other.post(FORM, form_data(other, started=token))
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "spam_guard")


def test_an_expired_fill_time_token_asks_again_and_keeps_what_was_typed(
    client, settings, monkeypatch
):
    settings.CONSULTATION_FORM_VALID_HOURS = 1
    client.get(FORM)
    two_hours_ago = time.time() - 7200
    monkeypatch.setattr(time, "time", lambda: two_hours_ago)  # The signature's timestamp.
    token = ConsultationForm(visitor=client.cookies["csrftoken"].value).fill_token()
    monkeypatch.undo()

    response = client.post(FORM, form_data(client, started=token, company_name="待った株式会社"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("__all__", "expired")
    assert form.data["company_name"] == "待った株式会社"
    fresh = form.data["started"]
    assert fresh != token
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    assert client.post(FORM, form_data(client, started=fresh)).status_code == 302


def test_a_form_sent_faster_than_people_fill_it_is_refused(client, settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 3
    token = token_from_the_page(client)
    response = client.post(FORM, form_data(client, started=token))
    assert response.context["form"].has_error("__all__", "spam_guard")


# --- 9. The acknowledgement carries nothing the visitor wrote. ----------------------------


def test_the_acknowledgement_carries_only_fixed_text_the_reference_and_the_link():
    typed = {
        "company_name": "スパム送信株式会社",
        "main_business": "今すぐ https://spam.example/ で当選金を受け取る",
        "contact_name": "当選者 様 おめでとうございます",
        "contact_name_kana": "とうせんしゃ",
        "department": "https://spam.example/claim",
        "job_title": "無料プレゼント",
        "other_duties": "他の業務 https://spam.example/",
        "message": "このリンクをクリック https://spam.example/",
    }
    inquiry = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=inquiry_answers(**typed),
        bureaus=[],
        duties=[Duty.objects.get(slug="hydrogen-society")],
    ).inquiry
    acknowledgement = inquiry.notifications.get(kind=NotificationKind.ACKNOWLEDGEMENT)
    text = acknowledgement.subject + acknowledgement.body
    for value in typed.values():
        assert value not in text
    assert "spam.example" not in text
    assert inquiry.reference in text
    assert f"/consultation/status/{inquiry.status_token}/" in text
    # The bureaus' own mails carry the answers, as they must.
    bureau_mail = inquiry.notifications.get(kind=NotificationKind.BUREAU)
    assert typed["company_name"] in bureau_mail.body
