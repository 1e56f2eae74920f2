"""Freshness: the review rule at its boundaries, the confirmed date on duty pages,
remind_review's mails, and the admin's flag, filter and action."""

import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from applications.models import Notification, NotificationKind, NotificationState
from applications.outbox import deliver_notifications
from bureaus.models import Bureau, Duty
from bureaus.review import (
    add_months,
    is_due_for_review,
    latest_confirmation_due,
    review_due_on,
)
from core.models import ContentRevision, InquiryWindow
from tests.conftest import make_bureau, make_duty

# --- The date rule, without a database. ----------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 11, 26), 12, date(2026, 11, 26)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 5, 10), 0, date(2025, 5, 10)),
    ],
)
def test_add_months_counts_calendar_months_and_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("confirmed", "today", "months", "due"),
    [
        (date(2025, 11, 26), date(2026, 11, 25), 12, False),  # the day before
        (date(2025, 11, 26), date(2026, 11, 26), 12, True),  # the anniversary itself
        (date(2025, 11, 26), date(2026, 11, 27), 12, True),
        (date(2025, 11, 26), date(2025, 11, 26), 12, False),  # confirmed today
        (date(2024, 2, 29), date(2025, 2, 27), 12, False),
        (date(2024, 2, 29), date(2025, 2, 28), 12, True),  # no 29 February in 2025
        (date(2025, 1, 31), date(2025, 2, 27), 1, False),
        (date(2025, 1, 31), date(2025, 2, 28), 1, True),
        (date(2025, 1, 29), date(2025, 2, 28), 1, True),
        (date(2025, 3, 31), date(2025, 4, 29), 1, False),
        (date(2025, 3, 31), date(2025, 4, 30), 1, True),
        (date(2025, 12, 31), date(2026, 12, 30), 12, False),
        (date(2025, 12, 31), date(2026, 12, 31), 12, True),
    ],
)
def test_a_duty_is_due_on_the_anniversary_of_its_confirmation_and_after(
    confirmed, today, months, due
):
    assert is_due_for_review(confirmed, today, months) is due
    assert (review_due_on(confirmed, months) <= today) is due


def days(start, end):
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def test_adding_months_never_goes_backwards():
    for months in (1, 6, 12, 13):
        dates = [add_months(day, months) for day in days(date(2023, 1, 1), date(2025, 12, 31))]
        assert dates == sorted(dates), months


@pytest.mark.parametrize("months", [1, 2, 6, 11, 12, 13, 24])
def test_the_database_cutoff_agrees_with_the_rule_on_every_day(months):
    # Adding months never goes backwards, so the due dates are exactly those up
    # to a cutoff: check that it is due and the next day is not, for every day.
    for today in days(date(2024, 1, 1), date(2026, 12, 31)):
        cutoff = latest_confirmation_due(today, months)
        assert is_due_for_review(cutoff, today, months), (today, cutoff)
        assert not is_due_for_review(cutoff + timedelta(1), today, months), (today, cutoff)


# --- The QuerySet and the model. -------------------------------------------------------


@pytest.mark.django_db
def test_due_for_review_selects_the_duties_at_or_past_the_interval(settings):
    settings.REVIEW_INTERVAL_MONTHS = 12
    bureau = make_bureau()
    today = date(2026, 11, 26)
    just_due = make_duty(bureau=bureau, confirmed_at=date(2025, 11, 26))
    long_due = make_duty(bureau=bureau, confirmed_at=date(2020, 4, 1))
    not_yet = make_duty(bureau=bureau, confirmed_at=date(2025, 11, 27))
    mine = Duty.objects.filter(bureau=bureau)
    assert set(mine.due_for_review(today)) == {just_due, long_due}
    assert just_due.is_due_for_review(today) and not not_yet.is_due_for_review(today)
    assert set(mine.due_for_review(today, months=6)) == {just_due, long_due, not_yet}
    settings.REVIEW_INTERVAL_MONTHS = 120
    assert set(mine.due_for_review(today)) == set()


@pytest.mark.django_db
def test_a_new_duty_waits_for_its_bureaus_confirmation_and_says_so(client):
    # Saving a duty is not a bureau confirming it: no date until the bureau does.
    duty = make_duty()
    assert duty.confirmed_at is None
    assert duty.is_due_for_review(timezone.localdate())
    html = client.get(duty.get_absolute_url()).content.decode()
    assert "局による内容の確認はまだです。" in html and "最終確認日" not in html
    duty.source_ja, duty.source_en = "局の資料", "the bureau's brochure"
    duty.save()
    html = client.get(duty.get_absolute_url()).content.decode()
    assert "出典: 局の資料（局による内容の確認はまだです）" in html
    html = client.get("/en" + duty.get_absolute_url()).content.decode()
    assert "Source: the bureau&#x27;s brochure (not yet confirmed by the bureau)" in html


@pytest.mark.django_db
def test_the_flyers_duties_show_the_flyer_as_their_source_until_confirmed(client):
    duty = Duty.objects.get(slug="hydrogen-society")
    assert duty.confirmed_at is None and "チラシ" in duty.source_ja
    html = client.get(duty.get_absolute_url()).content.decode()
    assert f"出典: {duty.source_ja}（局による内容の確認はまだです）" in html
    assert "最終確認日" not in html
    duty.confirmed_at = date(2026, 11, 2)
    duty.save()
    html = client.get(duty.get_absolute_url()).content.decode()
    assert '最終確認日: <time datetime="2026-11-02">2026年11月2日</time>' in html
    assert "出典" not in html


@pytest.mark.django_db
def test_timestamps_record_creation_and_the_last_change():
    duty = make_duty()
    created, updated = duty.created_at, duty.updated_at
    duty.title_ja = "変更後の業務"
    duty.save()
    duty.refresh_from_db()
    assert duty.created_at == created
    assert duty.updated_at > updated
    bureau = duty.bureau
    before = bureau.updated_at
    bureau.phone = "03-5388-9999"
    bureau.save()
    assert bureau.updated_at > before


@pytest.mark.django_db
def test_confirming_duties_changes_only_their_date_and_refreshes_the_pages(client):
    duty = Duty.objects.get(slug="hydrogen-society")
    updated = duty.updated_at
    revision = ContentRevision.current().number
    client.get(duty.get_absolute_url())  # Cached for this revision.
    assert Duty.objects.filter(pk=duty.pk).confirm(date(2026, 5, 7)) == 1
    duty.refresh_from_db()
    assert duty.confirmed_at == date(2026, 5, 7)
    assert duty.updated_at == updated, "a confirmation is not a change to the feed"
    assert ContentRevision.current().number > revision
    assert "2026年5月7日" in client.get(duty.get_absolute_url()).content.decode()


# --- The duty page. -------------------------------------------------------------------


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.mark.django_db
def test_duty_page_shows_the_confirmation_date_in_japanese(client):
    Duty.objects.filter(slug="hydrogen-society").update(confirmed_at=date(2026, 11, 26))
    html = client.get("/bureaus/environment/hydrogen-society/").content.decode()
    assert "最終確認日: 2026年11月26日" in text_of(html)
    assert '<time datetime="2026-11-26">' in html


@pytest.mark.django_db
def test_duty_page_shows_the_confirmation_date_in_english(client):
    Duty.objects.filter(slug="hydrogen-society").update(confirmed_at=date(2026, 11, 26))
    html = client.get("/en/bureaus/environment/hydrogen-society/").content.decode()
    assert "Last confirmed by the bureau: 26 November 2026" in text_of(html)


# --- remind_review. -------------------------------------------------------------------


def run_remind_review(*args):
    """Run the command, then one pass of the outbox worker that sends what it queued."""
    out, err = StringIO(), StringIO()
    call_command("remind_review", *args, stdout=out, stderr=err)
    deliver_notifications()
    return out.getvalue(), err.getvalue()


@pytest.fixture
def due_catalogue(settings):
    """Two bureaus with due duties (one without an address), one up to date."""
    settings.REVIEW_INTERVAL_MONTHS = 12
    Duty.objects.update(confirmed_at=date(2026, 6, 1))  # The seed: not due on 2026-11-26.
    addressed = make_bureau(name_ja="確認局", contact_email="kakunin@bureau.example")
    unaddressed = make_bureau(name_ja="無連絡先局", contact_email="")
    current = make_bureau(name_ja="最新局", contact_email="saishin@bureau.example")
    return {
        "addressed": [
            make_duty(bureau=addressed, title_ja="古い業務A", confirmed_at=date(2025, 11, 26)),
            make_duty(bureau=addressed, title_ja="古い業務B", confirmed_at=date(2024, 1, 5)),
        ],
        "addressed_current": make_duty(
            bureau=addressed, title_ja="新しい業務", confirmed_at=date(2025, 11, 27)
        ),
        "addressed_hidden": make_duty(
            bureau=addressed,
            title_ja="非公開の古い業務",
            confirmed_at=date(2020, 1, 1),
            publication_state="draft",
        ),
        "unaddressed": [
            make_duty(
                bureau=unaddressed, title_ja="連絡先のない局の業務", confirmed_at=date(2023, 3, 3)
            )
        ],
        "current": make_duty(bureau=current, confirmed_at=date(2026, 11, 1)),
    }


@pytest.mark.django_db
def test_remind_review_mails_each_bureau_its_due_published_duties_once(due_catalogue):
    out, err = run_remind_review("--date", "2026-11-26")
    window = InquiryWindow.objects.get()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["kakunin@bureau.example", window.contact_email]
    )
    (bureau_mail,) = [m for m in mail.outbox if m.to == ["kakunin@bureau.example"]]
    assert "確認局" in bureau_mail.subject and "2 件" in bureau_mail.subject
    assert "古い業務A" in bureau_mail.body and "古い業務B" in bureau_mail.body
    assert "2025年11月26日" in bureau_mail.body
    assert "新しい業務" not in bureau_mail.body
    assert "非公開の古い業務" not in bureau_mail.body
    duty = due_catalogue["addressed"][0]
    assert f"http://127.0.0.1:8000{duty.get_absolute_url()}" in bureau_mail.body
    assert "12 か月" in bureau_mail.body
    assert "queued for kakunin@bureau.example: 確認局, 2" in out
    assert "3 published duties" in out
    assert not err


@pytest.mark.django_db
def test_a_never_confirmed_duty_is_asked_about_first_and_says_so(due_catalogue):
    bureau = due_catalogue["addressed"][0].bureau
    make_duty(bureau=bureau, title_ja="未確認の業務", order=999, source_ja="局の資料")
    run_remind_review("--date", "2026-11-26")
    (bureau_mail,) = [m for m in mail.outbox if m.to == ["kakunin@bureau.example"]]
    assert "3 件" in bureau_mail.subject
    assert "最終確認日: 未確認（出典: 局の資料）" in bureau_mail.body
    # Never confirmed comes before the oldest confirmation, on SQLite and PostgreSQL alike.
    body = bureau_mail.body
    assert body.index("未確認の業務") < body.index("古い業務B") < body.index("古い業務A")
    assert "局による内容の確認がまだか" in body


@pytest.mark.django_db
def test_bureaus_without_an_address_are_reported_to_the_central_window(due_catalogue):
    out, _err = run_remind_review("--date", "2026-11-26")
    window = InquiryWindow.objects.get()
    (central,) = [m for m in mail.outbox if m.to == [window.contact_email]]
    assert "1 局" in central.subject
    assert "無連絡先局" in central.body and "連絡先のない局の業務" in central.body
    assert "確認局" not in central.body
    bureau = Bureau.objects.get(name_ja="無連絡先局")
    assert reverse("admin:bureaus_bureau_change", args=[bureau.pk]) in central.body
    assert f"no address: 無連絡先局, 1; reported to {window.contact_email}" in out


@pytest.mark.django_db
def test_nothing_due_sends_nothing(settings):
    settings.REVIEW_INTERVAL_MONTHS = 12
    Duty.objects.update(confirmed_at=timezone.localdate())
    out, _err = run_remind_review("--date", timezone.localdate().isoformat())
    assert mail.outbox == []
    assert "0 published duties" in out


@pytest.mark.django_db
def test_the_reminders_wait_in_the_outbox_until_the_worker_sends_them(due_catalogue):
    call_command("remind_review", "--date", "2026-11-26", stdout=StringIO())
    assert mail.outbox == []
    queued = Notification.objects.order_by("kind")
    assert [(n.kind, n.state) for n in queued] == [
        (NotificationKind.REVIEW_REMINDER, NotificationState.PENDING),
        (NotificationKind.REVIEW_UNADDRESSED, NotificationState.PENDING),
    ]
    assert deliver_notifications() == 2
    assert len(mail.outbox) == 2


# --- Admin. ---------------------------------------------------------------------------


CHANGELIST = "/admin/bureaus/duty/"


@pytest.mark.django_db
def test_admin_filter_shows_only_duties_past_review(hr_client, settings):
    settings.REVIEW_INTERVAL_MONTHS = 12
    long_ago = timezone.localdate() - timedelta(days=400)
    due = make_duty(title_ja="確認期限切れの業務", confirmed_at=long_ago)
    fresh = make_duty(title_ja="確認済みの業務", confirmed_at=timezone.localdate())
    html = hr_client.get(CHANGELIST, {"review": "due"}).content.decode()
    assert "確認期限切れの業務" in html
    assert "確認済みの業務" not in html
    assert "水素社会実現" in html  # The flyer's duties wait for their bureau's confirmation.
    html = hr_client.get(CHANGELIST, {"review": "current"}).content.decode()
    assert fresh.title_ja in html and due.title_ja not in html
    html = hr_client.get(CHANGELIST).content.decode()
    assert "確認期限切れ" in html  # The filter's title.
    assert "要確認" in html  # The column.


@pytest.mark.django_db
def test_admin_column_says_in_words_which_duties_are_due_for_review(settings, hr_client):
    settings.REVIEW_INTERVAL_MONTHS = 12
    model_admin = admin_site._registry[Duty]
    due = make_duty(confirmed_at=timezone.localdate() - timedelta(days=400))
    fresh = make_duty(confirmed_at=timezone.localdate())
    assert model_admin.review_state(make_duty()) == "要確認（局による確認がまだ）"
    assert model_admin.review_state(due) == "要確認（確認の期限切れ）"
    assert model_admin.review_state(fresh) == "期限内"
    # Words in the column, not admin's green ✓ / red ✗ icons, which read as errors.
    html = hr_client.get(CHANGELIST, {"q": fresh.title_ja}).content.decode()
    assert "期限内" in html
    assert "icon-no.svg" not in html and "icon-yes.svg" not in html


@pytest.mark.django_db
def test_admin_action_marks_the_chosen_duties_confirmed_today(hr_client):
    long_ago = date(2020, 1, 1)
    chosen = [make_duty(confirmed_at=long_ago), make_duty(confirmed_at=long_ago)]
    other = make_duty(confirmed_at=long_ago)
    response = hr_client.post(
        CHANGELIST,
        {"action": "mark_confirmed_today", "_selected_action": [d.pk for d in chosen]},
        follow=True,
    )
    assert response.status_code == 200
    assert "2 件の業務内容例を本日確認済みにしました。" in response.content.decode()
    for duty in chosen:
        duty.refresh_from_db()
        assert duty.confirmed_at == timezone.localdate()
    other.refresh_from_db()
    assert other.confirmed_at == long_ago


@pytest.mark.django_db
def test_admin_offers_the_action_by_its_japanese_name(hr_client):
    html = hr_client.get(CHANGELIST).content.decode()
    assert '<option value="mark_confirmed_today">本日確認済みにする</option>' in html


@pytest.mark.django_db
def test_admin_shows_the_dates_on_the_duty_form(hr_client):
    duty = Duty.objects.get(slug="hydrogen-society")
    html = hr_client.get(f"{CHANGELIST}{duty.pk}/change/").content.decode()
    assert "最終確認日" in html and "登録日時" in html and "更新日時" in html
