"""The applicant's status page: the secret link (valid, wrong, revoked), what it shows and
never shows, its headers, the link in the acknowledgement mail, and its quality
(axe and the Nu checker) in both languages."""

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from applications.intake import submit_inquiry
from applications.models import Inquiry, InternalNote, NotificationKind
from applications.outbox import build_message
from applications.workflow import RouteStatus
from bureaus.models import BureauStaff
from staffauth.roles import BUREAU_STAFF_GROUP, HR_GROUP
from tests.applications.helpers import inquiry_answers
from tests.conftest import make_bureau
from tests.quality import WIDE, Tally, check_page, nu_errors

PREFIXES = {"ja": "", "en": "/en"}
NOTE = "内部メモ：決裁待ち、先方には未連絡"
ASSIGNEE = "tantou-suzuki"

ANSWERS = inquiry_answers(message="水素関連の業務を希望します。")


def handled_inquiry(language="ja"):
    """A request at two bureaus, one moved on, assigned and annotated by staff."""
    first, second = make_bureau(name_en="Bureau of Tests"), make_bureau()
    inquiry = submit_inquiry(
        token=uuid.uuid4(),
        language=language,
        answers=ANSWERS,
        bureaus=[first, second],
        duties=[],
    ).inquiry
    staff = get_user_model().objects.create_user(
        f"{ASSIGNEE}-{inquiry.pk}", first_name="一郎", last_name="鈴木", is_staff=True
    )
    route = inquiry.routes.get(bureau=first)
    route.status = RouteStatus.CONSULTING
    route.assignee = staff
    route.save()
    InternalNote.objects.create(route=route, author=staff, body=NOTE)
    return inquiry


def status_path(inquiry, prefix=""):
    return f"{prefix}/consultation/status/{inquiry.status_token}/"


# --- Through the test client. ---------------------------------------------------------


@pytest.mark.django_db
def test_the_url_is_the_token_under_consultation_in_both_languages():
    inquiry = handled_inquiry()
    with_token = reverse("applications:status", args=[inquiry.status_token])
    assert with_token == status_path(inquiry)
    assert len(inquiry.status_token) >= 43  # 32 random bytes


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "stage", "received"), [
    ("ja", "事前相談中", "2026年"), ("en", "In pre-consultation", "2026"),
])  # fmt: skip
def test_a_valid_link_shows_the_reference_and_each_bureaus_stage(client, language, stage, received):
    inquiry = handled_inquiry()
    Inquiry.objects.filter(pk=inquiry.pk).update(received_at=inquiry.received_at.replace(year=2026))
    inquiry.refresh_from_db()
    response = client.get(status_path(inquiry, PREFIXES[language]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert inquiry.reference in html and ANSWERS["company_name"] in html
    assert received in html
    stages = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="stage">([^<]+)</td>', html))
    first, second = (route.bureau for route in inquiry.routes.order_by("bureau__order"))
    with_language = (lambda b: b.name_ja) if language == "ja" else (lambda b: b.name_en)
    if language == "ja":
        assert stages == {with_language(first): stage, with_language(second): "受付"}
    else:
        # English labels come from locale/ once translated; the stage is shown either way.
        assert set(stages) == {with_language(first), with_language(second)}
        assert stages[with_language(first)] in {stage, "事前相談中"}


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", PREFIXES.values())
def test_the_page_is_never_cached_nor_indexed(client, prefix):
    response = client.get(status_path(handled_inquiry(), prefix))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control
    assert "public" not in cache_control
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert 'rel="canonical"' not in html


@pytest.mark.django_db
def test_no_note_assignee_or_personal_data_is_shown(client):
    inquiry = handled_inquiry()
    html = client.get(status_path(inquiry)).content.decode()
    for secret in [
        NOTE,
        ASSIGNEE,
        "鈴木",
        "一郎",
        ANSWERS["contact_name"],
        ANSWERS["email"],
        ANSWERS["phone"],
        ANSWERS["department"],
        ANSWERS["message"],
        ANSWERS["main_business"],
        "/admin/",
    ]:
        assert secret not in html, secret


@pytest.mark.django_db
@pytest.mark.parametrize(
    "wrong",
    ["x", "0" * 43, "KR-2026-000001", "../../admin", "a" * 500],
)
def test_a_wrong_token_is_a_404(client, wrong):
    handled_inquiry()
    assert client.get(f"/consultation/status/{wrong}/").status_code == 404
    assert client.get(f"/en/consultation/status/{wrong}/").status_code == 404


@pytest.mark.django_db
def test_another_applicants_token_shows_only_their_request(client):
    mine, theirs = handled_inquiry(), handled_inquiry()
    Inquiry.objects.filter(pk=theirs.pk).update(company_name="別会社株式会社")
    html = client.get(status_path(mine)).content.decode()
    assert theirs.reference not in html and "別会社株式会社" not in html


@pytest.mark.django_db
def test_a_nearly_right_token_is_a_404(client):
    inquiry = handled_inquiry()
    token = inquiry.status_token
    for near in [
        token[:-1],
        token + "A",
        token.upper() if token != token.upper() else token.lower(),
    ]:
        assert client.get(f"/consultation/status/{near}/").status_code == 404


@pytest.mark.django_db
def test_an_anonymised_request_is_a_404(client):
    from django.utils import timezone

    inquiry = handled_inquiry()
    Inquiry.objects.filter(pk=inquiry.pk).update(anonymised_at=timezone.now())
    assert client.get(status_path(inquiry)).status_code == 404


# --- Revocation by HR in admin. ------------------------------------------------------------


def staff_account(username, group, bureau=None):
    call_command("setup_roles", verbosity=0)
    user = get_user_model().objects.create_user(username, password="x" * 16, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if bureau is not None:
        BureauStaff.objects.create(user=user, bureau=bureau)
    return user


def revoke(client, inquiry):
    return client.post(
        reverse("admin:applications_inquiry_changelist"),
        {"action": "revoke_status_link", "_selected_action": [inquiry.pk]},
    )


@pytest.mark.django_db
def test_hr_revokes_the_link_and_it_answers_404_in_both_languages(client):
    inquiry = handled_inquiry()
    path = status_path(inquiry)
    assert client.get(path).status_code == 200

    client.force_login(staff_account("hr", HR_GROUP))
    response = revoke(client, inquiry)
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status_token is None
    # The history records who revoked it.
    assert inquiry.history.latest().history_user.username == "hr"

    client.logout()
    assert client.get(path).status_code == 404
    assert client.get("/en" + path).status_code == 404
    # The acknowledgement keeps the text it was queued with: the link in it is dead.
    acknowledgement = inquiry.notifications.get(kind=NotificationKind.ACKNOWLEDGEMENT)
    assert path in acknowledgement.body


@pytest.mark.django_db
def test_bureau_staff_have_no_revoke_action(client):
    inquiry = handled_inquiry()
    bureau = inquiry.routes.first().bureau
    client.force_login(staff_account("kyoku", BUREAU_STAFF_GROUP, bureau))
    changelist = client.get(reverse("admin:applications_inquiry_changelist"))
    assert changelist.status_code == 200
    assert "revoke_status_link" not in changelist.content.decode()
    revoke(client, inquiry)
    inquiry.refresh_from_db()
    assert inquiry.status_token is not None


# --- The link in the acknowledgement mail. ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_acknowledgement_mail_carries_the_absolute_link_in_its_language(
    client, settings, language
):
    settings.SITE_URL = "https://kouryu.example.jp/"
    inquiry = handled_inquiry(language)
    acknowledgement = inquiry.notifications.get(kind=NotificationKind.ACKNOWLEDGEMENT)
    body = build_message(acknowledgement).body
    link = "https://kouryu.example.jp" + status_path(inquiry, PREFIXES[language])
    assert link in body.split()
    assert client.get(link.removeprefix("https://kouryu.example.jp")).status_code == 200
    # Only the applicant's mail has the link.
    for notification in inquiry.notifications.exclude(kind=NotificationKind.ACKNOWLEDGEMENT):
        assert inquiry.status_token not in build_message(notification).body


# --- Quality: the Nu checker and axe. ------------------------------------------------------


@pytest.mark.django_db
def test_the_page_is_valid_html_in_both_languages(client, tmp_path, vnu_command):
    inquiry = handled_inquiry()
    documents = {}
    for language, prefix in PREFIXES.items():
        response = client.get(status_path(inquiry, prefix))
        assert response.status_code == 200
        documents[f"{language} status"] = response.content
    errors = nu_errors(vnu_command, documents, tmp_path)
    assert not errors, "\n".join(errors)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_page_has_no_wcag_violations_in_both_languages(browser, live_server):
    inquiry = handled_inquiry()
    axe = Axe()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=WIDE)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tally = Tally()
    try:
        for language, prefix in PREFIXES.items():
            response = tab.goto(status_path(inquiry, prefix))
            assert response.status == 200
            assert tab.locator("h1").count() == 1
            check_page(tab, tally, language, axe=axe)
    finally:
        context.close()
    assert not tally.all_findings(), "\n\n".join(tally.all_findings())
