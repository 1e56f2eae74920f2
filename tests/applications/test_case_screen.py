"""The case screen: a request, each route with its status, assignee (by name), reply-by
date and notes, the actions the viewer may take, and HR's mails, on one page.

Who sees what on it is the isolation matrix's business (test_isolation.py); here,
what it shows and what its forms do.
"""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from applications.case import RouteActionForm
from applications.intake import submit_inquiry
from applications.models import AccessAction, InquiryAccess, InquiryRoute, InternalNote
from applications.workflow import RouteStatus
from bureaus.models import BureauStaff
from staffauth.roles import BUREAU_STAFF_GROUP, HR_GROUP, staff_name
from tests.applications.helpers import inquiry_answers
from tests.conftest import make_bureau

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def submit(*, bureaus=(), **answers):
    return submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=inquiry_answers(**answers),
        bureaus=list(bureaus),
        duties=[],
        received_at=datetime(2026, 1, 9, 10, tzinfo=TOKYO),
    ).inquiry


def case_url(inquiry):
    return reverse("admin:applications_inquiry_change", args=[inquiry.pk])


def post(route, **fields):
    """The route's form on the case screen as a browser posts it, with ``fields`` changed."""
    values = {
        "status": route.status,
        "assignee": route.assignee_id or "",
        "reply_by": route.reply_by.isoformat() if route.reply_by else "",
        "note": "",
        **fields,
    }
    return {"route": str(route.pk), **{f"route-{route.pk}-{k}": v for k, v in values.items()}}


@pytest.fixture
def bureau(db):
    return make_bureau(name_ja="環境局")


@pytest.fixture
def route(bureau):
    return submit(bureaus=[bureau]).routes.get()


@pytest.fixture
def clerk(django_user_model, bureau):
    call_command("setup_roles", verbosity=0)
    user = django_user_model.objects.create_user(
        "kankyo01", "kankyo01@metro.example", is_staff=True, last_name="緑川", first_name="一郎"
    )
    user.groups.add(Group.objects.get(name=BUREAU_STAFF_GROUP))
    BureauStaff.objects.create(user=user, bureau=bureau)
    return user


@pytest.fixture
def hr(django_user_model):
    call_command("setup_roles", verbosity=0)
    user = django_user_model.objects.create_user(
        "jinji01", "jinji01@metro.example", is_staff=True, last_name="人事", first_name="花子"
    )
    user.groups.add(Group.objects.get(name=HR_GROUP))
    return user


def signed_in(client, user):
    client.force_login(user)
    return client


# --- What it shows. ---------------------------------------------------------------------


def test_the_request_list_leads_to_the_case_screen_and_says_where_each_route_stands(
    client, hr, route
):
    html = signed_in(client, hr).get(reverse("admin:applications_inquiry_changelist")).content
    html = html.decode()
    assert case_url(route.inquiry) in html
    assert "環境局：受付" in html  # the 対応状況 column


def test_the_case_screen_shows_the_request_and_each_route_on_one_page(client, hr, clerk, route):
    InquiryRoute.objects.filter(pk=route.pk).update(assignee=clerk)
    InternalNote.objects.create(route=route, author=clerk, body="来週に面談を設定。")
    response = signed_in(client, hr).get(case_url(route.inquiry))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        route.inquiry.reference,
        route.inquiry.company_name,
        route.inquiry.contact_name,
        "対応状況",
        "環境局",
        "受付",
        "緑川 一郎",  # the assignee by name,
        "来週に面談を設定。",
        "2026年1月19日",  # the reply-by date
        "送信したメール",
    ]:
        assert text in html, text
    assert ">kankyo01<" not in html  # ... not by login id
    # The form offers only the moves the workflow allows from 受付.
    form = response.context["cases"][0]["form"]
    assert [value for value, _ in form.fields["status"].choices] == [
        "received",
        "consulting",
        "declined",
        "withdrawn",
    ]


def test_the_desired_start_reads_as_a_month(client, hr):
    inquiry = submit(bureaus=[make_bureau()], desired_start=date(2027, 4, 1))
    html = signed_in(client, hr).get(case_url(inquiry)).content.decode()
    assert "2027年4月" in html
    assert "2027年4月1日" not in html


def test_assignees_are_offered_and_listed_by_name(clerk, hr, route):
    form = RouteActionForm(route=route, writes_notes=True)
    labels = dict(form.fields["assignee"].choices)
    assert set(labels.values()) >= {"緑川 一郎", "人事 花子"}
    assert not {"kankyo01", "jinji01"} & set(labels.values())


def test_an_account_without_a_name_is_shown_by_its_login_id(django_user_model):
    user = django_user_model.objects.create_user("noname", is_staff=True)
    assert staff_name(user) == "noname"


def test_viewing_the_case_screen_is_recorded_as_an_access(client, clerk, route):
    signed_in(client, clerk).get(case_url(route.inquiry))
    assert InquiryAccess.objects.filter(
        inquiry=route.inquiry, user=clerk, action=AccessAction.VIEW
    ).exists()


def test_a_routes_own_address_leads_to_its_case_screen(client, clerk, route):
    response = signed_in(client, clerk).get(
        reverse("admin:applications_inquiryroute_change", args=[route.pk])
    )
    assert response.status_code == 302
    assert response.url == f"{case_url(route.inquiry)}#route-{route.pk}"


def test_the_routes_list_names_the_assignee_and_the_central_window(client, hr, clerk, route):
    InquiryRoute.objects.filter(pk=route.pk).update(assignee=clerk)
    submit(other_duties="広報の業務", company_name="広報企画株式会社")
    html = (
        signed_in(client, hr)
        .get(reverse("admin:applications_inquiryroute_changelist"))
        .content.decode()
    )
    assert "緑川 一郎" in html and "総務局人事部人事課" in html


# --- What its forms do. -------------------------------------------------------------------


def test_a_clerk_moves_assigns_dates_and_annotates_a_route_in_one_save(client, clerk, route):
    response = signed_in(client, clerk).post(
        case_url(route.inquiry),
        post(
            route,
            status="consulting",
            assignee=clerk.pk,
            reply_by="2026-01-30",
            note="電話で日程を調整中",
        ),
    )
    assert response.status_code == 302
    route.refresh_from_db()
    assert (route.status, route.assignee, route.reply_by) == (
        RouteStatus.CONSULTING,
        clerk,
        date(2026, 1, 30),
    )
    assert route.closed_at is None
    note = InternalNote.objects.get(route=route)
    assert (note.author, note.body) == (clerk, "電話で日程を調整中")
    page = client.get(response.url).content.decode()
    assert "環境局の対応を保存しました。" in page
    # The history records who did it.
    assert route.history.first().history_user == clerk


@pytest.mark.parametrize("closing", ["declined", "withdrawn"])
def test_closing_a_route_on_the_case_screen_sets_closed_at(client, clerk, route, closing):
    signed_in(client, clerk).post(case_url(route.inquiry), post(route, status=closing))
    route.refresh_from_db()
    assert route.status == closing and route.closed_at is not None


def test_an_invalid_move_is_refused_next_to_the_field_and_nothing_is_saved(client, clerk, route):
    response = signed_in(client, clerk).post(
        case_url(route.inquiry), post(route, status="accepted", note="保存されないメモ")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html and f'id="id_route-{route.pk}-status"' in html
    route.refresh_from_db()
    assert route.status == RouteStatus.RECEIVED
    assert not InternalNote.objects.filter(route=route).exists()


def test_a_move_made_stale_by_another_clerk_is_refused(client, clerk, route):
    """The form offered 事前相談中; meanwhile another clerk declined the request."""
    data = post(route, status="consulting", note="古い画面から")
    InquiryRoute.objects.filter(pk=route.pk).update(status=RouteStatus.DECLINED)
    response = signed_in(client, clerk).post(case_url(route.inquiry), data)
    assert response.status_code == 200
    route.refresh_from_db()
    assert route.status == RouteStatus.DECLINED
    assert not InternalNote.objects.filter(route=route).exists()


def test_the_form_says_which_move_is_refused(route):
    route.status = RouteStatus.DECLINED
    form = RouteActionForm(
        {f"route-{route.pk}-status": "consulting"}, route=route, writes_notes=True
    )
    assert not form.is_valid()
    assert "consulting" not in dict(form.fields["status"].choices)


def test_notes_are_records_shown_read_only(client, clerk, route):
    InternalNote.objects.create(route=route, author=clerk, body="最初のメモ")
    html = signed_in(client, clerk).get(case_url(route.inquiry)).content.decode()
    assert "最初のメモ" in html
    # One empty field to add a note; none holding an existing note to rewrite.
    assert html.count(f'name="route-{route.pk}-note"') == 1
    assert ">最初のメモ</textarea>" not in html


def test_someone_outside_the_bureau_cannot_be_made_assignee(
    client, clerk, route, django_user_model
):
    outsider = django_user_model.objects.create_user("other01", is_staff=True)
    response = signed_in(client, clerk).post(
        case_url(route.inquiry), post(route, assignee=outsider.pk)
    )
    assert response.status_code == 200
    route.refresh_from_db()
    assert route.assignee is None


def test_hr_handles_and_closes_the_central_windows_route(client, hr):
    inquiry = submit(other_duties="広報の業務", company_name="広報企画株式会社")
    central = inquiry.routes.get()
    response = signed_in(client, hr).get(case_url(inquiry))
    assert "総務局人事部人事課の対応を保存" in response.content.decode()
    response = client.post(case_url(inquiry), post(central, status="withdrawn", assignee=hr.pk))
    assert response.status_code == 302
    central.refresh_from_db()
    assert central.status == RouteStatus.WITHDRAWN and central.closed_at is not None
    assert central.assignee == hr
