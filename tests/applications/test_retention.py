"""Retention: purge_inquiries anonymises requests closed longer ago than the setting."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import (
    Inquiry,
    InternalNote,
    Notification,
    NotificationKind,
    NotificationState,
)
from applications.privacy import (
    ANONYMISED_EMAIL,
    ANONYMISED_TEXT,
    PERSONAL_FIELDS,
    anonymise_closed_inquiries,
)
from tests.applications.stored import make_hr, make_request
from tests.conftest import make_bureau

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(timezone.datetime(2027, 6, 1, 9, 0))
DAYS = 365


@pytest.fixture(autouse=True)
def retention(settings):
    settings.INQUIRY_RETENTION_DAYS = DAYS


@pytest.fixture
def bureau():
    return make_bureau()


def closed(bureau, days_ago, status="accepted", **overrides):
    return make_request(
        bureaus=[bureau], statuses=[status], closed_at=NOW - timedelta(days=days_ago), **overrides
    )


def purged(*inquiries):
    references = anonymise_closed_inquiries(now=NOW)
    return {inquiry.reference for inquiry in inquiries} & set(references)


def test_closed_exactly_the_retention_period_ago_is_kept(bureau):
    inquiry = closed(bureau, DAYS)
    assert not purged(inquiry)
    inquiry.refresh_from_db()
    assert inquiry.anonymised_at is None and inquiry.contact_name.startswith("試験")


def test_closed_one_day_more_is_anonymised(bureau):
    inquiry = closed(bureau, DAYS + 1)
    assert purged(inquiry)
    inquiry.refresh_from_db()
    assert inquiry.anonymised_at == NOW


def test_a_second_past_the_period_is_enough(bureau):
    inquiry = make_request(
        bureaus=[bureau],
        statuses=["declined"],
        closed_at=NOW - timedelta(days=DAYS, seconds=1),
    )
    assert purged(inquiry)


@pytest.mark.parametrize("status", ["accepted", "declined", "withdrawn"])
def test_every_closing_status_counts(bureau, status):
    assert purged(closed(bureau, DAYS + 1, status=status))


@pytest.mark.parametrize("status", ["received", "consulting", "arranging"])
def test_an_open_route_is_never_purged(bureau, status):
    other = make_bureau()
    inquiry = make_request(
        bureaus=[bureau, other],
        statuses=["accepted", status],
        closed_at=NOW - timedelta(days=DAYS * 3),
    )
    assert not purged(inquiry)


def test_the_latest_closing_decides(bureau):
    other = make_bureau()
    inquiry = make_request(bureaus=[bureau, other], statuses=["declined", "accepted"])
    inquiry.routes.filter(bureau=bureau).update(closed_at=NOW - timedelta(days=DAYS * 2))
    inquiry.routes.filter(bureau=other).update(closed_at=NOW - timedelta(days=10))
    assert not purged(inquiry)
    inquiry.routes.filter(bureau=other).update(closed_at=NOW - timedelta(days=DAYS + 1))
    assert purged(inquiry)


def test_a_closed_route_without_its_closing_time_is_kept(bureau):
    inquiry = make_request(bureaus=[bureau], statuses=["accepted"], closed_at=None)
    assert not purged(inquiry)


def test_a_request_with_no_route_at_all_is_kept():
    inquiry = make_request(bureaus=[])
    inquiry.routes.all().delete()  # as before the central window had routes
    assert not purged(inquiry)


def test_a_request_for_other_duties_only_goes_once_the_central_window_closed_it():
    open_request = make_request(bureaus=[], other_duties="広報")
    closed_request = make_request(
        bureaus=[],
        other_duties="広報",
        statuses=["withdrawn"],
        closed_at=NOW - timedelta(days=DAYS + 1),
    )
    assert closed_request.routes.get().is_central
    assert purged(open_request, closed_request) == {closed_request.reference}


def test_the_setting_sets_the_period(bureau, settings):
    settings.INQUIRY_RETENTION_DAYS = 30
    assert purged(closed(bureau, 31))


def test_personal_data_is_replaced_and_counts_kept(bureau):
    inquiry = closed(bureau, DAYS + 1, industry="energy", other_duties="広報", job_title="")
    before = inquiry.received_at, inquiry.desired_start, inquiry.desired_months
    duty_ids = set(inquiry.duties.values_list("pk", flat=True))
    purged(inquiry)
    inquiry.refresh_from_db()
    for name in PERSONAL_FIELDS:
        assert getattr(inquiry, name) in {ANONYMISED_TEXT, ""}, name
    assert inquiry.company_name == ANONYMISED_TEXT and inquiry.contact_name == ANONYMISED_TEXT
    assert inquiry.other_duties == ANONYMISED_TEXT  # still says other duties were asked
    assert inquiry.job_title == ""  # an empty answer stays empty
    assert inquiry.email == ANONYMISED_EMAIL and inquiry.email.endswith(".invalid")
    assert inquiry.status_token is None
    assert inquiry.industry == "energy"
    assert (inquiry.received_at, inquiry.desired_start, inquiry.desired_months) == before
    assert list(inquiry.bureaus.all()) == [bureau]
    assert set(inquiry.duties.values_list("pk", flat=True)) == duty_ids
    assert inquiry.routes.get().status == "accepted"


def test_statistics_counts_are_unchanged_by_the_purge(bureau):
    other = make_bureau()
    for days, industry in [(DAYS + 1, "energy"), (DAYS + 30, "energy"), (5, "it")]:
        closed(bureau, days, industry=industry)
    make_request(bureaus=[bureau, other], industry="finance")
    counts = (
        Inquiry.objects.counts_by_bureau(),
        Inquiry.objects.counts_by_industry(),
        Inquiry.objects.counts_by_year(),
    )
    assert len(anonymise_closed_inquiries(now=NOW)) == 2
    assert counts == (
        Inquiry.objects.counts_by_bureau(),
        Inquiry.objects.counts_by_industry(),
        Inquiry.objects.counts_by_year(),
    )


def test_history_rows_are_anonymised_too(bureau):
    inquiry = closed(bureau, DAYS + 1, contact_name="山田 花子", email="hanako@energy.example")
    inquiry.department = "経営企画部"
    inquiry.save()
    assert inquiry.history.count() == 2
    purged(inquiry)
    versions = list(Inquiry.history.filter(id=inquiry.pk))
    assert len(versions) == 3  # the anonymisation is itself recorded
    for version in versions:
        assert version.contact_name == ANONYMISED_TEXT
        assert version.department == ANONYMISED_TEXT
        assert version.company_name == ANONYMISED_TEXT
        assert version.email == ANONYMISED_EMAIL
        assert version.status_token is None
    assert versions[0].history_change_reason == "保存期間の経過"
    assert not Inquiry.history.filter(email="hanako@energy.example").exists()


def test_mails_and_notes_lose_the_personal_data(bureau):
    inquiry = closed(bureau, DAYS + 1, email="hanako@energy.example")
    sent = Notification.objects.create(
        inquiry=inquiry,
        kind=NotificationKind.ACKNOWLEDGEMENT,
        recipient="hanako@energy.example",
        state=NotificationState.FAILED,
        last_error="550 hanako@energy.example unknown",
    )
    pending = Notification.objects.create(
        inquiry=inquiry, kind=NotificationKind.BUREAU, recipient=bureau.contact_email
    )
    InternalNote.objects.create(
        route=inquiry.routes.get(), author=make_hr(), body="山田様から電話あり"
    )
    purged(inquiry)
    assert not Notification.objects.filter(pk=pending.pk).exists()
    sent.refresh_from_db()
    assert sent.recipient == ANONYMISED_EMAIL and sent.last_error == ""
    assert InternalNote.objects.get().body == ANONYMISED_TEXT


def test_a_purged_request_is_not_purged_again(bureau):
    inquiry = closed(bureau, DAYS + 1)
    assert purged(inquiry)
    history = inquiry.history.count()
    assert anonymise_closed_inquiries(now=NOW + timedelta(days=1)) == []
    assert inquiry.history.count() == history


def test_the_command_reports_what_it_anonymised(bureau):
    now = timezone.now()
    old = make_request(
        bureaus=[bureau], statuses=["declined"], closed_at=now - timedelta(days=DAYS + 1)
    )
    make_request(bureaus=[bureau], statuses=["declined"], closed_at=now - timedelta(days=1))
    out = io.StringIO()
    call_command("purge_inquiries", stdout=out)
    assert "1 件を匿名化しました（保存期間 365 日）" in out.getvalue()
    assert old.reference in out.getvalue()
