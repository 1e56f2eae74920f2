"""The shortlist: its session rules, the add/remove endpoints, the list and print pages,
and the pre-consultation link that carries the chosen duties."""

import re

import pytest
from django.test import Client
from django.utils import formats, timezone

from bureaus.models import Bureau, Duty
from core import publishing
from core.models import InquiryWindow
from portal.models import OverviewPoint, Restriction
from portal.shortlist import MAX_DUTIES, SESSION_KEY, Outcome, Shortlist, consultation_url
from tests.conftest import make_bureau, make_duty
from tests.factories import UserFactory, approve_open_draft

pytestmark = pytest.mark.django_db

LIST, ADD, REMOVE, PRINT = (
    "/shortlist/",
    "/shortlist/add/",
    "/shortlist/remove/",
    "/shortlist/print/",
)
HYDROGEN = "environment/hydrogen-society"
HEAT = "environment/heat-countermeasures"
AUDITS = "audit/audits"


def listed(client):
    return client.session.get(SESSION_KEY, [])


def add(client, *ids, prefix=""):
    for value in ids:
        response = client.post(prefix + ADD, {"duty": value})
        assert response.status_code == 302, value
    return response


def csrf_token_of(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


# --- The rules of the list itself (a dict stands in for the session). -----------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("environment/hydrogen-society", ("environment", "hydrogen-society")),
        ("a_1/B-2", ("a_1", "B-2")),
        ("environment", None),
        ("environment/", None),
        ("/hydrogen-society", None),
        ("environment/hydrogen/society", None),
        ("environment/hydrogen society", None),
        ("環境/水素", None),
        ("environment/hydrogen-society\n", None),
        ("", None),
        (None, None),
    ],
)
def test_a_duty_id_is_two_slugs_joined_by_a_slash(value, expected):
    assert Duty.parse_catalogue_id(value) == expected


def test_ids_are_kept_in_the_order_added_and_only_once():
    session = {}
    shortlist = Shortlist(session)
    assert shortlist.add("b/two") is Outcome.ADDED
    assert shortlist.add("a/one") is Outcome.ADDED
    assert shortlist.add("b/two") is Outcome.ALREADY_LISTED
    assert shortlist.ids() == ["b/two", "a/one"]
    assert len(shortlist) == 2 and "a/one" in shortlist
    # Only the ids are stored: plain strings, nothing else.
    assert session == {SESSION_KEY: ["b/two", "a/one"]}


def test_the_list_stops_at_its_limit():
    shortlist = Shortlist({})
    for n in range(MAX_DUTIES):
        assert shortlist.add(f"bureau/duty-{n}") is Outcome.ADDED
    assert shortlist.add("bureau/one-too-many") is Outcome.FULL
    assert len(shortlist) == MAX_DUTIES
    assert "bureau/one-too-many" not in shortlist
    # A listed duty is still reported as listed, not as refused.
    assert shortlist.add("bureau/duty-0") is Outcome.ALREADY_LISTED
    shortlist.remove("bureau/duty-0")
    assert shortlist.add("bureau/one-too-many") is Outcome.ADDED


def test_remove_says_whether_the_id_was_listed_and_clear_empties_the_session():
    session = {}
    shortlist = Shortlist(session)
    shortlist.add("a/one")
    shortlist.add("a/two")
    assert shortlist.remove("a/one") is True
    assert shortlist.remove("a/one") is False
    assert shortlist.ids() == ["a/two"]
    shortlist.remove("a/two")
    assert session == {}
    shortlist.add("a/three")
    shortlist.clear()
    assert session == {} and shortlist.ids() == []


def test_published_duties_come_in_catalogue_order_and_unpublished_ones_drop_out():
    session = {}
    shortlist = Shortlist(session)
    hidden_bureau = make_bureau(publication_state="draft")
    for value in [
        AUDITS,
        HEAT,
        make_duty(publication_state="draft").catalogue_id,
        make_duty(bureau=hidden_bureau).catalogue_id,
        "environment/no-such-duty",
        HYDROGEN,
    ]:
        shortlist.add(value)
    duties = shortlist.published_duties()
    expected = list(Duty.objects.live().filter(slug__in=["audits", "heat-countermeasures"]))
    expected.insert(1, Duty.objects.get(slug="hydrogen-society"))
    assert [duty.catalogue_id for duty in duties] == [duty.catalogue_id for duty in expected]
    assert [duty.bureau.slug for duty in duties] == ["environment", "environment", "audit"]
    # The dropped ids leave the session, so they no longer count towards the limit.
    assert session[SESSION_KEY] == [AUDITS, HEAT, HYDROGEN]


def test_a_malformed_id_in_the_session_is_dropped_without_error():
    session = {SESSION_KEY: ["nonsense", HYDROGEN, "a/b/c"]}
    assert [d.slug for d in Shortlist(session).published_duties()] == ["hydrogen-society"]
    assert session[SESSION_KEY] == [HYDROGEN]


def test_the_consultation_link_names_every_duty():
    duties = Duty.objects.live().filter(slug__in=["hydrogen-society", "audits"])
    url = consultation_url(duties.select_related("bureau"))
    assert url.startswith("/consultation/?")
    assert sorted(url.split("?")[1].split("&")) == [f"duty={AUDITS}", f"duty={HYDROGEN}"]


# --- Adding and removing through the site. -----------------------------------------


def test_the_duty_page_offers_a_tokenless_add_form_and_stays_the_same_for_everyone(client):
    path = "/bureaus/environment/hydrogen-society/"
    first = client.get(path)
    html = first.content.decode()
    assert '<form class="shortlist-add" method="post" action="/shortlist/add/">' in html
    assert f'<input type="hidden" name="duty" value="{HYDROGEN}">' in html
    assert "候補リストに追加" in html
    # Nothing per visitor: no token, no cookie, and the same bytes once the duty is listed.
    assert "csrfmiddlewaretoken" not in html
    assert not first.cookies
    add(client, HYDROGEN)
    again = client.get(path)
    assert again.content == first.content
    assert "public" in again["Cache-Control"]


def test_the_english_duty_page_posts_to_the_english_endpoint(client):
    html = client.get("/en/bureaus/environment/hydrogen-society/").content.decode()
    assert 'action="/en/shortlist/add/"' in html


def test_adding_needs_no_csrf_token_and_redirects_to_the_list_with_a_message():
    client = Client(enforce_csrf_checks=True)
    response = client.post(ADD, {"duty": HYDROGEN})
    assert response.status_code == 302 and response.url == LIST
    assert listed(client) == [HYDROGEN]
    html = client.get(LIST).content.decode()
    assert "「水素社会実現に向けた取組」を候補リストに追加しました。" in html
    assert 'role="status" tabindex="-1" autofocus' in html
    # The message is shown once.
    assert "追加しました" not in client.get(LIST).content.decode()


def test_adding_in_english_stays_in_english(client):
    response = add(client, HYDROGEN, prefix="/en")
    assert response.url == "/en/shortlist/"
    html = client.get(response.url).content.decode()
    assert '<html lang="en">' in html
    assert "Work towards a hydrogen-based society" in html


def test_a_post_the_browser_marks_cross_site_is_refused_and_changes_nothing(client):
    response = client.post(ADD, {"duty": HYDROGEN}, headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 403
    assert SESSION_KEY not in client.session
    assert not response.cookies.get("sessionid")
    for site in ("same-origin", "none"):
        client.post(ADD, {"duty": HYDROGEN}, headers={"sec-fetch-site": site})
    assert listed(client) == [HYDROGEN]


def test_adding_answers_only_post(client):
    assert client.get(ADD, {"duty": HYDROGEN}).status_code == 405
    assert client.get(REMOVE, {"duty": HYDROGEN}).status_code == 405


@pytest.mark.parametrize(
    "value", ["environment/no-such-duty", "nonsense", "", "<script>/x", "unpublished"]
)
def test_an_unknown_or_unpublished_duty_is_not_added(client, value):
    if value == "unpublished":
        value = make_duty(publication_state="draft").catalogue_id
    add(client, value)
    assert listed(client) == []
    html = client.get(LIST).content.decode()
    assert "この業務は現在掲載されていないため、追加できませんでした。" in html
    assert "<script>" not in html


def test_adding_a_listed_duty_again_says_so(client):
    add(client, HYDROGEN, HYDROGEN)
    assert listed(client) == [HYDROGEN]
    assert "はすでに候補リストにあります。" in client.get(LIST).content.decode()


def test_a_full_list_refuses_one_more_with_a_clear_message(client):
    bureau = make_bureau()
    add(client, *(make_duty(bureau=bureau).catalogue_id for _ in range(MAX_DUTIES)))
    client.get(LIST)  # Consume the last "added" message.
    add(client, HYDROGEN)
    assert len(listed(client)) == MAX_DUTIES and HYDROGEN not in listed(client)
    html = client.get(LIST).content.decode()
    assert f"候補リストに入れられる業務は {MAX_DUTIES} 件までです。" in html
    assert f"候補リストは上限の {MAX_DUTIES} 件に達しています。" in html


def test_removing_needs_the_token_of_the_list_page():
    client = Client(enforce_csrf_checks=True)
    add(client, HYDROGEN, AUDITS)
    assert client.post(REMOVE, {"duty": HYDROGEN}).status_code == 403
    token = csrf_token_of(client.get(LIST).content.decode())
    response = client.post(REMOVE, {"duty": HYDROGEN, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response.url == LIST
    assert listed(client) == [AUDITS]
    html = client.get(LIST).content.decode()
    assert "「水素社会実現に向けた取組」を候補リストから外しました。" in html
    assert "水素社会実現に向けた取組</a>" not in html


def test_removing_a_duty_that_is_not_listed_changes_nothing(client):
    add(client, AUDITS)
    client.get(LIST)
    client.post(REMOVE, {"duty": HYDROGEN})
    assert listed(client) == [AUDITS]
    assert "外しました" not in client.get(LIST).content.decode()


# --- The list page. -----------------------------------------------------------------


def test_the_empty_list_explains_how_to_add_and_links_to_the_catalogue(client):
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "候補リストにはまだ業務がありません" in html
    assert 'href="/bureaus/"' in html
    assert "/shortlist/print/" not in html.split("<main")[1].split("</main>")[0]
    assert "/consultation/?duty" not in html


def test_the_list_is_grouped_by_bureau_with_contacts_and_remove_buttons(client):
    add(client, AUDITS, HYDROGEN, HEAT)
    html = client.get(LIST).content.decode()
    main = html.split("<main")[1].split("</main>")[0]
    headings = re.findall(r'<h2 id="shortlist-([\w-]+)"', main)
    assert headings == ["environment", "audit"]
    assert "3 件の業務（上限 30 件）" in main
    assert main.count('action="/shortlist/remove/"') == 3
    assert main.count('name="csrfmiddlewaretoken"') == 3
    assert '外す<span class="visually-hidden">: 暑さ対策</span>' in main
    assert "03-5388-3418" in main and "03-5320-7012" in main  # each bureau's phone
    assert 'href="/shortlist/print/"' in main
    assert "印刷用ページ" in main and "これらの業務で事前相談を申し込む" in main
    link = re.search(r'href="(/consultation/\?[^"]+)"', main).group(1)
    assert sorted(link.split("?")[1].split("&amp;")) == sorted(
        f"duty={value}" for value in (AUDITS, HYDROGEN, HEAT)
    )


def test_the_list_page_is_never_cached_anywhere(client):
    add(client, HYDROGEN)
    response = client.get(LIST)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "ETag" not in response
    assert '<meta name="robots" content="noindex, follow">' in response.content.decode()


def test_visitors_each_see_their_own_list(client):
    add(client, HYDROGEN)
    other = Client()
    add(other, AUDITS)
    mine, theirs = client.get(LIST).content.decode(), other.get(LIST).content.decode()
    assert "水素社会実現に向けた取組</a>" in mine and "監査の実施</a>" not in mine
    assert "監査の実施</a>" in theirs and "水素社会実現に向けた取組</a>" not in theirs


def test_an_unpublished_duty_or_bureau_silently_drops_out_of_the_list(client):
    add(client, HYDROGEN, HEAT, AUDITS)
    client.get(LIST)
    Duty.objects.filter(slug="heat-countermeasures").update(publication_state="withdrawn")
    Bureau.objects.filter(slug="audit").update(publication_state="withdrawn")
    html = client.get(LIST).content.decode()
    assert "暑さ対策" not in html and "監査の実施" not in html
    assert "1 件の業務（上限 30 件）" in html
    assert "alert" not in html.split("<main")[1].split("<h1")[1].split("</h1>")[1][:200]
    assert listed(client) == [HYDROGEN]


def test_a_list_kept_over_a_bureau_renaming_still_holds_its_duties(client):
    add(client, HYDROGEN, AUDITS)
    environment = Bureau.objects.get(slug="environment")
    editor = UserFactory()
    data = {**publishing.snapshot(environment), "slug": "climate-environment"}
    publishing.save_draft(item=environment, data=data, author=editor)
    approve_open_draft(environment)
    html = client.get(LIST).content.decode()
    assert "水素社会実現に向けた取組</a>" in html and "監査の実施</a>" in html
    # The list now holds the duty's current id, and links to its new page.
    assert listed(client) == [AUDITS, "climate-environment/hydrogen-society"]
    assert 'href="/bureaus/climate-environment/hydrogen-society/"' in html
    # A consultation link made before the renaming still preselects the duty.
    form = client.get("/consultation/", {"duty": HYDROGEN}).context["form"]
    assert [duty.slug for duty in form.initial["duties"]] == ["hydrogen-society"]


def test_the_main_menu_links_to_the_list_and_marks_it_current(client):
    html = client.get(LIST).content.decode()
    assert '<a class="site-nav-link" href="/shortlist/" aria-current="page">候補リスト</a>' in html
    home = client.get("/").content.decode()
    assert '<a class="site-nav-link" href="/shortlist/">候補リスト</a>' in home


def test_the_list_page_costs_the_same_whatever_its_length(client, django_assert_num_queries):
    # The session, the listed duties with their bureaus, the footer's inquiry window.
    add(client, HYDROGEN)
    client.get(LIST)
    with django_assert_num_queries(3):
        client.get(LIST)
    bureau = make_bureau()
    add(client, *(make_duty(bureau=bureau).catalogue_id for _ in range(MAX_DUTIES - 1)))
    client.get(LIST)
    with django_assert_num_queries(3):
        assert client.get(LIST).status_code == 200


# --- The pre-consultation form, pre-filled from the list. -----------------------------


def test_the_consultation_form_preselects_every_duty_of_the_link(client):
    response = client.get("/consultation/", {"duty": [HYDROGEN, AUDITS, "nowhere/nothing"]})
    duties = response.context["form"].initial["duties"]
    assert sorted(duty.slug for duty in duties) == ["audits", "hydrogen-society"]
    html = response.content.decode()
    for duty in duties:
        checkbox = re.search(rf'<input[^>]*value="{duty.pk}"[^>]*>', html).group(0)
        assert "checked" in checkbox, duty
    assert len(re.findall(r'name="duties"[^>]*checked|checked[^>]*name="duties"', html)) == 2


def test_the_consultation_form_still_preselects_a_single_duty(client):
    form = client.get("/consultation/", {"duty": HYDROGEN}).context["form"]
    assert [duty.slug for duty in form.initial["duties"]] == ["hydrogen-society"]


def test_the_consultation_form_reads_no_more_duties_than_a_list_can_hold(client):
    bureau = make_bureau()
    ids = [make_duty(bureau=bureau).catalogue_id for _ in range(MAX_DUTIES + 5)]
    form = client.get("/consultation/", {"duty": ids}).context["form"]
    assert len(form.initial["duties"]) == MAX_DUTIES


def test_the_lists_consultation_link_opens_the_form_with_those_duties(client):
    add(client, HYDROGEN, AUDITS)
    html = client.get(LIST).content.decode()
    link = re.search(r'href="(/consultation/\?[^"]+)"', html).group(1).replace("&amp;", "&")
    form = client.get(link).context["form"]
    assert sorted(duty.slug for duty in form.initial["duties"]) == ["audits", "hydrogen-society"]


# --- The print view. -------------------------------------------------------------------


def test_the_print_view_holds_everything_the_approval_needs(client):
    add(client, HYDROGEN, AUDITS)
    response = client.get(PRINT)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    main = html.split("<main")[1].split("</main>")[0]
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    # The programme's terms, as the portal's overview rows state them.
    for point in OverviewPoint.objects.live():
        assert point.title_ja in main and point.note_ja in main
    for term in ("交流受入期間は3年以内", "最長5年まで延長可", "給与等：派遣元企業様負担"):
        assert term in main
    # The chosen duties only, under their bureaus, with each bureau's contact.
    for text in (
        "水素社会実現に向けた取組",
        "監査の実施",
        "環境局",
        "監査事務局",
        "環境局 総務部総務課",
        "監査事務局 総務課",
        '<a href="tel:+81-3-5388-3418">03-5388-3418</a>',
        '<a href="tel:+81-3-5320-7012">03-5320-7012</a>',
    ):
        assert text in main, text
    assert "暑さ対策" not in main
    # Absolute links, so the printed addresses can be typed in.
    assert 'href="http://testserver/bureaus/environment/hydrogen-society/"' in main
    # The restrictions, the central window, the date and the site's address.
    for restriction in Restriction.objects.live():
        assert restriction.body_ja in main
    window = InquiryWindow.objects.get()
    assert window.name_ja in main and window.phone in main and window.website in main
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert f"作成日: {today}" in main
    assert ">http://testserver/</a>" in main
    # Printing is the browser's command: a hint, no script.
    assert "ブラウザの印刷機能" in main and "<script" not in html
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html


def test_the_print_view_in_english_shows_the_english_content(client):
    add(client, HYDROGEN, prefix="/en")
    html = client.get("/en" + PRINT).content.decode()
    assert '<html lang="en">' in html
    for text in (
        "Work towards a hydrogen-based society",
        "Bureau of Environment",
        "The exchange lasts up to 3 years",
        "It can be extended to a maximum of 5 years",
        "Salary and other costs are borne by the sending company",
        "Trainees cannot take part in duties related to contracts.",
        "Personnel Section, Personnel Division, Bureau of General Affairs",
        "http://testserver/en/bureaus/environment/hydrogen-society/",
    ):
        assert text in html, text
    assert "水素社会" not in html


def test_the_empty_print_view_still_gives_the_terms_and_points_to_the_catalogue(client):
    html = client.get(PRINT).content.decode()
    assert "候補リストに業務がありません。" in html
    assert 'href="/bureaus/"' in html
    assert "交流受入期間は3年以内" in html


def test_the_print_view_drops_unpublished_duties_too(client):
    add(client, HYDROGEN, AUDITS)
    Duty.objects.filter(slug="audits").update(publication_state="withdrawn")
    html = client.get(PRINT).content.decode()
    assert "監査の実施" not in html and "水素社会実現に向けた取組" in html


def test_the_print_view_costs_the_same_whatever_the_lists_length(client, django_assert_num_queries):
    # Session, duties with bureaus, overview rows, restrictions, the inquiry window.
    add(client, HYDROGEN)
    with django_assert_num_queries(5):
        client.get(PRINT)
    bureau = make_bureau()
    add(client, *((make_duty(bureau=make_bureau())).catalogue_id for _ in range(10)))
    add(client, *(make_duty(bureau=bureau).catalogue_id for _ in range(10)))
    client.get(PRINT)
    with django_assert_num_queries(5):
        assert client.get(PRINT).status_code == 200
