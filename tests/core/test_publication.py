"""The publication rules over every combination, and the workflow that applies them:
drafts beside the live row, four eyes, schedule, withdrawal, history, old addresses."""

import itertools
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bureaus.models import Bureau, Duty
from core import publishing
from core.models import ContentRevision, ContentVersion, FormerAddress
from core.publication import (
    State,
    Visibility,
    address_answer,
    first_live_moment,
    is_live,
    visibility,
)
from core.revision import next_schedule_boundary
from tests.factories import (
    BureauFactory,
    DutyFactory,
    ThemeFactory,
    UserFactory,
    approve_open_draft,
)

NOW = datetime(2027, 3, 31, 23, 0, tzinfo=UTC)
MOMENTS = {
    "none": None,
    "past": NOW - timedelta(days=1),
    "now": NOW,
    "future": NOW + timedelta(hours=1),
}


# --- The pure rules, every combination. -------------------------------------------------


@pytest.mark.parametrize(
    ("state", "starts", "ends"), list(itertools.product(State.values, MOMENTS, MOMENTS))
)
def test_an_item_is_live_only_when_approved_started_and_not_ended(state, starts, ends):
    expected = (
        state == State.APPROVED
        and starts in ("none", "past", "now")  # started at or before now
        and ends in ("none", "future")  # ends strictly after now
    )
    assert (
        is_live(state=state, starts_at=MOMENTS[starts], ends_at=MOMENTS[ends], now=NOW) is expected
    )


@pytest.mark.parametrize(
    ("state", "starts", "ends", "first"),
    list(itertools.product(State.values, MOMENTS, MOMENTS, MOMENTS)),
)
def test_visibility_is_live_else_ended_once_public_else_never(state, starts, ends, first):
    live = is_live(state=state, starts_at=MOMENTS[starts], ends_at=MOMENTS[ends], now=NOW)
    public_once = first in ("past", "now")
    expected = Visibility.LIVE if live else Visibility.ENDED if public_once else Visibility.NEVER
    found = visibility(
        state=state,
        starts_at=MOMENTS[starts],
        ends_at=MOMENTS[ends],
        first_published_at=MOMENTS[first],
        now=NOW,
    )
    assert found == expected


V = Visibility
# (what holds the address, where it moved) → answer; None: nothing.
ANSWERS = {
    (V.LIVE, None): 200,
    (V.LIVE, V.LIVE): 200,
    (V.LIVE, V.ENDED): 200,
    (V.LIVE, V.NEVER): 200,
    (None, V.LIVE): 301,
    (V.NEVER, V.LIVE): 301,
    (V.ENDED, V.LIVE): 301,  # a merged bureau: its page goes to the one it joined
    (None, V.ENDED): 410,
    (V.NEVER, V.ENDED): 410,
    (V.ENDED, None): 410,
    (V.ENDED, V.ENDED): 410,
    (V.ENDED, V.NEVER): 410,
    (None, None): 404,
    (None, V.NEVER): 404,
    (V.NEVER, None): 404,  # a draft: its slug must not leak
    (V.NEVER, V.NEVER): 404,
}


@pytest.mark.parametrize(("here", "moved_to"), list(itertools.product([None, *V], [None, *V])))
def test_an_address_answers_200_301_410_or_404(here, moved_to):
    assert address_answer(here=here, moved_to=moved_to) == ANSWERS[here, moved_to]


@pytest.mark.parametrize("starts", MOMENTS)
def test_an_item_first_goes_live_at_approval_or_at_a_later_start(starts):
    moment = first_live_moment(approved_at=NOW, starts_at=MOMENTS[starts])
    assert moment == (MOMENTS["future"] if starts == "future" else NOW)


def next_boundary_in_the_database(now):
    return (
        ContentRevision.objects.annotate(boundary=next_schedule_boundary(now))
        .values_list("boundary", flat=True)
        .get()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "starts", "ends"), list(itertools.product(State.values, MOMENTS, MOMENTS))
)
def test_the_next_boundary_is_the_earliest_start_or_end_after_now_of_approved_content(
    state, starts, ends
):
    ContentRevision.current()
    ThemeFactory(
        publication_state=state, publish_starts_at=MOMENTS[starts], publish_ends_at=MOMENTS[ends]
    )
    later = [MOMENTS[name] for name in (starts, ends) if MOMENTS[name] and MOMENTS[name] > NOW]
    expected = min(later) if later and state == State.APPROVED else None
    assert next_boundary_in_the_database(NOW) == expected


@pytest.mark.django_db
def test_a_change_still_waiting_counts_even_once_its_start_has_passed(editor):
    ContentRevision.current()
    now = timezone.now()
    duty = DutyFactory(publish_ends_at=now + timedelta(days=2))
    publishing.save_draft(item=duty, data=publishing.snapshot(duty), author=editor)
    version = approve_open_draft(duty, starts_at=now + timedelta(days=1))
    assert version.is_scheduled
    assert next_boundary_in_the_database(now) == now + timedelta(days=1)
    # Past both the start and the live row's end: the waiting change is still due.
    assert next_boundary_in_the_database(now + timedelta(days=3)) == now + timedelta(days=1)


# --- The workflow. ----------------------------------------------------------------------


@pytest.fixture
def editor(db):
    return UserFactory()


@pytest.fixture
def approver(db):
    return UserFactory(is_superuser=True)


def draft_duty(bureau, editor, **fields):
    duty = DutyFactory(bureau=bureau, publication_state=State.DRAFT, **fields)
    publishing.save_draft(item=duty, data=publishing.snapshot(duty), author=editor)
    return duty


@pytest.mark.django_db
def test_a_change_to_a_live_duty_waits_beside_it_until_approved(client, editor, approver):
    duty = DutyFactory(title_ja="元の業務")
    data = {**publishing.snapshot(duty), "title_ja": "変更後の業務"}
    version = publishing.save_draft(item=duty, data=data, author=editor)
    assert "元の業務" in client.get(duty.get_absolute_url()).content.decode()
    version = publishing.ask_for_review(version=version, by=editor)
    publishing.approve(version=version, by=approver)
    duty.refresh_from_db()
    assert duty.title_ja == "変更後の業務"
    assert "変更後の業務" in client.get(duty.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_nobody_approves_their_own_change_and_only_an_approver_approves(editor, approver):
    duty = draft_duty(BureauFactory(), approver)
    version = publishing.ask_for_review(version=ContentVersion.objects.of(duty).get(), by=approver)
    with pytest.raises(PermissionDenied):
        publishing.approve(version=version, by=approver)  # wrote it
    with pytest.raises(PermissionDenied):
        publishing.approve(version=version, by=editor)  # not a 承認者
    publishing.approve(version=version, by=UserFactory(is_superuser=True))
    duty.refresh_from_db()
    assert duty.publication_state == State.APPROVED


@pytest.mark.django_db
def test_a_sent_back_draft_carries_the_reason_and_can_be_asked_again(editor, approver):
    duty = draft_duty(BureauFactory(), editor)
    version = publishing.ask_for_review(version=ContentVersion.objects.of(duty).get(), by=editor)
    with pytest.raises(ValidationError):
        publishing.send_back(version=version, by=approver, comment=" ")
    version = publishing.send_back(version=version, by=approver, comment="英語を直してください")
    assert (version.state, version.comment, version.reviewer) == (
        State.DRAFT,
        "英語を直してください",
        approver,
    )
    publishing.ask_for_review(version=version, by=editor)


@pytest.mark.django_db
def test_new_duties_start_as_drafts_at_the_end_of_their_bureau(client, editor):
    bureau = BureauFactory()
    DutyFactory(bureau=bureau, order=7)
    duty = Duty(bureau=bureau, slug="new", title_ja="新しい業務")
    assert duty.end_of_order() == 8
    duty.save()
    assert duty.publication_state == State.DRAFT
    assert not Duty.objects.live().filter(pk=duty.pk).exists()
    assert client.get(duty.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_a_scheduled_duty_goes_live_and_ends_on_time_with_new_etags(client, clock, editor):
    bureau = BureauFactory()
    start, end = clock.moment + timedelta(days=1), clock.moment + timedelta(days=2)
    duty = draft_duty(bureau, editor)
    approve_open_draft(duty, starts_at=start, ends_at=end)
    url = duty.get_absolute_url()
    catalogue = client.get("/bureaus/")
    assert client.get(url).status_code == 404  # approved, not yet public: no leak
    assert ContentRevision.current().next_boundary_at == start

    clock.move_to(start)
    live = client.get(url)
    assert live.status_code == 200
    after = client.get("/bureaus/", HTTP_IF_NONE_MATCH=catalogue["ETag"])
    assert after.status_code == 200 and after["ETag"] != catalogue["ETag"]
    assert duty.title_ja in after.content.decode()
    assert ContentRevision.current().next_boundary_at == end

    clock.move_to(end)
    gone = client.get(url)
    assert gone.status_code == HTTPStatus.GONE
    assert "掲載を終了しました" in gone.content.decode()
    assert f'href="{bureau.get_absolute_url()}"' in gone.content.decode()
    assert client.get("/bureaus/", HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 200
    assert duty.title_ja not in client.get("/bureaus/").content.decode()


@pytest.mark.django_db
def test_stored_pages_follow_the_schedule(client, clock, editor, settings):
    settings.PAGE_CACHE_SECONDS = 600
    bureau = BureauFactory()
    duty = draft_duty(bureau, editor)
    approve_open_draft(duty, starts_at=clock.moment + timedelta(minutes=5))
    assert duty.title_ja not in client.get(bureau.get_absolute_url()).content.decode()
    assert duty.title_ja not in client.get(bureau.get_absolute_url()).content.decode()  # stored
    clock.move_to(clock.moment + timedelta(minutes=5))
    assert duty.title_ja in client.get(bureau.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_withdrawn_bureau_answers_410_and_its_duties_too(client, approver):
    duty = DutyFactory()
    publishing.withdraw(item=duty.bureau, by=approver)
    bureau_page = client.get(duty.bureau.get_absolute_url())
    assert bureau_page.status_code == 410
    duty_page = client.get(duty.get_absolute_url())
    assert duty_page.status_code == 410
    # The 410 page links the catalogue, not the withdrawn bureau.
    assert f'href="{duty.bureau.get_absolute_url()}"' not in duty_page.content.decode()
    assert 'href="/bureaus/"' in duty_page.content.decode()
    assert ContentVersion.objects.of(duty.bureau).get().state == State.WITHDRAWN


@pytest.mark.django_db
def test_withdrawing_what_never_went_public_leaves_a_404(client, clock, editor, approver):
    duty = draft_duty(BureauFactory(), editor)
    approve_open_draft(duty, starts_at=clock.moment + timedelta(days=3))
    publishing.withdraw(item=duty, by=approver)
    clock.move_to(clock.moment + timedelta(days=4))
    assert client.get(duty.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_a_renamed_bureau_sends_its_old_addresses_to_the_new_ones(client, editor):
    duty = DutyFactory(bureau=BureauFactory(slug="old-name"), slug="work")
    bureau = duty.bureau
    data = {**publishing.snapshot(bureau), "slug": "new-name"}
    publishing.save_draft(item=bureau, data=data, author=editor)
    approve_open_draft(bureau)
    moved = client.get("/bureaus/old-name/")
    assert moved.status_code == 301 and moved["Location"] == "/bureaus/new-name/"
    moved = client.get("/en/bureaus/old-name/work/")
    assert moved.status_code == 301 and moved["Location"] == "/en/bureaus/new-name/work/"
    assert client.get("/bureaus/new-name/work/").status_code == 200
    assert FormerAddress.objects.count() == 2


@pytest.mark.django_db
def test_a_duty_moved_to_another_bureau_is_found_at_its_old_address(client, editor):
    duty = DutyFactory(slug="moving")
    old_url, target = duty.get_absolute_url(), BureauFactory()
    publishing.save_draft(
        item=duty, data={**publishing.snapshot(duty), "bureau": target.pk}, author=editor
    )
    approve_open_draft(duty)
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == f"{target.get_absolute_url()}moving/"


@pytest.mark.django_db
def test_a_draft_moved_before_it_was_public_leaves_no_old_address(editor):
    bureau = BureauFactory(publication_state=State.DRAFT, slug="draft-name")
    publishing.save_draft(
        item=bureau, data={**publishing.snapshot(bureau), "slug": "final"}, author=editor
    )
    approve_open_draft(bureau)
    assert not FormerAddress.objects.exists()


@pytest.mark.django_db
def test_history_keeps_every_approved_version_and_restores_one_as_a_draft(editor, approver):
    duty = draft_duty(BureauFactory(), editor, title_ja="第1版")
    approve_open_draft(duty)
    publishing.save_draft(
        item=duty, data={**publishing.snapshot(duty), "title_ja": "第2版"}, author=editor
    )
    approve_open_draft(duty)
    first, second = ContentVersion.objects.of(duty).order_by("created_at", "pk")
    assert (first.data["title_ja"], second.data["title_ja"]) == ("第1版", "第2版")
    draft = publishing.restore(version=first, by=editor)
    duty.refresh_from_db()
    assert (draft.state, draft.data["title_ja"], duty.title_ja) == (State.DRAFT, "第1版", "第2版")


@pytest.mark.django_db
def test_open_data_feed_and_sitemap_list_only_live_duties(client, clock, editor):
    duty = draft_duty(BureauFactory(), editor, title_ja="予定の業務")
    approve_open_draft(duty, starts_at=clock.moment + timedelta(hours=1))
    paths = [
        "/opendata/catalogue.json",
        "/opendata/duties.csv",
        "/feeds/duties.atom",
        "/sitemap.xml",
    ]
    for path in paths:
        response = client.get(path)
        body = b"".join(response) if response.streaming else response.content
        assert duty.slug not in body.decode(), path
    clock.move_to(clock.moment + timedelta(hours=1))
    for path in paths:
        response = client.get(path)
        body = b"".join(response) if response.streaming else response.content
        assert duty.slug in body.decode(), path


def test_existing_content_was_migrated_as_approved_and_live(db):
    assert Bureau.objects.live().count() == Bureau.objects.count() > 0
    assert Duty.objects.live().count() == Duty.objects.count() > 0


@pytest.mark.django_db
def test_a_bureau_renamed_for_april_first_keeps_its_page_until_then(client, clock, editor):
    duty = DutyFactory(bureau=BureauFactory(slug="old-name", name_ja="旧局"), slug="work")
    bureau = duty.bureau
    april_first = clock.moment + timedelta(days=20)
    data = {**publishing.snapshot(bureau), "slug": "new-name", "name_ja": "新局"}
    publishing.save_draft(item=bureau, data=data, author=editor)
    version = approve_open_draft(bureau, starts_at=april_first)

    # Approved in March: until April 1 the bureau stays as it is, old addresses and all.
    assert version.is_scheduled
    page = client.get("/bureaus/old-name/")
    assert page.status_code == 200 and "旧局" in page.content.decode()
    assert client.get("/bureaus/old-name/work/").status_code == 200
    assert client.get("/bureaus/new-name/").status_code == 404
    assert FormerAddress.objects.count() == 0

    clock.move_to(april_first)
    moved = client.get("/bureaus/old-name/")
    assert moved.status_code == 301 and moved["Location"] == "/bureaus/new-name/"
    moved = client.get("/en/bureaus/old-name/work/")
    assert moved.status_code == 301 and moved["Location"] == "/en/bureaus/new-name/work/"
    assert "新局" in client.get("/bureaus/new-name/").content.decode()
    bureau.refresh_from_db()
    assert bureau.is_live(april_first) and bureau.publish_starts_at == april_first


@pytest.mark.django_db
def test_a_scheduled_change_is_applied_once(clock):
    point_editor, duty = UserFactory(), DutyFactory(title_ja="三月までの業務")
    moment = clock.moment + timedelta(hours=1)
    data = {**publishing.snapshot(duty), "title_ja": "四月からの業務"}
    publishing.save_draft(item=duty, data=data, author=point_editor)
    approve_open_draft(duty, starts_at=moment)
    clock.move_to(moment)
    assert publishing.apply_scheduled_versions() == 1
    assert publishing.apply_scheduled_versions() == 0
    duty.refresh_from_db()
    assert duty.title_ja == "四月からの業務"
    assert ContentVersion.objects.scheduled().count() == 0


@pytest.mark.django_db
def test_an_address_taken_meanwhile_is_refused_in_words_at_approval(editor):
    bureau = BureauFactory()
    DutyFactory(bureau=bureau, slug="taken")
    duty = DutyFactory(bureau=bureau, slug="mine")
    publishing.save_draft(
        item=duty, data={**publishing.snapshot(duty), "slug": "taken"}, author=editor
    )
    with pytest.raises(ValidationError) as refused:
        approve_open_draft(duty)
    assert "既に存在します" in " ".join(refused.value.messages)
    duty.refresh_from_db()
    assert duty.slug == "mine"


@pytest.mark.django_db
def test_a_scheduled_change_that_can_no_longer_apply_goes_back_to_its_editors(
    client, clock, editor
):
    bureau = BureauFactory()
    duty = DutyFactory(bureau=bureau, slug="mine", title_ja="今の業務")
    moment = clock.moment + timedelta(days=1)
    data = {**publishing.snapshot(duty), "slug": "later", "title_ja": "四月の業務"}
    publishing.save_draft(item=duty, data=data, author=editor)
    version = approve_open_draft(duty, starts_at=moment)
    DutyFactory(bureau=bureau, slug="later")  # Someone takes the address meanwhile.

    clock.move_to(moment)
    page = client.get(duty.get_absolute_url())
    assert page.status_code == 200 and "今の業務" in page.content.decode()
    version.refresh_from_db()
    assert version.state == State.DRAFT and not version.is_scheduled
    assert "公開開始日時に掲載へ反映できませんでした" in version.comment
    assert ContentVersion.objects.scheduled().count() == 0
    assert ContentRevision.current().next_boundary_at is None  # never tried again


@pytest.mark.django_db
def test_a_boundary_left_early_by_a_withdrawal_is_passed_once_and_read_again(
    client, clock, editor, approver
):
    duty = draft_duty(BureauFactory(), editor)
    start = clock.moment + timedelta(hours=2)
    approve_open_draft(duty, starts_at=start)
    assert ContentRevision.current().next_boundary_at == start
    publishing.withdraw(item=duty, by=approver)
    # A save never looks at the whole schedule: the moment stays, harmlessly early.
    assert ContentRevision.current().next_boundary_at == start
    number = ContentRevision.current().number
    clock.move_to(start)
    assert client.get("/bureaus/").status_code == 200
    revision = ContentRevision.current()
    assert revision.number == number + 1 and revision.next_boundary_at is None
    assert client.get(duty.get_absolute_url()).status_code == 404
