"""HR's CSV export (Excel-ready, scoped, logged) and the per-person export and erasure."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from applications.models import AccessAction, Inquiry, InquiryAccess
from applications.privacy import (
    ANONYMISED_EMAIL,
    ANONYMISED_TEXT,
    erase_personal_data,
    export_personal_data,
)
from tests.applications.stored import make_bureau_staff, make_hr, make_request
from tests.conftest import make_bureau

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/applications/inquiry/"


def export(client, *inquiries):
    return client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [str(inquiry.pk) for inquiry in inquiries]},
    )


def read_csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def bureaus():
    return (
        make_bureau(name_ja="環境局"),
        make_bureau(name_ja="財務局"),
        make_bureau(name_ja="港湾局"),
    )


def test_hr_export_opens_in_excel_with_japanese(client, bureaus):
    environment, finance, _port = bureaus
    inquiry = make_request(
        bureaus=[environment, finance],
        statuses=["consulting", "received"],
        company_name="東京エネルギー株式会社",
        contact_name="山田 花子",
        message="水素関連の業務を希望します。\n二行目",
    )
    client.force_login(make_hr())
    response = export(client, inquiry)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="inquiries-')
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    # Records end in CRLF (header and two rows); the LF inside the quoted message stays.
    assert body.count(b"\r\n") == 3 and body.endswith(b"\r\n")
    assert body.decode("utf-8-sig").splitlines()[0].startswith('"受付番号","受付日時","局"')
    rows = read_csv(response)
    assert [(row["局"], row["局ごとの状況"]) for row in rows] == [
        ("環境局", "事前相談中"),
        ("財務局", "受付"),
    ]
    assert {row["受付番号"] for row in rows} == {inquiry.reference}
    assert rows[0]["企業・団体名"] == "東京エネルギー株式会社"
    assert rows[0]["担当者氏名"] == "山田 花子"
    assert rows[0]["ご相談内容"] == "水素関連の業務を希望します。\n二行目"
    assert rows[0]["業種"] == "金融"


def test_every_cell_is_quoted_and_formulas_are_defused(client, bureaus):
    inquiry = make_request(
        bureaus=[bureaus[0]], company_name='=HYPERLINK("http://evil.example")', phone="+81-3"
    )
    client.force_login(make_hr())
    response = export(client, inquiry)
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert all(line.startswith('"') and line.endswith('"') for line in lines if line)
    row = read_csv(response)[0]
    assert row["企業・団体名"] == '\'=HYPERLINK("http://evil.example")'
    assert row["電話番号"] == "'+81-3"


def test_a_request_sent_to_no_bureau_is_one_row_of_the_central_window(client):
    inquiry = make_request(bureaus=[], other_duties="広報の業務")
    client.force_login(make_hr())
    rows = read_csv(export(client, inquiry))
    assert len(rows) == 1 and rows[0]["その他の希望業務"] == "広報の業務"
    assert rows[0]["局"] == "総務局人事部人事課" and rows[0]["局ごとの状況"] == "受付"


def test_a_request_with_no_route_at_all_is_still_one_row(client):
    inquiry = make_request(bureaus=[], other_duties="広報の業務")
    inquiry.routes.all().delete()  # as before the central window had routes
    client.force_login(make_hr())
    rows = read_csv(export(client, inquiry))
    assert len(rows) == 1 and rows[0]["局"] == ""


def test_each_exported_request_is_recorded(client, bureaus):
    first = make_request(bureaus=[bureaus[0], bureaus[1]])
    second = make_request(bureaus=[bureaus[2]])
    hr = make_hr()
    client.force_login(hr)
    export(client, first, second)
    recorded = InquiryAccess.objects.filter(user=hr, action=AccessAction.EXPORT)
    assert sorted(recorded.values_list("inquiry", flat=True)) == sorted([first.pk, second.pk])


def test_bureau_staff_without_the_permission_are_not_offered_the_export(client, bureaus):
    inquiry = make_request(bureaus=[bureaus[0]])
    client.force_login(make_bureau_staff(bureaus[0]))
    page = client.get(CHANGELIST).content.decode()
    assert "CSVで書き出す" not in page
    response = export(client, inquiry)
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert not InquiryAccess.objects.filter(action=AccessAction.EXPORT).exists()


def test_bureau_staff_granted_the_export_get_only_their_bureau(client, bureaus):
    environment, finance, port = bureaus
    shared = make_request(bureaus=[environment, finance], statuses=["consulting", "declined"])
    own = make_request(bureaus=[environment])
    foreign = make_request(bureaus=[port])
    staff = make_bureau_staff(environment)
    staff.user_permissions.add(Permission.objects.get(codename="export_inquiry"))
    client.force_login(staff)
    assert "CSVで書き出す" in client.get(CHANGELIST).content.decode()
    rows = read_csv(export(client, shared, own, foreign))
    # Another bureau's request is not exported, nor another bureau's handling of a shared one.
    assert sorted((row["受付番号"], row["局"]) for row in rows) == sorted(
        [(shared.reference, "環境局"), (own.reference, "環境局")]
    )
    assert "見送り" not in {row["局ごとの状況"] for row in rows}
    exported = set(InquiryAccess.objects.values_list("inquiry", flat=True))
    assert exported == {shared.pk, own.pk}


def test_setup_roles_gives_hr_the_export_permission_and_bureau_staff_not(bureaus):
    hr, staff = make_hr(), make_bureau_staff(bureaus[0])
    assert hr.has_perm("applications.export_inquiry")
    assert not staff.has_perm("applications.export_inquiry")


# --- One applicant's data: disclosure and deletion requests. ---------------------------


def test_export_personal_data_returns_every_request_of_that_address(bureaus):
    first = make_request(bureaus=[bureaus[0]], email="hanako@energy.example")
    second = make_request(bureaus=[bureaus[1]], email="Hanako@Energy.example")
    make_request(bureaus=[bureaus[0]], email="taro@energy.example")
    hr = make_hr()
    data = export_personal_data(email="hanako@energy.example", user=hr)
    json.dumps(data)  # serialisable as it stands
    assert [item["reference"] for item in data["inquiries"]] == [first.reference, second.reference]
    assert data["inquiries"][0]["contact_name"] == first.contact_name
    assert data["inquiries"][0]["statuses"] == [
        {"bureau": bureaus[0].name_ja, "status": "受付", "closed_at": None}
    ]
    assert set(
        InquiryAccess.objects.filter(action=AccessAction.EXPORT).values_list("inquiry", flat=True)
    ) == {first.pk, second.pk}


def test_erase_personal_data_anonymises_the_requests_and_their_history(bureaus):
    inquiry = make_request(bureaus=[bureaus[0]], email="hanako@energy.example")
    inquiry.message = "二度目の更新"
    inquiry.save()
    other = make_request(bureaus=[bureaus[0]], email="taro@energy.example")
    hr = make_hr()
    references = erase_personal_data(email="HANAKO@energy.example", user=hr)
    assert references == [inquiry.reference]
    inquiry.refresh_from_db()
    assert inquiry.email == ANONYMISED_EMAIL and inquiry.contact_name == ANONYMISED_TEXT
    assert inquiry.company_name == ANONYMISED_TEXT and inquiry.status_token is None
    assert inquiry.anonymised_at is not None
    for version in inquiry.history.all():
        assert version.email == ANONYMISED_EMAIL
        assert version.contact_name == ANONYMISED_TEXT and version.message == ANONYMISED_TEXT
    latest = inquiry.history.first()
    assert latest.history_user == hr and latest.history_change_reason == "個人情報の消去の求め"
    other.refresh_from_db()
    assert other.email == "taro@energy.example"
    # Nothing is left to find under the address.
    assert export_personal_data(email="hanako@energy.example")["inquiries"] == []


def test_the_personal_data_command_exports_and_erases(bureaus):
    inquiry = make_request(bureaus=[bureaus[0]], email="hanako@energy.example")
    make_hr()
    out = io.StringIO()
    call_command(
        "personal_data", "--export", "hanako@energy.example", "--user", "jinji", stdout=out
    )
    assert json.loads(out.getvalue())["inquiries"][0]["reference"] == inquiry.reference
    out = io.StringIO()
    call_command("personal_data", "--erase", "hanako@energy.example", "--user", "jinji", stdout=out)
    assert "1 件を匿名化しました" in out.getvalue()
    assert Inquiry.objects.get().email == ANONYMISED_EMAIL


def test_the_personal_data_command_needs_an_hr_account(bureaus):
    make_request(bureaus=[bureaus[0]], email="hanako@energy.example")
    make_bureau_staff(bureaus[0])
    with pytest.raises(CommandError):
        call_command("personal_data", "--erase", "hanako@energy.example", "--user", "kyoku")
    assert Inquiry.objects.get().email == "hanako@energy.example"
