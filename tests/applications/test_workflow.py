"""Handling a request at each bureau: the transition rule, the routes and reply-by date
a submission opens, change_route_status, remind_overdue with a frozen clock, and what
never leaves the back office. The case screen that staff use is test_case_screen.py;
the working-day calendar is test_working_days.py."""

import uuid
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from applications.handling import change_route_status
from applications.intake import submit_inquiry
from applications.models import InquiryRoute, InternalNote, Notification, NotificationKind
from applications.outbox import build_message
from applications.reminders import remind_overdue_routes
from applications.workflow import CLOSED, RouteStatus, allowed_transitions, can_move
from core.models import InquiryWindow
from tests.applications.helpers import inquiry_answers
from tests.conftest import make_bureau, make_duty

TOKYO = ZoneInfo("Asia/Tokyo")

# --- The transition rule, against a table written out by hand. ----------------------

# Forward one step at a time; 見送り and 取下げ from any open stage; nothing once closed.
EXPECTED_MOVES = {
    "received": {"consulting", "declined", "withdrawn"},
    "consulting": {"arranging", "declined", "withdrawn"},
    "arranging": {"accepted", "declined", "withdrawn"},
    "accepted": set(),
    "declined": set(),
    "withdrawn": set(),
}


def test_the_table_names_every_status():
    assert set(EXPECTED_MOVES) == set(RouteStatus.values)


@pytest.mark.parametrize("current", RouteStatus.values)
@pytest.mark.parametrize("new", RouteStatus.values)
def test_can_move_matches_the_table_for_every_pair(current, new):
    expected = new in EXPECTED_MOVES[current]
    assert can_move(current, new) is expected
    assert (new in allowed_transitions(current)) is expected


@pytest.mark.parametrize("status", RouteStatus.values)
def test_staying_put_is_never_a_move(status):
    assert not can_move(status, status)


# --- Submission creates one route per bureau. ----------------------------------------

ANSWERS = inquiry_answers()


def submit(*, bureaus=(), duties=(), received_at=None, language="ja", **answers):
    return submit_inquiry(
        token=uuid.uuid4(),
        language=language,
        answers={**ANSWERS, **answers},
        bureaus=list(bureaus),
        duties=list(duties),
        received_at=received_at,
    ).inquiry


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received_at", "reply_by"),
    [
        # Friday morning in Tokyo: five working days on, past 成人の日 (Monday 12
        # January), is Monday 19.
        (datetime(2026, 1, 9, 10, 0, tzinfo=TOKYO), date(2026, 1, 19)),
        # Friday 23:30 in Tokyo is still Friday, whatever UTC says.
        (datetime(2026, 1, 9, 23, 30, tzinfo=TOKYO), date(2026, 1, 19)),
        # Saturday 00:30 in Tokyo (Friday in UTC) counts from Saturday.
        (datetime(2026, 1, 10, 0, 30, tzinfo=TOKYO), date(2026, 1, 19)),
        # Received on the holiday itself: the days after it count.
        (datetime(2026, 1, 12, 9, 0, tzinfo=TOKYO), date(2026, 1, 19)),
        (datetime(2026, 1, 13, 9, 0, tzinfo=TOKYO), date(2026, 1, 20)),
    ],
)
def test_submission_opens_one_route_per_bureau_with_its_reply_by_date(
    settings, received_at, reply_by
):
    settings.INQUIRY_REPLY_BUSINESS_DAYS = 5
    chosen, duty_only, both = make_bureau(), make_bureau(), make_bureau()
    inquiry = submit(
        bureaus=[chosen, both],
        duties=[make_duty(bureau=duty_only), make_duty(bureau=both)],
        received_at=received_at,
    )
    routes = InquiryRoute.objects.filter(inquiry=inquiry)
    assert sorted(route.bureau_id for route in routes) == sorted([chosen.pk, duty_only.pk, both.pk])
    assert {route.reply_by for route in routes} == {reply_by}
    assert {route.status for route in routes} == {RouteStatus.RECEIVED}
    assert all(route.assignee is None and route.closed_at is None for route in routes)


@pytest.mark.django_db
def test_the_reply_by_date_follows_the_setting(settings):
    settings.INQUIRY_REPLY_BUSINESS_DAYS = 1
    inquiry = submit(bureaus=[make_bureau()], received_at=datetime(2026, 1, 8, 10, tzinfo=TOKYO))
    assert inquiry.routes.get().reply_by == date(2026, 1, 9)  # Thursday → Friday


@pytest.mark.django_db
def test_the_reply_by_date_counts_working_days_by_the_japanese_calendar(settings):
    """The issue's example: received on Wednesday 2027-04-28, five working days on is
    Tuesday 2027-05-11, past 昭和の日 and the Golden Week holidays."""
    settings.INQUIRY_REPLY_BUSINESS_DAYS = 5
    inquiry = submit(bureaus=[make_bureau()], received_at=datetime(2027, 4, 28, 9, tzinfo=TOKYO))
    assert inquiry.routes.get().reply_by == date(2027, 5, 11)


@pytest.mark.django_db
def test_the_reply_by_date_skips_the_year_end_closure_of_the_setting(settings):
    settings.INQUIRY_REPLY_BUSINESS_DAYS = 2
    received = datetime(2026, 12, 25, 9, tzinfo=TOKYO)  # a Friday
    settings.INQUIRY_CLOSED_DAYS = frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)})
    assert submit(bureaus=[make_bureau()], received_at=received).routes.get().reply_by == date(
        2027, 1, 4
    )
    settings.INQUIRY_CLOSED_DAYS = frozenset()
    assert submit(bureaus=[make_bureau()], received_at=received).routes.get().reply_by == date(
        2026, 12, 29
    )


# --- A request for other duties only: the central window's route. ----------------------


@pytest.mark.django_db
def test_a_request_naming_no_bureau_gets_the_central_windows_route(settings):
    settings.INQUIRY_REPLY_BUSINESS_DAYS = 5
    inquiry = submit(other_duties="広報の業務", received_at=datetime(2027, 4, 28, 9, tzinfo=TOKYO))
    route = inquiry.routes.get()
    assert route.is_central and route.bureau is None
    assert route.status == RouteStatus.RECEIVED and route.reply_by == date(2027, 5, 11)
    assert route.handler_name_ja == "総務局人事部人事課"
    assert str(route) == f"{inquiry.reference} 総務局人事部人事課（受付）"


@pytest.mark.django_db
def test_a_request_naming_a_bureau_gets_no_central_route_even_with_other_duties():
    """Its other duties reach the central window by the central mail, as before; the
    bureaus' routes are what closes it."""
    inquiry = submit(bureaus=[make_bureau()], other_duties="広報の業務")
    assert [route.is_central for route in inquiry.routes.all()] == [False]


@pytest.mark.django_db
def test_the_database_refuses_a_route_that_is_both_or_neither_or_a_second_central_one():
    from django.db import IntegrityError, transaction

    inquiry = submit(other_duties="広報の業務")
    bureau = make_bureau()
    for fields in [{"is_central": True, "bureau": bureau}, {"is_central": False, "bureau": None}]:
        with pytest.raises(IntegrityError), transaction.atomic():
            InquiryRoute.objects.create(inquiry=inquiry, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        InquiryRoute.objects.create(inquiry=inquiry, is_central=True)


@pytest.mark.django_db
def test_the_central_route_closes_like_any_other(route):
    inquiry = submit(other_duties="広報の業務")
    central = inquiry.routes.get()
    change_route_status(route=central, status=RouteStatus.WITHDRAWN)
    central.refresh_from_db()
    assert central.closed_at is not None


@pytest.fixture
def route(db):
    inquiry = submit(bureaus=[make_bureau()], received_at=datetime(2026, 1, 9, 10, tzinfo=TOKYO))
    return inquiry.routes.get()


# --- change_route_status: the one way a status changes (admin, commands, tests). ----------


@pytest.mark.django_db
@pytest.mark.parametrize("current", RouteStatus.values)
@pytest.mark.parametrize("new", RouteStatus.values)
def test_every_status_change_goes_through_one_function_that_records_closing(route, current, new):
    InquiryRoute.objects.filter(pk=route.pk).update(status=current)
    route.refresh_from_db()
    moment = timezone.now()
    if new != current and not can_move(current, new):
        with pytest.raises(ValidationError):
            change_route_status(route=route, status=new, now=moment)
        route.refresh_from_db()
        assert (route.status, route.closed_at) == (current, None)
        return
    change_route_status(route=route, status=new, now=moment)
    route.refresh_from_db()
    assert route.status == new
    if new == current:
        assert route.closed_at is None  # Staying put is not a move.
    else:
        assert route.closed_at == (moment if new in CLOSED else None)


@pytest.mark.django_db
def test_a_move_is_checked_against_the_stored_status_not_the_one_in_hand(route):
    # Another clerk declined it meanwhile: this clerk's stale copy cannot reopen it.
    stale = InquiryRoute.objects.get(pk=route.pk)
    change_route_status(route=route, status=RouteStatus.DECLINED)
    with pytest.raises(ValidationError):
        change_route_status(route=stale, status=RouteStatus.CONSULTING)
    route.refresh_from_db()
    assert route.status == RouteStatus.DECLINED


# --- What never leaves the back office. ----------------------------------------------

SECRET_NOTE = "内部メモ：先方の社内事情により保留"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_internal_notes_appear_in_no_mail(admin_client, language):
    bureau, unaddressed = make_bureau(), make_bureau(contact_email="")
    inquiry = submit(bureaus=[bureau, unaddressed], language=language, other_duties="広報")
    user = get_user_model().objects.get(username="admin")
    for route in inquiry.routes.all():
        InternalNote.objects.create(route=route, author=user, body=SECRET_NOTE)
    notifications = list(inquiry.notifications.all())
    assert {n.kind for n in notifications} == {"bureau", "central", "acknowledgement"}
    for notification in notifications:
        message = build_message(notification)
        assert SECRET_NOTE not in message.subject + message.body

    inquiry.routes.update(reply_by=date(2026, 1, 5))
    remind_overdue_routes(today=date(2026, 1, 6))
    remind_overdue_routes(today=date(2026, 1, 12))
    assert len(reminders()) >= 2
    for message in reminders():
        assert SECRET_NOTE not in message.subject + message.body


# --- remind_overdue, with the clock passed in. -----------------------------------------

DEADLINE = date(2026, 1, 16)  # a Friday


@pytest.fixture
def central(db):
    window = InquiryWindow.objects.get()
    return window.contact_email


def reminders():
    """The overdue mails queued so far (the worker sends them), oldest first."""
    kinds = [NotificationKind.OVERDUE_REMINDER, NotificationKind.OVERDUE_ESCALATION]
    return list(Notification.objects.filter(kind__in=kinds).order_by("pk"))


def forget_reminders():
    Notification.objects.filter(
        kind__in=[NotificationKind.OVERDUE_REMINDER, NotificationKind.OVERDUE_ESCALATION]
    ).delete()


def overdue_route(bureau, reply_by=DEADLINE, **answers):
    inquiry = submit(bureaus=[bureau], **answers)
    route = inquiry.routes.get()
    route.reply_by = reply_by
    route.save()
    return route


@pytest.mark.django_db
def test_nothing_is_sent_before_or_on_the_reply_by_date(central):
    route = overdue_route(make_bureau())
    for today in [DEADLINE - timedelta(days=3), DEADLINE]:
        result = remind_overdue_routes(today=today)
        assert not result.reminded and not result.escalated
    assert reminders() == []
    route.refresh_from_db()
    assert route.reminded_at is None


@pytest.mark.django_db
def test_an_overdue_route_is_reminded_once_in_one_mail_per_bureau(central):
    bureau, other = make_bureau(), make_bureau()
    first = overdue_route(bureau, company_name="第一商事株式会社")
    second = overdue_route(bureau, company_name="第二物産株式会社")
    elsewhere = overdue_route(other)
    today = DEADLINE + timedelta(days=1)

    remind_overdue_routes(today=today)

    assert sorted(m.recipient for m in reminders()) == sorted(
        [bureau.contact_email, other.contact_email]
    )
    message = next(m for m in reminders() if m.recipient == bureau.contact_email)
    for route in (first, second):
        assert route.inquiry.reference in message.body
        assert route.inquiry.company_name in message.body
    assert elsewhere.inquiry.reference not in message.body
    assert bureau.name_ja in message.body and bureau.contact_section_ja in message.body
    # Nothing personal beyond the reference and the company name.
    for text in [
        ANSWERS["contact_name"],
        ANSWERS["email"],
        ANSWERS["phone"],
        ANSWERS["department"],
    ]:
        assert text not in message.body and text not in message.subject
    for route in (first, second, elsewhere):
        route.refresh_from_db()
        assert route.reminded_at is not None and route.escalated_at is None

    forget_reminders()
    result = remind_overdue_routes(today=today)
    assert reminders() == [] and not result.reminded and not result.escalated


@pytest.mark.django_db
def test_a_route_is_escalated_after_the_further_period_and_only_once(settings, central):
    settings.INQUIRY_ESCALATE_AFTER_DAYS = 3
    route = overdue_route(make_bureau(), company_name="第三興業株式会社")
    reminded_on = DEADLINE + timedelta(days=1)  # Saturday 2026-01-17
    remind_overdue_routes(today=reminded_on)
    forget_reminders()

    # Three working days after the reminder (Mon 19, Tue 20, Wed 21) is not "more
    # than three"; the weekend before them does not count.
    for days in (1, 2, 3, 4):
        remind_overdue_routes(today=reminded_on + timedelta(days=days))
    assert reminders() == []

    remind_overdue_routes(today=reminded_on + timedelta(days=5))  # Thursday 22
    assert [m.recipient for m in reminders()] == [central]
    body = reminders()[0].body
    assert route.inquiry.reference in body and "第三興業株式会社" in body
    assert route.bureau.name_ja in body
    assert ANSWERS["contact_name"] not in body and ANSWERS["email"] not in body
    route.refresh_from_db()
    assert route.escalated_at is not None

    forget_reminders()
    remind_overdue_routes(today=reminded_on + timedelta(days=6))
    remind_overdue_routes(today=reminded_on + timedelta(days=30))
    assert reminders() == []


@pytest.mark.django_db
def test_the_escalation_period_follows_the_setting(settings, central):
    settings.INQUIRY_ESCALATE_AFTER_DAYS = 1
    overdue_route(make_bureau())
    reminded_on = DEADLINE + timedelta(days=1)  # Saturday
    remind_overdue_routes(today=reminded_on)
    forget_reminders()
    remind_overdue_routes(today=reminded_on + timedelta(days=2))  # Monday, the one day
    assert reminders() == []
    remind_overdue_routes(today=reminded_on + timedelta(days=3))  # Tuesday
    assert [m.recipient for m in reminders()] == [central]


@pytest.mark.django_db
def test_escalation_counts_working_days_across_the_year_end_closure(settings, central):
    settings.INQUIRY_ESCALATE_AFTER_DAYS = 3
    settings.INQUIRY_CLOSED_DAYS = frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)})
    overdue_route(make_bureau(), reply_by=date(2026, 12, 24))
    remind_overdue_routes(today=date(2026, 12, 25))  # Friday
    forget_reminders()
    # Working days after it: Mon 28 December, then (the closure, a weekend) Mon 4 and
    # Tue 5 January: on 5 January it has waited exactly three.
    for day in [date(2026, 12, 31), date(2027, 1, 4), date(2027, 1, 5)]:
        remind_overdue_routes(today=day)
    assert reminders() == []
    remind_overdue_routes(today=date(2027, 1, 6))
    assert [m.kind for m in reminders()] == [NotificationKind.OVERDUE_ESCALATION]


@pytest.mark.django_db
def test_an_overdue_central_route_is_reminded_to_the_central_window_and_not_escalated(
    settings, central
):
    settings.INQUIRY_ESCALATE_AFTER_DAYS = 1
    inquiry = submit(other_duties="広報の業務", company_name="第四商会株式会社")
    route = inquiry.routes.get()
    route.reply_by = DEADLINE
    route.save()
    remind_overdue_routes(today=DEADLINE + timedelta(days=1))
    [reminder] = reminders()
    assert reminder.recipient == central
    assert reminder.body.startswith("総務局人事部人事課 御中")
    assert "第四商会株式会社" in reminder.body
    forget_reminders()
    remind_overdue_routes(today=DEADLINE + timedelta(days=30))
    assert reminders() == []
    route.refresh_from_db()
    assert route.reminded_at is not None and route.escalated_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("closed", ["accepted", "declined", "withdrawn"])
def test_closed_routes_are_never_reminded_nor_escalated(settings, central, closed):
    settings.INQUIRY_ESCALATE_AFTER_DAYS = 3
    route = overdue_route(make_bureau())
    InquiryRoute.objects.filter(pk=route.pk).update(status=closed)
    for days in (1, 10, 100):
        remind_overdue_routes(today=DEADLINE + timedelta(days=days))
    assert reminders() == []
    route.refresh_from_db()
    assert route.reminded_at is None and route.escalated_at is None


@pytest.mark.django_db
def test_a_route_closed_after_its_reminder_is_not_escalated(settings, central):
    settings.INQUIRY_ESCALATE_AFTER_DAYS = 3
    route = overdue_route(make_bureau())
    remind_overdue_routes(today=DEADLINE + timedelta(days=1))
    InquiryRoute.objects.filter(pk=route.pk).update(status=RouteStatus.WITHDRAWN)
    forget_reminders()
    remind_overdue_routes(today=DEADLINE + timedelta(days=10))
    assert reminders() == []


@pytest.mark.django_db
def test_a_bureau_without_an_address_is_reminded_through_the_central_window(central):
    route = overdue_route(make_bureau(contact_email=""))
    remind_overdue_routes(today=DEADLINE + timedelta(days=1))
    assert [m.recipient for m in reminders()] == [central]
    route.refresh_from_db()
    assert route.reminded_at is not None


@pytest.mark.django_db
def test_routes_are_marked_only_with_their_reminder_queued(monkeypatch, central):
    # One transaction: a reminder that cannot be queued leaves its routes for the next run.
    from applications import reminders as module

    route = overdue_route(make_bureau())

    def broken(**kwargs):
        raise RuntimeError("the template is broken")

    monkeypatch.setattr(module, "queue_mail", broken)
    with pytest.raises(RuntimeError):
        remind_overdue_routes(today=DEADLINE + timedelta(days=1))
    route.refresh_from_db()
    assert route.reminded_at is None and reminders() == []

    monkeypatch.undo()
    remind_overdue_routes(today=DEADLINE + timedelta(days=2))
    route.refresh_from_db()
    assert route.reminded_at is not None and len(reminders()) == 1
    assert list(reminders()[0].routes.all()) == [route]


@pytest.mark.django_db
def test_with_no_address_anywhere_the_route_waits_for_the_next_run():
    InquiryWindow.objects.update(contact_email="")
    route = overdue_route(make_bureau(contact_email=""))
    result = remind_overdue_routes(today=DEADLINE + timedelta(days=1))
    assert result.failed and not result.reminded and reminders() == []
    route.refresh_from_db()
    assert route.reminded_at is None


@pytest.mark.django_db
def test_the_command_runs_for_a_given_date(central):
    route = overdue_route(make_bureau())
    out = StringIO()
    call_command("remind_overdue", "--date", (DEADLINE + timedelta(days=1)).isoformat(), stdout=out)
    assert "1 overdue request(s) reminded in 1 mail(s)" in out.getvalue()
    route.refresh_from_db()
    assert route.reminded_at.astimezone(TOKYO).date() == DEADLINE + timedelta(days=1)
    call_command("remind_overdue", "--date", (DEADLINE + timedelta(days=1)).isoformat(), stdout=out)
    assert len(reminders()) == 1
