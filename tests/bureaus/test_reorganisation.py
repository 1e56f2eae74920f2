"""A bureau merged into another (bureaus.reorganisation): its duties move to the end of
the bureau it joins, its old addresses answer 301 in both languages, it comes off the
site, history records every step; only a 承認者 merges, and only into another bureau.
Then the admin's 「他の局に統合する」 page that runs it."""

import uuid
from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.forms import ConsultationForm
from applications.intake import submit_inquiry
from applications.models import InquiryRoute
from bureaus.models import Bureau, Duty
from bureaus.reorganisation import merge_bureau
from core import publishing
from core.models import ContentVersion, FormerAddress
from core.publication import State
from staffauth.roles import BUREAU_STAFF_GROUP, EDITOR_GROUP, HR_GROUP
from tests.applications.helpers import inquiry_answers
from tests.factories import (
    BureauFactory,
    BureauStaffFactory,
    DutyFactory,
    UserFactory,
    approve_open_draft,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver():
    return UserFactory(is_superuser=True)


@pytest.fixture
def reorganisation():
    """The 港湾局 (two duties, one of whose slugs the 産業局 has too) joins the 産業局."""
    old = BureauFactory(slug="port-and-harbor", name_ja="港湾局", name_en="Port Bureau")
    into = BureauFactory(slug="industry", name_ja="産業局", name_en="Industry Bureau")
    DutyFactory(bureau=into, slug="planning", title_ja="産業の企画", order=3)
    DutyFactory(bureau=into, slug="trade", title_ja="貿易の振興", order=9)
    first = DutyFactory(bureau=old, slug="planning", title_ja="港湾の企画", order=1)
    second = DutyFactory(bureau=old, slug="ferries", title_ja="離島航路", order=2)
    return old, into, [first, second]


def status_and_location(client, path):
    response = client.get(path)
    return response.status_code, response.get("Location")


# --- The workflow. --------------------------------------------------------------------


def test_every_duty_moves_to_the_end_of_the_bureau_it_joins(reorganisation, approver):
    old, into, (first, second) = reorganisation
    moved = merge_bureau(bureau=old, into=into, by=approver)
    assert [duty.pk for duty in moved] == [first.pk, second.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.bureau, first.order, second.bureau, second.order) == (into, 10, into, 11)
    # 産業局 has a "planning" already: the moved one gets the next free name.
    assert (first.slug, second.slug) == ("planning-2", "ferries")
    assert not old.duties.exists()
    assert Duty.objects.get(bureau=into, slug="planning").title_ja == "産業の企画"


def test_old_addresses_answer_301_to_the_new_places_in_both_languages(
    reorganisation, approver, client
):
    old, into, _duties = reorganisation
    merge_bureau(bureau=old, into=into, by=approver)
    expected = {
        "/bureaus/port-and-harbor/": "/bureaus/industry/",
        "/bureaus/port-and-harbor/planning/": "/bureaus/industry/planning-2/",
        "/bureaus/port-and-harbor/ferries/": "/bureaus/industry/ferries/",
    }
    for old_path, new_path in expected.items():
        assert status_and_location(client, old_path) == (301, new_path), old_path
        english = status_and_location(client, f"/en{old_path}")
        assert english == (301, f"/en{new_path}"), old_path
        assert client.get(new_path).status_code == 200
        assert client.get(f"/en{new_path}").status_code == 200
    # The withdrawn row still holds the slug: the merged bureau is ENDED, the one it
    # joined LIVE, and the address goes on (not 410, 掲載を終了しました).
    old.refresh_from_db()
    assert (old.slug, old.publication_state) == ("port-and-harbor", State.WITHDRAWN)
    # The duty that kept its slug in 産業局 was never displaced.
    assert client.get("/bureaus/industry/planning/").status_code == 200


def test_the_merged_bureau_leaves_the_site_and_the_history_records_each_move(
    reorganisation, approver, client
):
    old, into, (first, _second) = reorganisation
    merge_bureau(bureau=old, into=into, by=approver, comment="令和9年4月1日の組織改正")
    catalogue = client.get("/bureaus/").content.decode()
    assert "港湾局" not in catalogue and "港湾の企画" in catalogue
    withdrawal = ContentVersion.objects.of(old).get()
    assert withdrawal.state == State.WITHDRAWN
    assert withdrawal.comment == "産業局に統合しました。\n令和9年4月1日の組織改正"
    move = ContentVersion.objects.of(first).get()
    assert (move.state, move.author, move.reviewer) == (State.APPROVED, approver, approver)
    assert (move.data["bureau"], move.data["slug"]) == (into.pk, "planning-2")
    assert move.comment.startswith("港湾局を産業局に統合したため、産業局に移しました。")
    # The move is on the row already: nothing waits to be applied later.
    assert move.applied_at is not None and not move.is_scheduled
    assert not ContentVersion.objects.scheduled().exists()
    assert not Bureau.objects.live().filter(pk=old.pk).exists()


def test_only_an_approver_merges(reorganisation):
    old, into, (first, _second) = reorganisation
    editor = UserFactory()
    with pytest.raises(PermissionDenied):
        merge_bureau(bureau=old, into=into, by=editor)
    first.refresh_from_db()
    old.refresh_from_db()
    assert first.bureau == old and old.publication_state == State.APPROVED
    assert not FormerAddress.objects.exists()


def test_a_bureau_cannot_merge_into_itself_nor_into_an_unapproved_one(reorganisation, approver):
    old, into, (first, _second) = reorganisation
    with pytest.raises(ValidationError, match="別の局"):
        merge_bureau(bureau=old, into=old, by=approver)
    draft = BureauFactory(publication_state=State.DRAFT)
    with pytest.raises(ValidationError, match="承認済みの局"):
        merge_bureau(bureau=old, into=draft, by=approver)
    publishing.withdraw(item=into, by=approver)
    with pytest.raises(ValidationError, match="承認済みの局"):
        merge_bureau(bureau=old, into=into, by=approver)
    with pytest.raises(ValidationError, match="承認済みの局だけ"):
        merge_bureau(bureau=draft, into=old, by=approver)
    first.refresh_from_db()
    assert first.bureau == old and not FormerAddress.objects.exists()


def test_an_open_draft_follows_its_duty_so_approving_it_does_not_move_it_back(
    reorganisation, approver, client
):
    old, into, (first, _second) = reorganisation
    editor = UserFactory()
    publishing.save_draft(
        item=first,
        data={**publishing.snapshot(first), "title_ja": "港湾の企画（改）"},
        author=editor,
    )
    merge_bureau(bureau=old, into=into, by=approver)
    draft = ContentVersion.objects.of(first).open().get()
    assert (draft.data["bureau"], draft.data["slug"]) == (into.pk, "planning-2")
    approve_open_draft(first)
    first.refresh_from_db()
    assert (first.bureau, first.slug, first.title_ja) == (into, "planning-2", "港湾の企画（改）")
    assert client.get("/bureaus/industry/planning-2/").status_code == 200
    assert status_and_location(client, "/bureaus/port-and-harbor/planning/") == (
        301,
        "/bureaus/industry/planning-2/",
    )


def test_an_earlier_name_of_the_merged_bureau_leads_to_the_bureau_it_joined(
    reorganisation, approver, client
):
    old, into, _duties = reorganisation
    publishing.save_draft(
        item=old, data={**publishing.snapshot(old), "slug": "port"}, author=UserFactory()
    )
    approve_open_draft(old)  # renamed: /bureaus/port-and-harbor/ → /bureaus/port/
    old.refresh_from_db()
    merge_bureau(bureau=old, into=into, by=approver)
    assert status_and_location(client, "/bureaus/port-and-harbor/") == (301, "/bureaus/industry/")
    assert status_and_location(client, "/bureaus/port/") == (301, "/bureaus/industry/")
    assert status_and_location(client, "/en/bureaus/port/ferries/") == (
        301,
        "/en/bureaus/industry/ferries/",
    )


def test_withdrawn_and_draft_duties_move_and_keep_their_state(reorganisation, approver, client):
    old, into, _duties = reorganisation
    ended = DutyFactory(bureau=old, slug="closed", publish_ends_at=timezone.now() - timedelta(1))
    draft = DutyFactory(bureau=old, slug="unpublished", publication_state=State.DRAFT)
    merge_bureau(bureau=old, into=into, by=approver)
    ended.refresh_from_db()
    draft.refresh_from_db()
    assert ended.bureau == draft.bureau == into
    assert draft.publication_state == State.DRAFT
    # Never approved: nothing to record in its published history.
    assert not ContentVersion.objects.of(draft).exists()
    # Ended before: it stays ended (410), at its old and new address alike.
    assert client.get("/bureaus/port-and-harbor/closed/").status_code == HTTPStatus.GONE
    assert client.get("/bureaus/industry/closed/").status_code == HTTPStatus.GONE
    # A draft's address never existed: 404, whatever was recorded.
    assert client.get("/bureaus/port-and-harbor/unpublished/").status_code == 404


def test_a_bureau_that_never_went_public_leaves_no_old_address(approver, client):
    start = timezone.now() + timedelta(days=3)
    old = BureauFactory(slug="future-bureau", publish_starts_at=start, first_published_at=start)
    DutyFactory(bureau=old, slug="work")
    into = BureauFactory()
    merge_bureau(bureau=old, into=into, by=approver)
    assert not FormerAddress.objects.exists()
    assert client.get("/bureaus/future-bureau/").status_code == 404


def test_requests_routed_to_the_merged_bureau_stay_with_hr_and_its_staff(reorganisation, approver):
    old, into, _duties = reorganisation
    call_command("setup_roles", verbosity=0)
    inquiry = submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=inquiry_answers(desired_start=date(2027, 4, 1)),
        bureaus=[old],
        duties=[],
    ).inquiry
    route = inquiry.routes.get()
    hr = UserFactory()
    hr.groups.add(Group.objects.get(name=HR_GROUP))
    clerk = BureauStaffFactory(bureau=old).user
    clerk.groups.add(Group.objects.get(name=BUREAU_STAFF_GROUP))

    merge_bureau(bureau=old, into=into, by=approver)

    assert InquiryRoute.objects.get(pk=route.pk).bureau == old
    case = reverse("admin:applications_inquiry_change", args=[inquiry.pk])
    for user in (hr, clerk):
        client = Client()
        client.force_login(user)
        response = client.get(case)
        assert response.status_code == 200, user
        assert inquiry.reference in response.content.decode()
        routes = client.get(reverse("admin:applications_inquiryroute_changelist"))
        assert routes.context["cl"].result_count >= 1
    # The clerk keeps the old bureau's requests but not the duties that moved away.
    client = Client()
    client.force_login(clerk)
    duties = client.get(reverse("admin:bureaus_duty_changelist"))
    assert duties.context["cl"].result_count == 0
    # A new request can no longer choose the merged bureau.
    offered = ConsultationForm().fields["bureaus"].queryset
    assert old not in offered and into in offered


# --- The admin page 「他の局に統合する」. -------------------------------------------


def merge_url(bureau):
    return reverse("admin:bureaus_bureau_merge", args=[bureau.pk])


@pytest.fixture
def roles():
    call_command("setup_roles", verbosity=0)


def test_an_approver_merges_from_the_bureaus_page(reorganisation, roles):
    old, into, _duties = reorganisation
    BureauStaffFactory(bureau=old, user=UserFactory(last_name="港", first_name="一郎"))
    client = signed_in(HR_GROUP)
    change = client.get(reverse("admin:bureaus_bureau_change", args=[old.pk])).content.decode()
    assert f'href="{merge_url(old)}"' in change and "他の局に統合する" in change
    page = client.get(merge_url(old))
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("他の局に統合する: 港湾局", "港湾の企画", "離島航路", "港 一郎", "統合先の局"):
        assert text in html, text
    offered = set(page.context["form"].fields["into"].queryset)
    assert old not in offered and into in offered

    response = client.post(merge_url(old), {"into": into.pk, "comment": "組織改正"})
    assert response.status_code == 302
    assert response.url == reverse("admin:bureaus_bureau_change", args=[into.pk])
    message = client.get(response.url).content.decode()
    assert "港湾局を産業局に統合しました（業務内容例 2 件を移しました）。" in message
    assert not old.duties.exists()
    assert ContentVersion.objects.of(old).get().comment == "産業局に統合しました。\n組織改正"


def test_the_page_refuses_the_same_bureau_next_to_the_field(reorganisation, roles):
    old, _into, (first, _second) = reorganisation
    response = signed_in(HR_GROUP).post(merge_url(old), {"into": old.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["into"] == [
        "正しく選択してください。選択したものは候補にありません。"
    ]
    first.refresh_from_db()
    assert first.bureau == old


def test_a_withdrawn_bureau_offers_no_merge(reorganisation, roles, approver):
    old, _into, _duties = reorganisation
    publishing.withdraw(item=old, by=approver)
    client = signed_in(HR_GROUP)
    page = client.get(merge_url(old)).content.decode()
    assert "承認済みの局だけ統合できます" in page and 'id="merge-form"' not in page
    change = client.get(reverse("admin:bureaus_bureau_change", args=[old.pk])).content.decode()
    assert merge_url(old) not in change


@pytest.mark.parametrize("group", [EDITOR_GROUP, BUREAU_STAFF_GROUP, None])
def test_only_an_approver_reaches_the_page(reorganisation, roles, group):
    old, into, (first, _second) = reorganisation
    client = signed_in(group)
    assert client.get(merge_url(old)).status_code == 403
    assert client.post(merge_url(old), {"into": into.pk}).status_code == 403
    first.refresh_from_db()
    assert first.bureau == old
    if group == EDITOR_GROUP:  # edits the bureau, sees no button
        change = client.get(reverse("admin:bureaus_bureau_change", args=[old.pk]))
        assert change.status_code == 200 and merge_url(old) not in change.content.decode()
