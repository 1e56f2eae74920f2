"""The anonymised statistics: the disclosure threshold, the aggregate queries and the page."""

import itertools
import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from applications.models import Inquiry
from portal.statistics import Disclosure, disclose
from tests.applications.stored import make_request
from tests.conftest import ROOT, make_bureau

PATHS = ["/statistics/", "/en/statistics/"]
SMALL_GROUPS = "その他（少数）"

# --- The threshold rule, at and around its boundaries. --------------------------


@pytest.mark.parametrize("minimum", range(1, 7))
def test_the_threshold_rule_over_every_combination_of_small_counts(minimum):
    """Every list of up to four groups with counts 1 .. 2 × minimum + 1."""
    counts = range(1, 2 * minimum + 2)
    for size in range(5):
        for values in itertools.product(counts, repeat=size):
            groups = [(f"group-{i}", count) for i, count in enumerate(values)]
            result = disclose(groups, minimum)
            large = [(label, count) for label, count in groups if count >= minimum]
            small = [count for _label, count in groups if count < minimum]

            # Groups that reach the minimum are shown as they are, in their order.
            assert result.rows == tuple(large), groups
            assert all(count >= minimum for _label, count in result.rows), groups
            # The rest are one merged line, shown only when it also reaches it ...
            if sum(small) >= minimum:
                assert result.small_groups == sum(small), groups
                # ... which then always merges several groups: none stands alone.
                assert len(small) >= 2, groups
            else:
                assert result.small_groups is None, groups
            published = sum(c for _l, c in result.rows) + (result.small_groups or 0)
            assert published == sum(values) or result.small_groups is None, groups
            assert result.is_empty == (not large and result.small_groups is None), groups


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], Disclosure(rows=(), small_groups=None)),
        ([("A", 5)], Disclosure(rows=(("A", 5),), small_groups=None)),
        ([("A", 4)], Disclosure(rows=(), small_groups=None)),
        ([("A", 6), ("B", 4)], Disclosure(rows=(("A", 6),), small_groups=None)),
        ([("A", 4), ("B", 1)], Disclosure(rows=(), small_groups=5)),
        ([("A", 3), ("B", 1)], Disclosure(rows=(), small_groups=None)),
        ([("A", 5), ("B", 2), ("C", 3)], Disclosure(rows=(("A", 5),), small_groups=5)),
        ([("A", 5), ("B", 2), ("C", 2)], Disclosure(rows=(("A", 5),), small_groups=None)),
        ([("B", 1), ("A", 9), ("C", 4)], Disclosure(rows=(("A", 9),), small_groups=5)),
    ],
)
def test_the_threshold_rule_at_its_boundaries_with_the_default_minimum(counts, expected):
    assert disclose(counts, 5) == expected


def test_a_minimum_of_one_shows_every_group_and_merges_nothing():
    assert disclose([("A", 1), ("B", 2)], 1) == Disclosure(
        rows=(("A", 1), ("B", 2)), small_groups=None
    )


@pytest.mark.parametrize("minimum", [0, -1])
def test_a_minimum_below_one_is_refused(minimum):
    with pytest.raises(ValueError, match="at least 1"):
        disclose([("A", 1)], minimum)


@pytest.mark.parametrize("value", ["0", "many"])
def test_a_bad_minimum_in_the_environment_stops_start_up(value):
    environment = {**os.environ, "DJANGO_DEBUG": "true", "STATISTICS_MIN_COUNT": value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "STATISTICS_MIN_COUNT" in result.stderr


# --- The aggregate queries. ---------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_once_for_each_bureau_they_name():
    first, second = make_bureau(), make_bureau()
    make_request(bureaus=[first, second])
    make_request(bureaus=[first])
    make_request(bureaus=[])
    assert Inquiry.objects.counts_by_bureau() == {first.pk: 2, second.pk: 1, None: 1}


@pytest.mark.django_db
def test_requests_are_counted_by_industry():
    for industry in ["finance", "finance", "energy"]:
        make_request(industry=industry)
    assert Inquiry.objects.counts_by_industry() == {"finance": 2, "energy": 1}


@pytest.mark.django_db
def test_the_year_of_receipt_is_tokyos():
    # 15:30 UTC on 31 December is 00:30 on 1 January in Tokyo.
    make_request(received_at=datetime(2025, 12, 31, 15, 30, tzinfo=UTC))
    make_request(received_at=datetime(2025, 12, 31, 14, 30, tzinfo=UTC))
    make_request(received_at=datetime(2024, 6, 1, 3, 0, tzinfo=UTC))
    assert Inquiry.objects.counts_by_year() == {2024: 1, 2025: 1, 2026: 1}
    assert list(Inquiry.objects.counts_by_year()) == [2024, 2025, 2026]


@pytest.mark.django_db
def test_counts_are_the_same_however_many_bureaus_and_duties_exist(django_assert_num_queries):
    bureau = make_bureau()
    make_request(bureaus=[bureau])
    with django_assert_num_queries(3):
        Inquiry.objects.counts_by_bureau()
        Inquiry.objects.counts_by_industry()
        Inquiry.objects.counts_by_year()


# --- The page. ---------------------------------------------------------------------


def rows_of(html):
    """(label, count) of every table row on the page."""
    return re.findall(
        r'<tr><th scope="row">(.*?)</th><td class="numeric">(\d+)</td></tr>', html, re.S
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_the_page_works_with_no_requests_at_all(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "<table" not in html
    assert html.count("公表できる件数はまだありません。") == 3 or path.startswith("/en/")


@pytest.mark.django_db
def test_the_page_says_that_small_counts_are_withheld(client, settings):
    settings.STATISTICS_MIN_COUNT = 7
    html = client.get("/statistics/").content.decode()
    assert "件数が 7 件未満の区分は「その他（少数）」にまとめて表示し" in html
    assert "まとめた件数も 7 件未満のときは表示しません" in html


@pytest.mark.django_db
def test_the_page_never_shows_a_group_below_the_minimum(client, settings):
    settings.STATISTICS_MIN_COUNT = 5
    large = make_bureau(name_ja="大きな局")
    small_a, small_b = make_bureau(name_ja="小さな局甲"), make_bureau(name_ja="小さな局乙")
    lonely = make_bureau(name_ja="ひとつだけの局")
    for _ in range(5):
        make_request(bureaus=[large], industry="finance")
    for _ in range(3):
        make_request(bureaus=[small_a], industry="energy")
    for _ in range(2):
        make_request(bureaus=[small_b], industry="it")

    html = client.get("/statistics/").content.decode()
    rows = rows_of(html)
    assert all(int(count) >= 5 for _label, count in rows), rows
    assert ("大きな局", "5") in rows
    assert "小さな局甲" not in html and "小さな局乙" not in html
    assert (SMALL_GROUPS, "5") in rows  # 3 + 2 by bureau, and 3 + 2 by industry
    assert ("金融", "5") in rows
    assert "エネルギー" not in html and "情報・IT" not in html

    # One more request for a bureau of its own: below the minimum, still withheld.
    make_request(bureaus=[lonely], industry="finance")
    html = client.get("/statistics/").content.decode()
    assert "ひとつだけの局" not in html
    assert (SMALL_GROUPS, "6") in rows_of(html)


@pytest.mark.django_db
def test_a_merged_line_below_the_minimum_is_not_shown_at_all(client, settings):
    settings.STATISTICS_MIN_COUNT = 5
    shown, hidden = make_bureau(name_ja="公表される局"), make_bureau(name_ja="公表されない局")
    for _ in range(5):
        make_request(bureaus=[shown])
    for _ in range(2):
        make_request(bureaus=[hidden])
    html = client.get("/statistics/").content.decode()
    bureau_table = html.split('id="by-bureau-heading"', 1)[1].split("</table>", 1)[0]
    assert rows_of(bureau_table) == [("公表される局", "5")]
    assert SMALL_GROUPS not in bureau_table
    assert "公表されない局" not in html


@pytest.mark.django_db
def test_no_company_or_personal_data_reaches_the_page(client, settings):
    settings.STATISTICS_MIN_COUNT = 1
    inquiry = make_request(bureaus=[make_bureau()])
    html = client.get("/statistics/").content.decode()
    for private in [
        inquiry.company_name,
        inquiry.contact_name,
        inquiry.email,
        inquiry.phone,
        inquiry.reference,
        inquiry.main_business,
    ]:
        assert private not in html


@pytest.mark.django_db
def test_english_page_labels_groups_in_english(client, settings):
    settings.STATISTICS_MIN_COUNT = 1
    make_request(bureaus=[make_bureau(name_ja="英語の局", name_en="English Bureau")])
    html = client.get("/en/statistics/").content.decode()
    assert '<html lang="en">' in html
    assert "English Bureau" in html
    assert "英語の局" not in html


@pytest.mark.django_db
def test_a_new_request_counts_at_the_next_visit_and_browsers_keep_the_page_briefly(
    client, settings
):
    settings.STATISTICS_MIN_COUNT = 1
    first = client.get("/statistics/")
    assert first["Cache-Control"] == f"public, max-age={settings.PAGE_MAX_AGE_SECONDS}"
    # Not the revision-keyed cache: a new request does not bump the content revision.
    assert "ETag" not in first
    make_request(bureaus=[make_bureau(name_ja="新しい局")])
    assert "新しい局" in client.get("/statistics/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("requests", [0, 40])
def test_query_count_is_pinned_whatever_the_number_of_requests(
    client, django_assert_num_queries, requests
):
    bureaus = [make_bureau() for _ in range(4)]
    for n in range(requests):
        make_request(bureaus=bureaus[: n % 4 + 1], industry=["finance", "energy"][n % 2])
    # Three aggregates, the bureaus' names (only when some request names one), the footer.
    with django_assert_num_queries(5 if requests else 4):
        assert client.get("/statistics/").status_code == 200
