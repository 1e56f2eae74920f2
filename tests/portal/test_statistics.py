"""The anonymised statistics: the disclosure threshold, the aggregate queries and the page."""

import itertools
import os
import random
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime

import pytest

from applications.models import Inquiry
from applications.statistics import Disclosure, disclose, programme_statistics
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
            shown = dict(result.rows)
            merged = [(label, count) for label, count in groups if label not in shown]

            # What is shown is shown as it is, in the table's order, and reaches the minimum.
            assert list(result.rows) == [row for row in groups if row[0] in shown], groups
            assert all(count >= minimum for count in shown.values()), groups
            # Every smaller group is merged; the merged line reaches the minimum too,
            # and never stands for one group alone.
            assert all(row in merged for row in groups if row[1] < minimum), groups
            if result.small_groups is not None:
                assert result.small_groups == sum(c for _l, c in merged) >= minimum, groups
                assert len(merged) >= 2, groups
            # Whole or nothing: nothing withheld that a total elsewhere could give away.
            published = sum(shown.values()) + (result.small_groups or 0)
            assert published in (0, sum(values)), groups
            assert result.is_empty == (sum(values) < minimum), groups
            # Only the smallest groups are merged to make up the minimum.
            if shown and merged:
                assert max(c for _l, c in merged) <= min(shown.values()) or all(
                    c < minimum for _l, c in merged
                ), groups


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], Disclosure(rows=(), small_groups=None)),
        ([("A", 5)], Disclosure(rows=(("A", 5),), small_groups=None)),
        ([("A", 4)], Disclosure(rows=(), small_groups=None)),
        # A 4 withheld beside a 6 shown would be the total minus 6: both merge.
        ([("A", 6), ("B", 4)], Disclosure(rows=(), small_groups=10)),
        ([("A", 4), ("B", 1)], Disclosure(rows=(), small_groups=5)),
        ([("A", 3), ("B", 1)], Disclosure(rows=(), small_groups=None)),
        ([("A", 5), ("B", 2), ("C", 3)], Disclosure(rows=(("A", 5),), small_groups=5)),
        ([("A", 5), ("B", 2), ("C", 2)], Disclosure(rows=(), small_groups=9)),
        ([("B", 1), ("A", 9), ("C", 4)], Disclosure(rows=(("A", 9),), small_groups=5)),
        ([("A", 9), ("B", 5), ("C", 1)], Disclosure(rows=(("A", 9),), small_groups=6)),
    ],
)
def test_the_threshold_rule_at_its_boundaries_with_the_default_minimum(counts, expected):
    assert disclose(counts, 5) == expected


def test_no_pair_of_tables_gives_away_a_withheld_count():
    """Random sets of requests (industry, year, bureaus named), each table published
    through the rule: for every pair of tables, neither total can be subtracted from
    the other to reveal what one withheld."""
    rng = random.Random(20261207)
    for minimum in (2, 3, 5):
        for _ in range(400):
            requests = [
                (
                    rng.choice("ABCDE"),
                    rng.choice((2025, 2026, 2027)),
                    rng.sample("PQRSTU", rng.choice((0, 1, 1, 2, 3))),
                )
                for _ in range(rng.randrange(0, 30))
            ]
            tables = {
                "industry": Counter(industry for industry, _year, _bureaus in requests),
                "year": Counter(year for _industry, year, _bureaus in requests),
                "bureau": Counter(
                    bureau for _i, _y, bureaus in requests for bureau in (bureaus or ["none"])
                ),
            }
            published = {}
            for name, counter in tables.items():
                result = disclose(sorted(counter.items(), key=lambda item: -item[1]), minimum)
                total = sum(counter.values())
                shown = sum(c for _l, c in result.rows) + (result.small_groups or 0)
                # Whole or nothing, so each table withholds all of its total or none.
                assert shown in (0, total), (name, requests)
                published[name] = shown
            for first, second in itertools.combinations(["industry", "year"], 2):
                # Two breakdowns of the same requests publish the same total.
                assert published[first] == published[second], requests
            for name in tables:
                withheld = sum(tables[name].values()) - published[name]
                for other in tables:
                    if other != name and withheld:
                        # What one table withholds, another never shows in part.
                        assert published[other] in (0, sum(tables[other].values()))


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
def test_a_request_for_other_duties_only_counts_as_naming_no_bureau_not_as_a_bureau():
    """Its route is the central window's, which is no bureau: the statistics count the
    bureaus a request named, not its routes."""
    bureau = make_bureau()
    make_request(bureaus=[bureau])
    other = make_request(bureaus=[], other_duties="広報")
    assert other.routes.get().is_central
    assert Inquiry.objects.counts_by_bureau() == {bureau.pk: 1, None: 1}
    by_bureau = programme_statistics(minimum=1)["by_bureau"]
    assert dict(by_bureau.rows) == {bureau.name_ja: 1, "局の指定なし": 1}


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
    # Said once for the whole page, not once per table.
    message = (
        "There are no figures" if path.startswith("/en/") else "公表できる件数はまだありません。"
    )
    assert html.count(message) == 1


@pytest.mark.django_db
def test_the_page_says_that_small_counts_are_withheld(client, settings):
    settings.STATISTICS_MIN_COUNT = 7
    html = client.get("/statistics/").content.decode()
    assert "件数が 7 件未満の区分は「その他（少数）」にまとめます。" in html
    assert "申込みが全体で 7 件に満たない間は公表しません。" in html


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
def test_a_small_group_takes_the_smallest_shown_group_into_the_merged_line(client, settings):
    # Shown as 5 beside an industry table of 7, the 2 would be 7 - 5: both merge.
    settings.STATISTICS_MIN_COUNT = 5
    larger, smaller = make_bureau(name_ja="五件の局"), make_bureau(name_ja="二件の局")
    for _ in range(5):
        make_request(bureaus=[larger])
    for _ in range(2):
        make_request(bureaus=[smaller])
    html = client.get("/statistics/").content.decode()
    bureau_table = html.split('id="by-bureau-heading"', 1)[1].split("</table>", 1)[0]
    assert rows_of(bureau_table) == [(SMALL_GROUPS, "7")]
    assert "五件の局" not in html and "二件の局" not in html


@pytest.mark.django_db
def test_nothing_is_published_while_there_are_fewer_requests_than_the_minimum(client, settings):
    # Two requests naming three bureaus each count six in the bureau table.
    settings.STATISTICS_MIN_COUNT = 5
    bureaus = [make_bureau() for _ in range(3)]
    for _ in range(2):
        make_request(bureaus=bureaus)
    html = client.get("/statistics/").content.decode()
    assert "<table" not in html
    assert "公表できる件数はまだありません。" in html


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
    # The total; then (with enough requests) three aggregates and the bureaus' names;
    # the footer.
    with django_assert_num_queries(6 if requests else 2):
        assert client.get("/statistics/").status_code == 200
