"""Company grouping: the pure key over many spellings, and HR's same-company view in admin."""

import pytest

from applications.grouping import (
    company_key,
    email_domain,
    group_by_company,
    normalise_company_name,
)
from tests.applications.stored import make_bureau_staff, make_hr, make_request
from tests.conftest import make_bureau

TOKYO_ENERGY = [
    "東京エネルギー株式会社",
    "株式会社東京エネルギー",
    "株式会社　東京エネルギー",
    "東京エネルギー㈱",
    "㈱東京エネルギー",
    "（株）東京エネルギー",
    "(株)東京エネルギー",
    "東京エネルギー（株）",
    " 東京エネルギー 株式会社 ",
    "東京・エネルギー株式会社",
    "東京エネルギー有限会社",
    "東京エネルギー合同会社",
]
TOKYO_ENERGY_LATIN = [
    "Tokyo Energy Co., Ltd.",
    "TOKYO ENERGY CO.,LTD.",
    "ＴＯＫＹＯ　ＥＮＥＲＧＹ　ＣＯ．，ＬＴＤ．",
    "Tokyo Energy Inc.",
    "Tokyo Energy, Inc",
    "Tokyo Energy Corporation",
    "Tokyo Energy Corp.",
    "Tokyo Energy K.K.",
    "Tokyo Energy Kabushiki Kaisha",
    "Tokyo-Energy Limited",
    "tokyo energy",
    "Tokyo Energy LLC",
]


@pytest.mark.parametrize("name", TOKYO_ENERGY)
def test_japanese_spellings_of_one_company_fold_to_one_name(name):
    assert normalise_company_name(name) == "東京エネルギー"


@pytest.mark.parametrize("name", TOKYO_ENERGY_LATIN)
def test_latin_spellings_of_one_company_fold_to_one_name(name):
    assert normalise_company_name(name) == "tokyoenergy"


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Incubator Ltd", "incubator"),  # "inc" only as a whole word
        ("Cooperative Co., Ltd.", "cooperative"),
        ("Mitsui & Co.", "mitsui"),
        ("エナジー・ソリューションズ", "エナジーソリューションズ"),  # ー stays a letter
        ("一般社団法人 みどりの会", "みどりの会"),
        ("NPO法人みどり", "みどり"),
        ("特定非営利活動法人みどり", "みどり"),
        ("公益財団法人東京しごと財団", "東京しごと財団"),
        ("Company", "company"),  # nothing but a legal form: the name itself
        ("株式会社", "株式会社"),
        ("", ""),
    ],
)
def test_normalisation_keeps_what_names_the_company(name, folded):
    assert normalise_company_name(name) == folded


def test_different_companies_stay_apart():
    names = ["東京エネルギー株式会社", "東京エネルギー販売株式会社", "大阪エネルギー株式会社"]
    assert len({normalise_company_name(name) for name in names}) == 3


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("hanako@energy.example", "energy.example"),
        ("Hanako@Energy.Example", "energy.example"),
        ("hanako@ＥＮＥＲＧＹ.example", "energy.example"),
        ("hanako@energy.example.", "energy.example"),
        ("  hanako@energy.example ", "energy.example"),
        ('"a@b"@energy.example', "energy.example"),
        ("no-at-sign", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_email_domain(email, domain):
    assert email_domain(email) == domain


def test_the_key_joins_name_and_domain():
    assert company_key("東京エネルギー㈱", "A@Energy.example") == "東京エネルギー|energy.example"


def test_same_company_different_spelling_and_people_share_a_key():
    keys = {
        company_key("東京エネルギー株式会社", "hanako.yamada@energy.example"),
        company_key("㈱東京エネルギー", "taro.sato@ENERGY.example"),
        company_key("東京エネルギー（株）", "jinji@energy.example"),
    }
    assert len(keys) == 1


def test_same_name_from_another_domain_is_another_key():
    # Two firms with one short name, or both on free mail with different names, stay apart.
    assert company_key("みどり株式会社", "a@midori.example") != company_key(
        "みどり株式会社", "a@midori-kensetsu.example"
    )
    assert company_key("甲株式会社", "a@gmail.example") != company_key(
        "乙株式会社", "b@gmail.example"
    )


def test_group_by_company_keeps_the_rows_order():
    rows = [
        (1, "東京エネルギー株式会社", "a@energy.example"),
        (2, "大阪商事株式会社", "b@osaka.example"),
        (3, "㈱東京エネルギー", "c@energy.example"),
    ]
    assert group_by_company(rows) == {
        "東京エネルギー|energy.example": [1, 3],
        "大阪商事|osaka.example": [2],
    }


# --- Admin: HR sees the same company across bureaus; bureau staff never do. -------------

CHANGELIST = "/admin/applications/inquiry/"


@pytest.fixture
def parallel_talks(db):
    environment, finance, other = make_bureau(), make_bureau(), make_bureau()
    first = make_request(
        bureaus=[environment], company_name="東京エネルギー株式会社", email="a@energy.example"
    )
    second = make_request(
        bureaus=[finance], company_name="㈱東京エネルギー", email="b@energy.example"
    )
    unrelated = make_request(bureaus=[other])
    return {"bureaus": (environment, finance, other), "requests": (first, second, unrelated)}


def test_hr_sees_how_many_other_requests_the_company_made(client, parallel_talks):
    client.force_login(make_hr())
    html = client.get(CHANGELIST).content.decode()
    assert "同じ企業の申込み" in html
    assert html.count("ほかに 1 件") == 2


def test_hr_filters_one_companys_requests_across_bureaus(client, parallel_talks):
    first, second, _unrelated = parallel_talks["requests"]
    client.force_login(make_hr())
    response = client.get(CHANGELIST, {"company": "東京エネルギー|energy.example"})
    assert response.status_code == 200
    shown = {inquiry.pk for inquiry in response.context["cl"].result_list}
    assert shown == {first.pk, second.pk}
    assert "東京エネルギー株式会社（energy.example、2 件）" in response.content.decode()


def test_bureau_staff_never_see_the_company_grouping(client, parallel_talks):
    environment = parallel_talks["bureaus"][0]
    client.force_login(make_bureau_staff(environment))
    html = client.get(CHANGELIST).content.decode()
    assert "同じ企業の申込み" not in html and "ほかに" not in html
    # A guessed filter teaches nothing: their page offers none, so the list refuses it.
    response = client.get(CHANGELIST, {"company": "東京エネルギー|energy.example"})
    assert response.status_code == 400
