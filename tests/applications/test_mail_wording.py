"""What each reader of a request's mails reads: staff in Japanese whatever the form's
language, the applicant in their own, the free text quoted exactly as typed."""

import re
import uuid

import pytest

from applications.intake import submit_inquiry
from applications.models import NotificationKind
from bureaus.models import Duty
from tests.applications.helpers import inquiry_answers

pytestmark = pytest.mark.django_db

TYPED = {
    "message": "Hydrogen work, please — 水素 “quoted” <b>as typed</b>\n2nd line",
    "other_duties": "Something else entirely",
    "main_business": "Electricity retail",
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def english_request():
    return submit_inquiry(
        token=uuid.uuid4(),
        language="en",
        answers=inquiry_answers(**TYPED),
        bureaus=[],
        duties=[Duty.objects.get(slug="hydrogen-society")],
    ).inquiry


def mail(inquiry, kind):
    return inquiry.notifications.get(kind=kind)


@pytest.mark.parametrize("kind", [NotificationKind.BUREAU, NotificationKind.CENTRAL])
def test_staff_mail_of_an_english_request_is_japanese_and_quotes_the_answers_as_typed(kind):
    inquiry = english_request()
    staff = mail(inquiry, kind)
    assert staff.subject == f"【交流受入】事前相談の申込み {inquiry.reference}"
    assert "交流受入ポータルから、事前相談の申込みが届きました" in staff.body
    assert "企業・団体名" in staff.body and "水素社会実現に向けた取組" in staff.body
    assert "環境局" in staff.body
    for value in TYPED.values():
        assert value in staff.body  # Quoted as typed, in whatever language.
    for english in ("Pre-consultation", "Company or organisation", "Bureau of Environment"):
        assert english not in staff.body


def test_the_acknowledgement_of_an_english_request_is_english():
    inquiry = english_request()
    acknowledgement = mail(inquiry, NotificationKind.ACKNOWLEDGEMENT)
    assert acknowledgement.subject.startswith("[Tokyo personnel exchange]")
    assert "We have received your request" in acknowledgement.body
    # Bureau, section and phone are told apart, not run together.
    assert (
        "  - Bureau of Environment: General Affairs Section, General Affairs Division"
        " (tel. 03-5388-3418)"
    ) in acknowledgement.body
    assert "/en/consultation/status/" in acknowledgement.body
    lines = [line for line in acknowledgement.body.splitlines() if JAPANESE.search(line)]
    assert lines == []


def test_the_acknowledgement_of_a_japanese_request_is_japanese():
    inquiry = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=inquiry_answers(),
        bureaus=[],
        duties=[Duty.objects.get(slug="hydrogen-society")],
    ).inquiry
    acknowledgement = mail(inquiry, NotificationKind.ACKNOWLEDGEMENT)
    assert "事前相談のお申込みを受け付けました" in acknowledgement.body
    assert "/en/" not in acknowledgement.body
