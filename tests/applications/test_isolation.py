"""The isolation matrix: every back-office role against every admin path to a request.

Four requests are routed to three bureaus (one of them to two bureaus at once), and
six accounts look at them: an HR administrator, a superuser, a content editor, a
staff member of 環境局 only, a staff member of two other bureaus, and an active staff
account with no group. For each account and each request (or each bureau's handling
of it), every admin path either shows it, because the account may see it, or refuses
without a trace of it: changelists with their filters and counts, search, the case screen (a
request's page: its routes, notes, mails and actions), history and delete views,
bulk actions, the autocomplete endpoint, and ids guessed for routes, notes, mails
and the access log. Duties are checked the same way for bureau staff, with their
publication screens: the procedure page (掲載の手続き), the previews in both
languages and each workflow step; only a 承認者 approves or withdraws.

A "refusal" is a 400, 403 or 404, or a redirect to the admin index or login page, and
in every case none of the request's identifying text reaches the browser.
"""

import json
import re
import uuid
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from applications.forms import ConsultationForm
from applications.intake import submit_inquiry
from applications.models import (
    AccessAction,
    Inquiry,
    InquiryAccess,
    InquiryRoute,
    InternalNote,
    Notification,
)
from applications.workflow import RouteStatus
from bureaus.models import Bureau, BureauStaff, Duty
from core import publishing
from core.models import ContentVersion, FormerAddress
from core.publication import State
from staffauth.roles import BUREAU_STAFF_GROUP, EDITOR_GROUP, HR_GROUP
from tests.applications.helpers import form_data

pytestmark = pytest.mark.django_db

ENVIRONMENT = "environment"
WELFARE = "social-welfare-public-health"
INDUSTRY = "industrial-labour"

# --- The world: who the accounts are, what was sent where. ----------------------------

# role key → (phrase for test ids, group, bureaus it handles, or None for every bureau)
ROLES = {
    "hr": ("an HR administrator", HR_GROUP, None),
    "superuser": ("a superuser", None, None),
    "editor": ("a content editor", EDITOR_GROUP, ()),
    "nogroup": ("a staff account with no group", None, ()),
    "env": ("Environment Bureau staff", BUREAU_STAFF_GROUP, (ENVIRONMENT,)),
    "two": ("staff of the Welfare and Industry Bureaus", BUREAU_STAFF_GROUP, (WELFARE, INDUSTRY)),
}
READS_REQUESTS = {"hr", "superuser", "env", "two"}  # may open the request admin at all
HANDLES_ROUTES = READS_REQUESTS  # may move a request on and add notes
DELETES_REQUESTS = {"hr", "superuser"}
READS_MAIL_AND_ACCESS_LOG = {"hr", "superuser"}
EDITS_EVERY_DUTY = {"hr", "superuser", "editor"}

# request key → (phrase, company, contact, e-mail, bureaus it is routed to)
REQUESTS = {
    "envonly": (
        "the Environment-only request",
        "緑化技研株式会社",
        "緑川 一郎",
        "ichiro@ryokka.example",
        (ENVIRONMENT,),
    ),
    "welfareonly": (
        "the Welfare-only request",
        "福祉ケア株式会社",
        "福田 二郎",
        "jiro@fukushi-care.example",
        (WELFARE,),
    ),
    "shared": (
        "the request sent to Environment and Industry",
        "両局物産株式会社",
        "両角 三郎",
        "saburo@ryokyoku.example",
        (ENVIRONMENT, INDUSTRY),
    ),
    "industryonly": (
        "the Industry-only request",
        "産業機械株式会社",
        "産田 四郎",
        "shiro@sangyo-kikai.example",
        (INDUSTRY,),
    ),
    # Other duties only: no bureau, so the central window's route, HR's alone.
    "otheronly": (
        "the request for other duties only",
        "広報企画株式会社",
        "広田 五郎",
        "goro@koho-kikaku.example",
        (),
    ),
}
CENTRAL = None  # the "bureau slug" of the central window's route
BUREAU_PHRASE = {
    ENVIRONMENT: "Environment",
    WELFARE: "Welfare",
    INDUSTRY: "Industry",
    CENTRAL: "the central window",
}


def route_slugs(key):
    """The bureaus a request is routed to, or the central window when it names none."""
    return REQUESTS[key][4] or (CENTRAL,)


ROUTES = [(key, slug) for key in REQUESTS for slug in route_slugs(key)]


def sees_bureau(role, slug):
    """Whether the role sees a bureau's routes (CENTRAL: the central window's)."""
    bureaus = ROLES[role][2]
    return bureaus is None or slug in bureaus


def sees_request(role, key):
    return any(sees_bureau(role, slug) for slug in route_slugs(key))


@dataclass
class World:
    users: dict = field(default_factory=dict)
    inquiries: dict = field(default_factory=dict)
    routes: dict = field(default_factory=dict)  # (request key, bureau slug) → route
    notes: dict = field(default_factory=dict)  # (request key, bureau slug) → note
    accesses: dict = field(default_factory=dict)  # request key → access log row
    duties: dict = field(default_factory=dict)  # bureau slug → a duty of that bureau

    def secrets(self, key):
        """What identifies a request: none of it may reach an account that cannot see it."""
        inquiry = self.inquiries[key]
        _, company, contact, email, _ = REQUESTS[key]
        return [inquiry.reference, company, contact, email]

    def client(self, role):
        client = Client()
        client.force_login(self.users[role])
        return client


def submit(key):
    _, company, contact, email, slugs = REQUESTS[key]
    bureaus = Bureau.objects.filter(slug__in=slugs)
    form = ConsultationForm(
        form_data(
            duties=None,
            bureaus=[str(bureau.pk) for bureau in bureaus],
            other_duties="" if slugs else "広報の企画",
            company_name=company,
            contact_name=contact,
            email=email,
        )
    )
    assert form.is_valid(), form.errors
    return submit_inquiry(
        token=uuid.uuid4(),
        language="ja",
        answers=form.inquiry_answers(),
        bureaus=list(form.cleaned_data["bureaus"]),
        duties=[],
    ).inquiry


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The world is built once for the module, in a transaction rolled back at its end;
    each test runs in a savepoint inside it, so what a test changes is undone."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    return module_world


def build_world():
    call_command("setup_roles", stdout=StringIO())
    world = World()
    user_model = get_user_model()
    for role, (_, group, slugs) in ROLES.items():
        if role == "superuser":
            user = user_model.objects.create_superuser(role, f"{role}@metro.example", None)
        else:
            user = user_model.objects.create_user(role, f"{role}@metro.example", is_staff=True)
        if group:
            user.groups.add(Group.objects.get(name=group))
        for bureau in Bureau.objects.filter(slug__in=slugs or ()):
            BureauStaff.objects.create(user=user, bureau=bureau)
        world.users[role] = user
    for key in REQUESTS:
        world.inquiries[key] = submit(key)
        world.accesses[key] = InquiryAccess.objects.create(
            inquiry=world.inquiries[key], user=world.users["hr"], action=AccessAction.VIEW
        )
    for key, slug in ROUTES:
        routes = InquiryRoute.objects.filter(inquiry=world.inquiries[key])
        route = routes.get(is_central=True) if slug is CENTRAL else routes.get(bureau__slug=slug)
        world.routes[key, slug] = route
        world.notes[key, slug] = InternalNote.objects.create(
            route=route, author=world.users["hr"], body=f"内部メモ-{key}-{slug}-非公開"
        )
    for slug in (ENVIRONMENT, WELFARE, INDUSTRY):
        world.duties[slug] = Duty.objects.filter(bureau__slug=slug).order_by("pk").first()
    return world


# --- What "shows" and "refuses" mean. ----------------------------------------------------

ADMIN_INDEX = "/admin/"


def body(response):
    return response.content.decode()


def assert_shows(response, texts):
    assert response.status_code == 200, response.status_code
    html = body(response)
    for text in texts:
        assert text in html, f"{text!r} missing"


def assert_refuses(response, texts):
    """Refused (4xx, or sent to the index or login), and no identifying text anywhere."""
    if response.status_code == 302:
        # The index, the login page, or a list's "?e=1" (a filter it refused).
        assert (
            response.url == ADMIN_INDEX
            or response.url.startswith("/admin/login/")
            or (response.url.endswith("/?e=1"))
        ), response.url
    else:
        assert response.status_code in (400, 403, 404), response.status_code
    html = body(response)
    for text in texts:
        assert text not in html, f"{text!r} leaked"
    if response.status_code == 302 and not response.url.startswith("/admin/login/"):
        # The page landed on shows a message ("does not exist"): no data there either.
        landing = response.client.get(response.url)
        for text in texts:
            assert text not in body(landing), f"{text!r} leaked after the redirect"


def assert_lists_nothing_of(response, texts):
    """A list the account may open must not show the request; one it may not is refused."""
    if response.status_code == 200:
        html = body(response)
        for text in texts:
            assert text not in html, f"{text!r} leaked"
    else:
        assert_refuses(response, texts)


def admin_url(model, pk=None, view="change"):
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return base if pk is None else f"{base}{pk}/{view}/"


def matrix(cases):
    """pytest.param for each case, its id a sentence."""
    return [pytest.param(*case[1:], id=case[0]) for case in cases]


# --- Requests (Inquiry) by every path. ---------------------------------------------------


def inquiry_cases(paths):
    for role, (who, _, _) in ROLES.items():
        for key, (what, *_) in REQUESTS.items():
            for path, reaches_phrase, refused_phrase in paths:
                visible = sees_request(role, key)
                phrase = reaches_phrase if visible else refused_phrase
                yield (f"{who} {phrase.format(what)}", role, key, path)


INQUIRY_PATHS = [
    ("changelist", "finds {} in the changelist", "finds no trace of {} in the changelist"),
    (
        "changelist with facets",
        "finds {} in the changelist with filter counts",
        "finds no trace of {} in the changelist's filters and counts",
    ),
    ("search", "finds {} by its company name", "finds nothing searching for {}"),
    ("change", "opens {}", "cannot open {} by its id"),
    ("history", "opens the history of {}", "cannot open the history of {}"),
]


@pytest.mark.parametrize(("role", "key", "path"), matrix(inquiry_cases(INQUIRY_PATHS)))
def test_a_request_is_reachable_only_by_those_who_may_see_it(world, role, key, path):
    client, inquiry = world.client(role), world.inquiries[key]
    secrets = world.secrets(key)
    visible = sees_request(role, key)
    url, params = {
        "changelist": (admin_url(Inquiry), {}),
        "changelist with facets": (admin_url(Inquiry), {"_facets": "1"}),
        "search": (admin_url(Inquiry), {"q": REQUESTS[key][1], "_facets": "1"}),
        "change": (admin_url(Inquiry, inquiry.pk), {}),
        "history": (admin_url(Inquiry, inquiry.pk, "history"), {}),
    }[path]
    response = client.get(url, params)
    if path in ("changelist", "changelist with facets", "search"):
        if visible:
            assert_shows(response, secrets[:2])
        else:
            # A search shows its own term back in the search box: that tells nothing.
            assert_lists_nothing_of(
                response, [s for s in secrets if path != "search" or s != REQUESTS[key][1]]
            )
            if response.status_code == 200 and path == "search":
                assert response.context["cl"].result_count == 0
    elif visible:
        assert_shows(response, secrets[:2] if path == "history" else secrets)
    else:
        assert_refuses(response, secrets)
    if path == "change":
        # Only a view that showed the data is recorded as an access to it.
        recorded = InquiryAccess.objects.filter(inquiry=inquiry, user=world.users[role]).exists()
        assert recorded == visible


def delete_cases():
    for role, (who, _, _) in ROLES.items():
        for key, (what, *_) in REQUESTS.items():
            may = sees_request(role, key) and role in DELETES_REQUESTS
            phrase = (
                "reaches the delete page of {}" if may else "cannot reach the delete page of {}"
            )
            yield (f"{who} {phrase.format(what)}", role, key)


@pytest.mark.parametrize(("role", "key"), matrix(delete_cases()))
def test_only_hr_reaches_the_delete_page_of_a_request(world, role, key):
    inquiry = world.inquiries[key]
    response = world.client(role).get(admin_url(Inquiry, inquiry.pk, "delete"))
    if sees_request(role, key) and role in DELETES_REQUESTS:
        assert_shows(response, [inquiry.reference])
    elif sees_request(role, key):
        assert response.status_code == 403  # their own bureau's: seen, but not theirs to delete
    else:
        assert_refuses(response, world.secrets(key))
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()


def bulk_delete_cases():
    for role, (who, _, _) in ROLES.items():
        for key, (what, *_) in REQUESTS.items():
            yield (f"{who} cannot delete {what} by a bulk action", role, key)


@pytest.mark.parametrize(("role", "key"), matrix(bulk_delete_cases()))
def test_nobody_deletes_a_request_by_a_bulk_action(world, role, key):
    """Not even HR: a request's routes cannot be deleted in admin, so neither can the
    request (its personal data goes by the purge and the erasure workflow instead)."""
    inquiry = world.inquiries[key]
    response = world.client(role).post(
        admin_url(Inquiry),
        {"action": "delete_selected", "_selected_action": [inquiry.pk], "post": "yes"},
    )
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()
    if not sees_request(role, key):
        assert_lists_nothing_of(response, world.secrets(key))


def export_cases():
    for role, (who, _, _) in ROLES.items():
        for key, (what, *_) in REQUESTS.items():
            if role in ("editor", "nogroup"):
                yield (f"{who} cannot export {what}", role, key)
            elif sees_request(role, key):
                yield (f"{who} allowed to export exports {what}", role, key)
            else:
                yield (f"{who} allowed to export cannot export {what}", role, key)


@pytest.mark.parametrize(("role", "key"), matrix(export_cases()))
def test_the_csv_export_holds_only_what_the_account_may_see(world, role, key):
    """Bureau staff are given the export permission here (HR may grant it), so the
    test shows the export's own scoping, not merely a missing permission."""

    user = world.users[role]
    if ROLES[role][2]:
        user.user_permissions.add(Permission.objects.get(codename="export_inquiry"))
    inquiry = world.inquiries[key]
    response = world.client(role).post(
        admin_url(Inquiry), {"action": "export_csv", "_selected_action": [inquiry.pk]}
    )
    exported = response.get("Content-Type", "").startswith("text/csv")
    content = response.content.decode("utf-8-sig") if exported else body(response)
    if sees_request(role, key) and role in READS_REQUESTS:
        assert exported
        assert inquiry.reference in content and REQUESTS[key][1] in content
        # One row per bureau the account handles: never another bureau's progress.
        for slug in REQUESTS[key][4]:
            name = Bureau.objects.get(slug=slug).name_ja
            assert (f'"{name}"' in content) == sees_bureau(role, slug)
    else:
        for secret in world.secrets(key):
            assert secret not in content, f"{secret!r} leaked"
    recorded = InquiryAccess.objects.filter(
        inquiry=inquiry, user=user, action=AccessAction.EXPORT
    ).exists()
    assert recorded == (sees_request(role, key) and role in READS_REQUESTS)


def revoke_cases():
    for role, (who, _, _) in ROLES.items():
        for key, (what, *_) in REQUESTS.items():
            verb = "revokes" if role in DELETES_REQUESTS else "cannot revoke"
            yield (f"{who} {verb} the status link of {what}", role, key)


@pytest.mark.parametrize(("role", "key"), matrix(revoke_cases()))
def test_only_hr_revokes_a_status_link(world, role, key):
    inquiry = world.inquiries[key]
    response = world.client(role).post(
        admin_url(Inquiry), {"action": "revoke_status_link", "_selected_action": [inquiry.pk]}
    )
    inquiry_now = Inquiry.objects.get(pk=inquiry.pk)
    assert (inquiry_now.status_token is None) == (role in DELETES_REQUESTS)
    if not sees_request(role, key):
        assert_lists_nothing_of(response, world.secrets(key))


AUTOCOMPLETE_SOURCES = [("inquiryroute", "inquiry"), ("notification", "inquiry"), ("inquiryaccess", "inquiry")]  # fmt: skip


def autocomplete_cases():
    for case_id, role, key, _ in inquiry_cases(
        [("", "finds {} through autocomplete", "finds nothing of {} through autocomplete")]
    ):
        for model_name, field_name in AUTOCOMPLETE_SOURCES:
            yield (f"{case_id} ({model_name}.{field_name})", role, key, model_name, field_name)


def autocomplete(client, model_name, field_name, term):
    return client.get(
        "/admin/autocomplete/",
        {
            "app_label": "applications",
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
        },
    )


def autocomplete_texts(response):
    payload = json.loads(response.content)
    return [(str(result["id"]), result["text"]) for result in payload["results"]]


@pytest.mark.parametrize(("role", "key", "model_name", "field_name"), matrix(autocomplete_cases()))
def test_autocomplete_offers_only_requests_the_account_may_see(
    world, role, key, model_name, field_name
):
    inquiry = world.inquiries[key]
    for term in (REQUESTS[key][1], inquiry.reference, ""):
        response = autocomplete(world.client(role), model_name, field_name, term)
        if sees_request(role, key):
            assert response.status_code == 200
            assert (str(inquiry.pk), str(inquiry)) in autocomplete_texts(response)
        elif response.status_code == 200:
            results = autocomplete_texts(response)
            assert str(inquiry.pk) not in [pk for pk, _ in results]
            # The JSON escapes Japanese: compare decoded texts, and the raw body for ASCII.
            for secret in world.secrets(key):
                assert not any(secret in text for _, text in results)
                assert secret not in body(response)
        else:
            assert_refuses(response, world.secrets(key))


def guessed_id_cases():
    kinds = [
        ("notification", "its notification mails"),
        ("access", "its access-log entry"),
    ]
    for role, (who, _, _) in ROLES.items():
        for key, (what, *_) in REQUESTS.items():
            for kind, thing in kinds:
                may = role in READS_MAIL_AND_ACCESS_LOG
                verb = "opens" if may else "cannot open, by a guessed id,"
                yield (f"{who} {verb} {thing} of {what}", role, key, kind)


@pytest.mark.parametrize(("role", "key", "kind"), matrix(guessed_id_cases()))
def test_mails_and_the_access_log_open_for_hr_only(world, role, key, kind):
    client = world.client(role)
    if kind == "notification":
        notifications = Notification.objects.filter(inquiry=world.inquiries[key])
        assert notifications.count() >= 2  # the bureaus' mail(s) and the acknowledgement
        urls = [
            (admin_url(Notification, n.pk), [n.recipient, world.inquiries[key].reference])
            for n in notifications
        ]
    else:
        access = world.accesses[key]
        urls = [(admin_url(InquiryAccess, access.pk), [world.inquiries[key].reference])]
    for url, texts in urls:
        response = client.get(url)
        if role in READS_MAIL_AND_ACCESS_LOG:
            assert_shows(response, texts)
        else:
            assert_refuses(response, [*texts, *world.secrets(key)])


# --- Each bureau's handling (InquiryRoute) by every path. ---------------------------------


def route_phrase(key, slug):
    return f"{BUREAU_PHRASE[slug]}'s handling of {REQUESTS[key][0]}"


ROUTE_PATHS = [
    ("changelist", "finds {} in the routes list", "finds no trace of {} in the routes list"),
    ("search", "finds {} by its company name", "finds nothing of {} by its company name"),
    ("change", "opens {} on its case screen with its notes", "cannot open {} by its id"),
    ("history", "opens the history of {}", "cannot open the history of {}"),
    ("autocomplete", "finds {} through autocomplete", "finds nothing of {} through autocomplete"),
]


def route_cases():
    for role, (who, _, _) in ROLES.items():
        for key, slug in ROUTES:
            for path, reaches, refused in ROUTE_PATHS:
                phrase = reaches if sees_bureau(role, slug) else refused
                yield (f"{who} {phrase.format(route_phrase(key, slug))}", role, key, slug, path)


def route_secrets(world, role, key, slug):
    """A route's own note and link, and the request itself unless another route shows it."""
    route = world.routes[key, slug]
    texts = [world.notes[key, slug].body, admin_url(InquiryRoute, route.pk)]
    return texts if sees_request(role, key) else [*texts, *world.secrets(key)]


@pytest.mark.parametrize(("role", "key", "slug", "path"), matrix(route_cases()))
def test_a_bureaus_handling_is_reachable_only_by_that_bureau_and_hr(world, role, key, slug, path):
    client, route = world.client(role), world.routes[key, slug]
    visible = sees_bureau(role, slug)
    secrets = route_secrets(world, role, key, slug)
    company = REQUESTS[key][1]
    if path == "autocomplete":
        response = client.get(
            "/admin/autocomplete/",
            {
                "app_label": "applications",
                "model_name": "internalnote",
                "field_name": "route",
                "term": company,
            },
        )
        if visible:
            assert response.status_code == 200
            assert str(route.pk) in [pk for pk, _ in autocomplete_texts(response)]
        elif response.status_code == 200:
            assert str(route.pk) not in [pk for pk, _ in autocomplete_texts(response)]
        else:
            assert_refuses(response, secrets)
        return
    url, params = {
        "changelist": (admin_url(InquiryRoute), {"_facets": "1"}),
        "search": (admin_url(InquiryRoute), {"q": company}),
        "change": (admin_url(InquiryRoute, route.pk), {}),
        "history": (admin_url(InquiryRoute, route.pk, "history"), {}),
    }[path]
    response = client.get(url, params)
    if path in ("changelist", "search"):
        if visible:
            assert_shows(response, [admin_url(InquiryRoute, route.pk), company])
        else:
            shown_back = {company} if path == "search" else set()
            assert_lists_nothing_of(response, [s for s in secrets if s not in shown_back])
    elif visible and path == "change":
        # A route is handled on its request's case screen: the route's own address
        # leads there, to the route.
        case = admin_url(Inquiry, world.inquiries[key].pk)
        assert response.status_code == 302 and response.url == f"{case}#route-{route.pk}"
        assert_shows(
            client.get(case), [world.inquiries[key].reference, world.notes[key, slug].body]
        )
    elif visible:
        assert_shows(response, [world.inquiries[key].reference])
    else:
        assert_refuses(response, secrets)


# --- The case screen: a request with the routes the account may see, and their actions. ---


def case_cases():
    for role, (who, _, _) in ROLES.items():
        for key, slug in ROUTES:
            what = route_phrase(key, slug)
            if sees_bureau(role, slug) and role in READS_REQUESTS:
                phrase = "sees {} with its notes and form on the case screen"
            elif sees_request(role, key) and role in READS_REQUESTS:
                phrase = "sees the case screen without {}"
            else:
                phrase = "cannot open the case screen of {}"
            yield (f"{who} {phrase.format(what)}", role, key, slug)


def route_texts(world, key, slug):
    """What the case screen shows of one route: its note, its form, its heading."""
    route = world.routes[key, slug]
    return [
        world.notes[key, slug].body,
        f'id="route-{route.pk}"',
        f'name="route-{route.pk}-status"',
    ]


@pytest.mark.parametrize(("role", "key", "slug"), matrix(case_cases()))
def test_the_case_screen_shows_only_the_routes_the_account_may_see(world, role, key, slug):
    inquiry = world.inquiries[key]
    response = world.client(role).get(admin_url(Inquiry, inquiry.pk))
    texts = route_texts(world, key, slug)
    if sees_bureau(role, slug) and role in READS_REQUESTS:
        assert_shows(response, [*world.secrets(key), *texts])
    elif sees_request(role, key) and role in READS_REQUESTS:
        assert_shows(response, world.secrets(key))
        html = body(response)
        for text in texts:
            assert text not in html, f"{text!r} leaked"
        # Nor who handles it there, nor its name as a route's heading.
        other = world.routes[key, slug].handler_name_ja
        assert f"{other}の対応を保存" not in html
    else:
        assert_refuses(response, [*world.secrets(key), *texts])


@pytest.mark.parametrize("role", [pytest.param(r, id=ROLES[r][0]) for r in ROLES])
def test_the_case_screen_shows_the_mails_to_hr_only(world, role):
    inquiry = world.inquiries["shared"]
    response = world.client(role).get(admin_url(Inquiry, inquiry.pk))
    recipients = list(inquiry.notifications.values_list("recipient", flat=True))
    assert len(recipients) >= 3  # the bureaus', the central copy, the acknowledgement
    if role in READS_MAIL_AND_ACCESS_LOG:
        assert_shows(response, ["送信したメール", *recipients])
    elif sees_request(role, "shared"):
        html = body(response)
        assert response.status_code == 200 and "送信したメール" not in html
        # The applicant's own address is part of the request; the staff addresses are not.
        for recipient in recipients:
            assert recipient == inquiry.email or recipient not in html, recipient
    else:
        assert_refuses(response, recipients)


def case_post(world, key, slug, *, note="事前相談の日程を調整中"):
    """The case screen's form for one route, as a browser posts it: moved to 事前相談中,
    taken on by HR's account, a new reply-by date and a note."""
    route = world.routes[key, slug]
    prefix = f"route-{route.pk}"
    return {
        "route": str(route.pk),
        f"{prefix}-status": RouteStatus.CONSULTING,
        f"{prefix}-assignee": str(world.users["hr"].pk),
        f"{prefix}-reply_by": "2030-01-31",
        f"{prefix}-note": note,
    }


def route_write_cases():
    for role, (who, _, _) in ROLES.items():
        for key, slug in ROUTES:
            what = route_phrase(key, slug)
            if role in HANDLES_ROUTES and sees_bureau(role, slug):
                yield (f"{who} moves {what} on, assigns, dates and annotates it", role, key, slug)
            else:
                yield (f"{who} can neither move nor annotate {what}", role, key, slug)


def assert_route_untouched(before, note):
    """``before`` is the route as read before the attempt (the world's instances are
    shared by the module's tests: never refresh them)."""
    route = InquiryRoute.objects.get(pk=before.pk)
    assert (route.status, route.assignee_id, route.reply_by) == (
        before.status,
        before.assignee_id,
        before.reply_by,
    )
    assert not InternalNote.objects.filter(route=route, body=note).exists()


@pytest.mark.parametrize(("role", "key", "slug"), matrix(route_write_cases()))
def test_only_the_bureau_and_hr_act_on_a_route_from_the_case_screen(world, role, key, slug):
    before = InquiryRoute.objects.get(pk=world.routes[key, slug].pk)
    case = admin_url(Inquiry, world.inquiries[key].pk)
    response = world.client(role).post(case, case_post(world, key, slug))
    if role in HANDLES_ROUTES and sees_bureau(role, slug):
        assert response.status_code == 302, body(response)[:3000]
        assert response.url == f"{case}#route-{before.pk}"
        route = InquiryRoute.objects.get(pk=before.pk)
        assert route.status == RouteStatus.CONSULTING
        assert route.assignee == world.users["hr"]
        assert route.reply_by.isoformat() == "2030-01-31"
        note = InternalNote.objects.get(route=route, body="事前相談の日程を調整中")
        assert note.author == world.users[role]
    else:
        assert_refuses(response, route_secrets(world, role, key, slug))
        assert_route_untouched(before, "事前相談の日程を調整中")


def cross_request_cases():
    for role in sorted(HANDLES_ROUTES):
        for key, slug in ROUTES:
            for other in REQUESTS:
                if other != key and sees_request(role, other):
                    what = route_phrase(key, slug)
                    yield (
                        f"{ROLES[role][0]} cannot act on {what} from the case screen of "
                        f"{REQUESTS[other][0]}",
                        role,
                        key,
                        slug,
                        other,
                    )


@pytest.mark.parametrize(("role", "key", "slug", "other"), matrix(cross_request_cases()))
def test_a_route_is_acted_on_only_from_its_own_requests_case_screen(world, role, key, slug, other):
    """A route's id put into another request's case screen form (one the account may
    open) changes nothing and shows nothing of it."""
    before = InquiryRoute.objects.get(pk=world.routes[key, slug].pk)
    response = world.client(role).post(
        admin_url(Inquiry, world.inquiries[other].pk), case_post(world, key, slug)
    )
    assert_refuses(response, route_secrets(world, role, key, slug))
    assert_route_untouched(before, "事前相談の日程を調整中")


@pytest.mark.parametrize("role", [pytest.param(r, id=ROLES[r][0]) for r in ROLES])
def test_the_case_screen_offers_only_the_routes_bureaus_staff_and_hr_as_assignees(world, role):
    """The assignee choices name colleagues: the route's bureau's staff and HR, never
    another bureau's staff."""
    route = world.routes["shared", ENVIRONMENT]
    response = world.client(role).get(admin_url(Inquiry, world.inquiries["shared"].pk))
    if not (role in HANDLES_ROUTES and sees_bureau(role, ENVIRONMENT)):
        return
    form = next(case["form"] for case in response.context["cases"] if case["route"] == route)
    offered = {user.username for user in form.fields["assignee"].queryset}
    assert offered == {"hr", "env"}
    if sees_bureau(role, CENTRAL):
        central = world.routes["otheronly", CENTRAL]
        form = next(
            c["form"] for c in response_for(world, role, "otheronly") if c["route"] == central
        )
        assert {user.username for user in form.fields["assignee"].queryset} == {"hr"}


def response_for(world, role, key):
    response = world.client(role).get(admin_url(Inquiry, world.inquiries[key].pk))
    return response.context["cases"]


def route_delete_cases():
    for role, (who, _, _) in ROLES.items():
        for key, slug in ROUTES:
            yield (f"{who} cannot delete {route_phrase(key, slug)}", role, key, slug)


@pytest.mark.parametrize(("role", "key", "slug"), matrix(route_delete_cases()))
def test_nobody_deletes_a_bureaus_handling(world, role, key, slug):
    """A route is a record: even HR closes it (見送り, 取下げ) rather than delete it."""
    route = world.routes[key, slug]
    client = world.client(role)
    response = client.get(admin_url(InquiryRoute, route.pk, "delete"))
    secrets = route_secrets(world, role, key, slug)
    if sees_bureau(role, slug) and role in READS_REQUESTS:
        assert response.status_code == 403
    else:
        assert_refuses(response, secrets)
    response = client.post(
        admin_url(InquiryRoute),
        {"action": "delete_selected", "_selected_action": [route.pk], "post": "yes"},
    )
    assert InquiryRoute.objects.filter(pk=route.pk).exists()
    if not sees_bureau(role, slug):
        assert_lists_nothing_of(response, secrets)


def note_cases():
    for role, (who, _, _) in ROLES.items():
        for key, slug in ROUTES:
            what = route_phrase(key, slug)
            yield (f"{who} cannot open a note on {what} by a guessed id", role, key, slug)


@pytest.mark.parametrize(("role", "key", "slug"), matrix(note_cases()))
def test_notes_have_no_admin_page_of_their_own(world, role, key, slug):
    """Notes are read on their route's page only, so the route's scoping covers them."""
    note = world.notes[key, slug]
    client = world.client(role)
    for view in ("change", "history", "delete"):
        response = client.get(admin_url(InternalNote, note.pk, view))
        assert_refuses(response, [note.body])


# --- One test per role: counts, filters, the mail and access-log lists. -----------------------


def role_cases(phrase):
    return [pytest.param(role, id=f"{who} {phrase}") for role, (who, _, _) in ROLES.items()]


@pytest.mark.parametrize("role", role_cases("counts only the requests it may see"))
def test_changelist_counts_only_what_the_account_may_see(world, role):
    client = world.client(role)
    # Facet counts of one value that every row here shares (industry エネルギー, status
    # 受付), so the one count must be the account's own.
    for model, facet, expected in [
        (Inquiry, "エネルギー", sum(sees_request(role, key) for key in REQUESTS)),
        (InquiryRoute, "受付", sum(sees_bureau(role, slug) for _, slug in ROUTES)),
    ]:
        response = client.get(admin_url(model) + "?_facets=1")
        if role not in READS_REQUESTS:
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        cl = response.context["cl"]
        assert cl.result_count == cl.full_result_count == expected
        assert f"{facet} ({expected})" in body(response)


@pytest.mark.parametrize("role", role_cases("filtering by bureau still sees only its own requests"))
def test_a_bureau_filter_in_the_address_bar_finds_only_visible_requests(world, role):
    client = world.client(role)
    for slug in (ENVIRONMENT, WELFARE, INDUSTRY):
        bureau = Bureau.objects.get(slug=slug)
        response = client.get(admin_url(Inquiry), {"bureaus__id__exact": bureau.pk})
        hidden = [key for key in REQUESTS if not sees_request(role, key)]
        for key in hidden:
            assert_lists_nothing_of(response, world.secrets(key))
        if response.status_code == 200:
            # Typed into the address bar, the filter narrows what the account sees anyway:
            # another bureau's name finds only requests shared with the account's own.
            expected = {
                world.inquiries[key].pk
                for key, spec in REQUESTS.items()
                if sees_request(role, key) and slug in spec[4]
            }
            assert {inquiry.pk for inquiry in response.context["cl"].result_list} == expected


@pytest.mark.parametrize(
    "role", role_cases("finds nothing hidden through HR's same-company filter")
)
def test_the_same_company_filter_in_the_address_bar_shows_nothing_hidden(world, role):
    from applications.grouping import company_key

    client = world.client(role)
    for key, (_, company, _, email, _) in REQUESTS.items():
        response = client.get(admin_url(Inquiry), {"company": company_key(company, email)})
        if sees_request(role, key) and role in DELETES_REQUESTS:
            assert_shows(response, world.secrets(key)[:2])
        elif not sees_request(role, key):
            assert_lists_nothing_of(response, world.secrets(key))


@pytest.mark.parametrize("role", role_cases("reaches the mail and access-log lists only as HR"))
def test_the_mail_and_access_log_lists_are_for_hr_only(world, role):
    client = world.client(role)
    for model in (Notification, InquiryAccess):
        response = client.get(admin_url(model))
        if role in READS_MAIL_AND_ACCESS_LOG:
            assert_shows(response, [world.inquiries["welfareonly"].reference])
        else:
            assert_refuses(response, [s for key in REQUESTS for s in world.secrets(key)])
        action = client.post(
            admin_url(Notification),
            {
                "action": "retry_now",
                "_selected_action": list(Notification.objects.values_list("pk", flat=True)),
            },
        )
        if role not in READS_MAIL_AND_ACCESS_LOG:
            assert action.status_code == 403


@pytest.mark.parametrize("role", role_cases("sees on the admin index only what its role reaches"))
def test_the_admin_index_lists_only_what_the_role_reaches(world, role):
    html = body(world.client(role).get(ADMIN_INDEX))
    assert ("局ごとの対応" in html) == (role in READS_REQUESTS)
    assert ("通知メール" in html) == (role in READS_MAIL_AND_ACCESS_LOG)
    assert ("個人情報の閲覧記録" in html) == (role in READS_MAIL_AND_ACCESS_LOG)


# --- Duties: bureau staff keep to their own bureaus. ----------------------------------------


def edits_duty(role, slug):
    return role in EDITS_EVERY_DUTY or (ROLES[role][2] is not None and sees_bureau(role, slug))


def duty_cases():
    for role, (who, _, _) in ROLES.items():
        for slug in (ENVIRONMENT, WELFARE, INDUSTRY):
            what = f"a duty of {BUREAU_PHRASE[slug]}"
            if edits_duty(role, slug):
                yield (f"{who} lists, opens and confirms {what}", role, slug)
            else:
                yield (f"{who} can neither list, open, confirm nor edit {what}", role, slug)


@pytest.mark.parametrize(("role", "slug"), matrix(duty_cases()))
def test_duties_are_edited_only_by_their_bureau_and_the_content_roles(world, role, slug):
    duty = world.duties[slug]
    client = world.client(role)
    link = admin_url(Duty, duty.pk)
    listing = client.get(admin_url(Duty), {"q": duty.title_ja})
    change = client.get(link)
    confirm = client.post(
        admin_url(Duty),
        {"action": "mark_confirmed_today", "_selected_action": [duty.pk], "index": "0"},
    )
    before = Duty.objects.get(pk=duty.pk)
    if edits_duty(role, slug):
        assert_shows(listing, [link])
        assert_shows(change, [duty.title_ja])
        assert confirm.status_code == 302
        return
    if listing.status_code == 200:
        assert link not in body(listing)
        assert listing.context["cl"].result_count == 0
    else:
        assert_refuses(listing, [link])
    assert_refuses(change, [duty.description_ja[:30] or duty.title_ja])
    assert Duty.objects.get(pk=duty.pk).confirmed_at == before.confirmed_at
    # Nor by the changelist's inline editing, naming the other duty's id.
    response = client.post(
        admin_url(Duty),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(duty.pk),
            "form-0-order": "999",
            "_save": "保存",
        },
    )
    assert response.status_code in (200, 302, 400, 403)
    after = Duty.objects.get(pk=duty.pk)
    assert (after.order, after.publication_state) == (duty.order, duty.publication_state)


def duty_move_cases():
    for role in ("env", "two"):
        who = ROLES[role][0]
        own = ROLES[role][2][0]
        for slug in (ENVIRONMENT, WELFARE, INDUSTRY):
            if not sees_bureau(role, slug):
                what = f"its {BUREAU_PHRASE[own]} duty to {BUREAU_PHRASE[slug]}"
                yield (f"{who} cannot move {what}", role, own, slug)


@pytest.mark.parametrize(("role", "own", "other"), matrix(duty_move_cases()))
def test_bureau_staff_cannot_move_a_duty_to_another_bureau(world, role, own, other):
    duty = world.duties[own]
    client = world.client(role)
    response = client.get(admin_url(Duty, duty.pk))
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data["bureau"] = Bureau.objects.get(slug=other).pk
    response = client.post(admin_url(Duty, duty.pk), data)
    assert response.status_code == 200  # the form again, with an error on 局
    assert response.context["adminform"].form.errors.get("bureau")
    assert Duty.objects.get(pk=duty.pk).bureau.slug == own
    # The bureau choices offered are the account's own bureaus only.
    offered = set(form.fields["bureau"].queryset.values_list("slug", flat=True))
    assert offered == set(ROLES[role][2])


# --- New duties: added to the account's own bureaus only, as drafts. ------------------------

INVALID_CHOICE = "正しく選択してください。選択したものは候補にありません。"


def duty_add_data(bureau, title):
    """The add form as a browser posts it: the slug left blank, made from the title."""
    return {
        "bureau": str(bureau.pk),
        "slug": "",
        "title_ja": title,
        "title_en": "",
        "description_ja": "",
        "description_en": "",
        "source_ja": "",
        "source_en": "",
        "order": "0",
        "_save": "保存",
    }


def add_duty(client, bureau, title):
    return client.post(admin_url(Duty) + "add/", duty_add_data(bureau, title))


def duty_add_cases():
    for role, (who, _, _) in ROLES.items():
        for slug in (ENVIRONMENT, WELFARE, INDUSTRY):
            what = f"a duty to {BUREAU_PHRASE[slug]}"
            if edits_duty(role, slug):
                yield (f"{who} adds {what} as a draft at the end of its list", role, slug)
            else:
                yield (f"{who} cannot add {what}", role, slug)


@pytest.mark.parametrize(("role", "slug"), matrix(duty_add_cases()))
def test_a_duty_is_added_only_to_a_bureau_the_account_edits_and_as_a_draft(world, role, slug):
    bureau = Bureau.objects.get(slug=slug)
    # Another bureau's list runs further: the new duty must follow its own bureau's.
    other = Duty.objects.exclude(bureau=bureau).order_by("pk").first()
    Duty.objects.filter(pk=other.pk).update(order=5000)
    last = bureau.duties.order_by("-order").values_list("order", flat=True).first()
    title = f"新しい業務-{role}-{slug}"
    response = add_duty(world.client(role), bureau, title)
    created = Duty.objects.filter(title_ja=title)
    if not edits_duty(role, slug):
        assert not created.exists()
        if ROLES[role][2]:  # bureau staff: the form again, the error next to 局
            assert response.status_code == 200
            form = response.context["adminform"].form
            assert form.errors["bureau"] == [INVALID_CHOICE]
            assert INVALID_CHOICE in body(response)
        else:
            assert_refuses(response, [title])
        return
    assert response.status_code == 302, body(response)[:3000]
    duty = created.get()
    assert duty.bureau == bureau
    assert duty.order == last + 1 < 5000
    assert (duty.publication_state, duty.first_published_at) == (State.DRAFT, None)
    assert ContentVersion.objects.of(duty).open().get().state == State.DRAFT
    assert not Duty.objects.live().filter(pk=duty.pk).exists()
    assert Client().get(duty.get_absolute_url()).status_code == 404


def add_form_cases():
    for role, (who, _, _) in ROLES.items():
        if role == "nogroup":
            yield (f"{who} cannot open the add form of a duty", role)
        elif ROLES[role][2]:
            yield (f"{who} is offered only its own bureaus on the add form", role)
        else:
            yield (f"{who} is offered every bureau on the add form", role)


@pytest.mark.parametrize("role", matrix(add_form_cases()))
def test_the_add_form_offers_only_the_bureaus_the_account_edits(world, role):
    response = world.client(role).get(admin_url(Duty) + "add/")
    if role == "nogroup":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    field = response.context["adminform"].form.fields["bureau"]
    offered = set(field.queryset.values_list("slug", flat=True))
    own = ROLES[role][2]
    if own:
        assert offered == set(own)
        # Chosen from a plain list: the search box would ask BureauAdmin, closed to them.
        assert 'data-ajax--url="/admin/autocomplete/"' not in body(response)
        select = re.search(r'<select name="bureau".*?</select>', body(response), re.S)[0]
        chosen = set(re.findall(r'<option value="(\d+)"', select))
        assert chosen == {
            str(pk) for pk in Bureau.objects.filter(slug__in=own).values_list("pk", flat=True)
        }
        # One bureau: chosen already.
        initial = response.context["adminform"].form.initial.get("bureau")
        assert initial == (Bureau.objects.get(slug=own[0]).pk if len(own) == 1 else None)
    else:
        assert offered == set(Bureau.objects.values_list("slug", flat=True))


def new_duty_cases():
    for role, (who, _, _) in ROLES.items():
        if edits_duty(role, ENVIRONMENT):
            yield (f"{who} opens the procedure and previews of Environment's new duty", role)
        else:
            yield (f"{who} can neither open nor preview Environment's new duty", role)


@pytest.mark.parametrize("role", matrix(new_duty_cases()))
def test_a_new_duty_is_reached_only_by_those_who_edit_its_bureau(world, role):
    title = "環境局が追加した業務-非公開"
    assert (
        add_duty(world.client("env"), Bureau.objects.get(slug=ENVIRONMENT), title).status_code
        == 302
    )
    duty = Duty.objects.get(title_ja=title)
    client = world.client(role)
    pages = [
        admin_url(Duty, duty.pk),
        admin_url(Duty, duty.pk, "publication"),
        *(admin_url(Duty, duty.pk, f"preview/{language}") for language in ("ja", "en")),
    ]
    for page in pages:
        response = client.get(page)
        if edits_duty(role, ENVIRONMENT):
            assert_shows(response, [] if page.endswith("en/") else [title])
        else:
            assert_refuses(response, [title])
    # Its staff ask for review; only a 承認者 who did not write it approves.
    publication = admin_url(Duty, duty.pk, "publication")
    if role == "env":
        assert client.post(publication, {"action": "ask"}).status_code == 302
        client.post(publication, {"action": "approve"})
        assert Duty.objects.get(pk=duty.pk).publication_state == State.DRAFT
        assert ContentVersion.objects.of(duty).open().get().state == State.IN_REVIEW


def test_bureau_staff_add_duties_but_never_approve(world):
    group = Group.objects.get(name=BUREAU_STAFF_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_duty", "change_duty", "view_duty"} <= codenames
    assert "approve_content" not in codenames
    assert not world.users["env"].has_perm("core.approve_content")


# --- Publication screens: the procedure page, the preview, each workflow step. ----------

APPROVES = {"hr", "superuser"}  # the 承認者 permission (core.approve_content)


def publication_cases():
    for role, (who, _, _) in ROLES.items():
        for slug in (ENVIRONMENT, WELFARE, INDUSTRY):
            what = f"a duty of {BUREAU_PHRASE[slug]}"
            if edits_duty(role, slug):
                yield (f"{who} opens the procedure and previews of {what}", role, slug)
            else:
                yield (f"{who} can neither open, preview nor move on {what}", role, slug)


@pytest.mark.parametrize(("role", "slug"), matrix(publication_cases()))
def test_publication_screens_are_reached_only_by_those_who_edit_the_duty(world, role, slug):
    duty = world.duties[slug]
    client = world.client(role)
    base = admin_url(Duty, duty.pk, "publication")
    previews = [admin_url(Duty, duty.pk, f"preview/{language}") for language in ("ja", "en")]
    secret = "非公開の下書き-" + slug
    publishing.save_draft(
        item=duty,
        data={**publishing.snapshot(duty), "title_ja": secret},
        author=world.users["hr"],
    )
    if edits_duty(role, slug):
        assert_shows(client.get(base), [secret])
        for preview in previews:
            response = client.get(preview)
            assert_shows(response, [secret] if preview.endswith("ja/") else [])
            assert response["X-Robots-Tag"] == "noindex, nofollow"
            assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    else:
        assert_refuses(client.get(base), [secret])
        for preview in previews:
            assert_refuses(client.get(preview), [secret])
    for action in ("ask", "approve", "send_back", "withdraw", "restore"):
        before = Duty.objects.get(pk=duty.pk)
        response = client.post(base, {"action": action, "comment": "x", "version": "0"})
        after = Duty.objects.get(pk=duty.pk)
        if not edits_duty(role, slug):
            assert_refuses(response, [secret])
            assert ContentVersion.objects.of(duty).open().get().state == State.DRAFT
        # HR wrote it, so HR cannot approve it; the superuser, a second approver, may.
        assert (after.title_ja == secret) == (role == "superuser" and action != "ask")
        if role not in APPROVES:
            assert after.publication_state == before.publication_state, action


@pytest.mark.parametrize("role", [role for role in ROLES if role not in APPROVES])
def test_only_an_approver_approves_or_withdraws(world, role):
    duty = world.duties[ENVIRONMENT]
    version = publishing.save_draft(
        item=duty,
        data={**publishing.snapshot(duty), "title_ja": "承認前"},
        author=world.users["editor"],
    )
    publishing.ask_for_review(version=version, by=world.users["editor"])
    client = world.client(role)
    url = admin_url(Duty, duty.pk, "publication")
    for action in ("approve", "withdraw"):
        response = client.post(url, {"action": action})
        assert response.status_code in (302, 403, 404)
    duty.refresh_from_db()
    assert duty.title_ja != "承認前" and duty.publication_state == State.APPROVED
    assert ContentVersion.objects.of(duty).open().get().state == State.IN_REVIEW


# --- Reorganisation: merging a bureau into another is a 承認者's act. -----------------------


def merge_cases():
    for role, (who, _, _) in ROLES.items():
        if role in APPROVES:
            yield (f"{who} opens the merge page of Environment and merges it", role)
        else:
            yield (f"{who} can neither open the merge page of Environment nor merge it", role)


@pytest.mark.parametrize("role", matrix(merge_cases()))
def test_only_an_approver_merges_a_bureau_into_another(world, role):
    environment = Bureau.objects.get(slug=ENVIRONMENT)
    welfare = Bureau.objects.get(slug=WELFARE)
    duty = world.duties[ENVIRONMENT]
    client = world.client(role)
    url = admin_url(Bureau, environment.pk, "merge")
    page = client.get(url)
    change = client.get(admin_url(Bureau, environment.pk))
    response = client.post(url, {"into": welfare.pk, "comment": "組織改正"})
    merged = Duty.objects.get(pk=duty.pk).bureau_id == welfare.pk
    if role in APPROVES:
        assert_shows(page, ["他の局に統合する", duty.title_ja])
        assert_shows(change, [url])
        assert response.status_code == 302 and merged
        # Its requests stay with it: every route to Environment is still there.
        for key, slug in ROUTES:
            if slug == ENVIRONMENT:
                assert InquiryRoute.objects.get(pk=world.routes[key, slug].pk).bureau_id == (
                    environment.pk
                )
        return
    assert page.status_code == 403
    assert response.status_code == 403
    assert not merged
    assert Bureau.objects.get(pk=environment.pk).publication_state == State.APPROVED
    if change.status_code == 200:  # a content editor edits bureaus: no button for it
        assert url not in body(change)


# --- Old addresses (以前の URL): HR's alone. ---------------------------------------------

READS_OLD_ADDRESSES = {"hr", "superuser"}


def old_address_cases():
    for role, (who, _, _) in ROLES.items():
        if role in READS_OLD_ADDRESSES:
            yield (f"{who} lists, opens, adds and deletes old addresses", role)
        else:
            yield (f"{who} can neither list, open, add nor delete old addresses", role)


@pytest.mark.parametrize("role", matrix(old_address_cases()))
def test_old_addresses_are_reached_by_hr_only(world, role):
    environment = Bureau.objects.get(slug=ENVIRONMENT)
    former = FormerAddress.objects.create(
        content_type=ContentType.objects.get_for_model(Bureau),
        key="kankyo-kyu-meisho",
        object_id=environment.pk,
    )
    client = world.client(role)
    base = admin_url(FormerAddress)
    pages = [base, f"{base}?q=kankyo", admin_url(FormerAddress, former.pk)]
    pages.append(admin_url(FormerAddress, former.pk, "delete"))
    shown = [client.get(page) for page in pages]
    added = client.post(
        f"{base}add/", {"kind": "bureau", "key": "kankyo-tesaku", "bureau": environment.pk}
    )
    deleted = client.post(
        base, {"action": "delete_selected", "_selected_action": [former.pk], "post": "yes"}
    )
    if role in READS_OLD_ADDRESSES:
        for response in shown:
            assert_shows(response, [former.key])
        assert added.status_code == deleted.status_code == 302
        assert FormerAddress.objects.filter(key="kankyo-tesaku").exists()
        assert not FormerAddress.objects.filter(pk=former.pk).exists()
        return
    for response in shown:
        assert_refuses(response, [former.key])
    assert_refuses(added, [former.key])
    assert_refuses(deleted, [former.key])
    assert not FormerAddress.objects.filter(key="kankyo-tesaku").exists()
    assert FormerAddress.objects.filter(pk=former.pk).exists()
    assert "以前の URL" not in body(client.get(ADMIN_INDEX))
