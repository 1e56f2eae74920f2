"""The old addresses in admin (以前の URL): HR sees every recorded one with where it
leads, searches them, deletes a wrong one and adds a missing one by hand; an address
a live page still holds is refused, since it would never redirect."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bureaus.models import Bureau, Duty
from bureaus.reorganisation import merge_bureau
from core import publishing
from core.models import FormerAddress
from core.publication import State
from staffauth.roles import BUREAU_STAFF_GROUP, EDITOR_GROUP, HR_GROUP
from tests.factories import BureauFactory, DutyFactory, UserFactory, signed_in

pytestmark = pytest.mark.django_db

LIST = reverse("admin:core_formeraddress_changelist")
ADD = reverse("admin:core_formeraddress_add")


@pytest.fixture
def hr():
    call_command("setup_roles", verbosity=0)
    return signed_in(HR_GROUP)


@pytest.fixture
def merged():
    """港湾局 merged into 産業局: three old addresses, each leading somewhere live."""
    old = BureauFactory(slug="port-and-harbor", name_ja="港湾局")
    into = BureauFactory(slug="industry", name_ja="産業局")
    DutyFactory(bureau=old, slug="ferries", title_ja="離島航路")
    DutyFactory(bureau=old, slug="planning", title_ja="港湾の企画")
    merge_bureau(bureau=old, into=into, by=UserFactory(is_superuser=True))
    return old, into


def duty_type():
    return ContentType.objects.get_for_model(Duty)


def test_hr_sees_every_old_address_with_where_it_leads(hr, merged):
    response = hr.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    for text in (
        "種類",
        "以前の URL 用の名前",
        "移転先",
        "記録日時",
        "port-and-harbor/ferries",
        '<a href="/bureaus/port-and-harbor/ferries/">/bureaus/port-and-harbor/ferries/</a>',
        "産業局：離島航路",
        '<a href="/bureaus/industry/ferries/">/bureaus/industry/ferries/</a>',
        '<a href="/bureaus/industry/">/bureaus/industry/</a>',
    ):
        assert text in html, text
    found = hr.get(LIST, {"q": "ferries"}).context["cl"]
    assert [row.key for row in found.result_list] == ["port-and-harbor/ferries"]
    bureaus_only = hr.get(LIST, {"kind": "bureau"}).context["cl"]
    assert [row.key for row in bureaus_only.result_list] == ["port-and-harbor"]


def test_the_list_costs_the_same_however_many_addresses(hr, merged):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert hr.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    for number in range(6):
        old = BureauFactory(slug=f"old-{number}")
        DutyFactory(bureau=old)
        merge_bureau(bureau=old, into=BureauFactory(), by=UserFactory(is_superuser=True))
    assert FormerAddress.objects.count() == 15
    assert queries() == few


def test_a_note_says_when_the_target_is_not_live(hr, merged):
    _old, into = merged
    publishing.withdraw(item=into, by=UserFactory(is_superuser=True))
    html = hr.get(LIST).content.decode()
    assert "掲載中ではないため、今は転送されません" in html


def test_hr_deletes_a_wrong_old_address(hr, merged, client):
    wrong = FormerAddress.objects.get(key="port-and-harbor/ferries")
    page = hr.get(reverse("admin:core_formeraddress_delete", args=[wrong.pk]))
    assert page.status_code == 200
    response = hr.post(reverse("admin:core_formeraddress_delete", args=[wrong.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not FormerAddress.objects.filter(pk=wrong.pk).exists()
    assert client.get("/bureaus/port-and-harbor/ferries/").status_code == 404


def test_an_old_address_is_read_not_edited(hr, merged):
    former = FormerAddress.objects.get(key="port-and-harbor")
    url = reverse("admin:core_formeraddress_change", args=[former.pk])
    page = hr.get(url)
    assert page.status_code == 200 and "産業局" in page.content.decode()
    assert 'name="key"' not in page.content.decode()
    assert hr.post(url, {"key": "elsewhere"}).status_code == 403
    former.refresh_from_db()
    assert former.key == "port-and-harbor"


def test_hr_adds_a_missing_old_address_by_hand(hr, merged, client):
    duty = Duty.objects.get(slug="ferries")
    response = hr.post(
        ADD,
        {
            "kind": "duty",
            # Pasted from an English page: the key is taken out of it.
            "key": "https://kouryu.metro.tokyo.example/en/bureaus/islands/ferry-routes/",
            "duty": duty.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = FormerAddress.objects.get(key="islands/ferry-routes")
    assert (added.content_type, added.object_id) == (duty_type(), duty.pk)
    moved = client.get("/en/bureaus/islands/ferry-routes/")
    assert moved.status_code == 301 and moved["Location"] == "/en/bureaus/industry/ferries/"


def test_the_add_form_offers_only_bureaus_and_duties(hr):
    form = hr.get(ADD).context["adminform"].form
    assert [value for value, _label in form.fields["kind"].choices] == ["bureau", "duty"]
    response = hr.post(ADD, {"kind": "theme", "key": "anything"})
    assert response.status_code == 200 and response.context["adminform"].form.errors["kind"]
    assert not FormerAddress.objects.exists()


ERRORS = [
    # (what is posted, the field the error stands by, the error)
    (
        {"kind": "bureau", "key": "environment"},
        "key",
        "この URL は今も掲載中の「環境局」のページです。掲載中のページは転送されないため、"
        "登録できません。",
    ),
    (
        {"kind": "duty", "key": "/bureaus/environment/hydrogen-society/"},
        "key",
        "この URL は今も掲載中の「環境局：",
    ),
    ({"kind": "bureau", "key": "Port Bureau"}, "key", "半角英小文字・数字・ハイフン"),
    ({"kind": "duty", "key": "ferries"}, "key", "「局の URL 用の名前/業務の URL 用の名前」の形"),
    ({"kind": "duty", "key": "port-and-harbor/ferries"}, "key", "すでに登録されています"),
    ({"kind": "duty", "key": "somewhere/else"}, "duty", "移転先を選んでください。"),
]


@pytest.mark.parametrize(("posted", "field", "error"), ERRORS, ids=[e[2][:20] for e in ERRORS])
def test_a_wrong_old_address_is_refused_in_japanese_next_to_its_field(
    hr, merged, posted, field, error
):
    target = Bureau.objects.get(slug="industry")
    data = {**posted, "bureau": target.pk}
    before = FormerAddress.objects.count()
    response = hr.post(ADD, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors[field]
    assert any(error in message for message in errors), errors
    assert error.split("「")[0] in response.content.decode()
    assert FormerAddress.objects.count() == before


def test_the_current_address_of_its_own_target_is_refused(hr):
    scheduled = BureauFactory(slug="not-yet", publication_state=State.DRAFT)
    response = hr.post(ADD, {"kind": "bureau", "key": "not-yet", "bureau": scheduled.pk})
    assert response.context["adminform"].form.errors["key"] == ["移転先の今の URL と同じです。"]


@pytest.mark.parametrize("group", [EDITOR_GROUP, BUREAU_STAFF_GROUP, None])
def test_only_hr_reaches_the_old_addresses(merged, group):
    call_command("setup_roles", verbosity=0)
    client = signed_in(group)
    former = FormerAddress.objects.get(key="port-and-harbor")
    for url in (
        LIST,
        ADD,
        reverse("admin:core_formeraddress_change", args=[former.pk]),
        reverse("admin:core_formeraddress_delete", args=[former.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(ADD, {"kind": "bureau", "key": "x", "bureau": former.object_id}).status_code
        == 403
    )
    assert "以前の URL" not in client.get(reverse("admin:index")).content.decode()
    assert FormerAddress.objects.count() == 3
