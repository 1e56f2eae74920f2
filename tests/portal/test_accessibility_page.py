"""The accessibility policy page and the recorded automated results it shows."""

import html
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal import accessibility
from portal.accessibility import (
    RESULTS_FILE,
    AuditResults,
    latest_results,
    write_results,
)
from tests.quality import CHECKS, check_result

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


RUN = AuditResults(
    checked_at=datetime(2026, 11, 26, 9, 5, 30, tzinfo=TOKYO),
    pages=86,
    languages=("ja", "en"),
    browser="Chromium 156.0.8078.108",
    axe_version="4.12.1",
    axe_tags=("wcag2a", "wcag2aa", "wcag21aa"),
    nu_version="26.9.27",
    checks=(
        check_result("axe", 86, 0),
        check_result("nu", 86, 2),
        check_result("reflow", 86, 0),
        check_result("control-contrast", 1234, 3),
    ),
)


@pytest.fixture
def results_file(tmp_path, monkeypatch):
    """The results file the page reads, in a temporary folder (absent until written)."""
    path = tmp_path / "accessibility" / "results.json"
    monkeypatch.setattr(accessibility, "RESULTS_FILE", path)
    return path


def main_of(response):
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize(
    ("path", "language"), [("/accessibility/", "ja"), ("/en/accessibility/", "en")]
)
def test_the_page_answers_in_both_languages_with_one_h1(client, results_file, path, language):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1


def test_the_page_declares_the_target_the_scope_and_the_method(client, results_file):
    main = main_of(client.get("/accessibility/"))
    assert "WCAG 2.1 の適合レベル AA に準拠することを目標とします。" in main
    assert "WCAG 2.2 の達成基準 2.5.8" in main
    assert "JIS X 8341-3:2016 は、WCAG 2.0 と同じ内容の規格です。" in main
    assert "事前相談フォームの各段階（入力、エラーの表示、確認、完了）" in main
    assert "キーボードだけ" in main and "Chromium" in main


def test_without_a_recorded_run_the_page_says_so_and_claims_no_result(client, results_file):
    assert not results_file.exists()
    main = main_of(client.get("/accessibility/"))
    assert "自動チェックの結果はまだありません。" in main
    assert "<dl" not in main
    assert "audit-check" not in main and "問題 0 件" not in main


def test_the_page_shows_the_recorded_run_check_by_check(client, results_file):
    write_results(RUN)
    main = main_of(client.get("/accessibility/"))
    assert '<time datetime="2026-11-26T09:05:30+09:00">2026年11月26日9:05</time>' in main
    assert "86 ページ（日本語と英語。フォームの各段階を含む）" in main
    assert "Chromium 156.0.8078.108, axe-core 4.12.1, Nu HTML Checker 26.9.27" in main
    assert main.count('class="audit-check"') == 4
    reflow = main.split('id="check-reflow"', 1)[1].split("</section>", 1)[0]
    assert "1.4.10 リフロー" in reflow
    assert CHECKS["reflow"]["what"]["ja"] in reflow
    assert CHECKS["reflow"]["how"]["ja"] in reflow
    assert "問題 0 件（86 ページを確認）" in reflow
    contrast = main.split('id="check-control-contrast"', 1)[1].split("</section>", 1)[0]
    assert "問題 3 件（1234 コントロールを確認）" in contrast
    assert "自動チェックの結果はまだありません。" not in main


def test_the_page_claims_only_the_checks_the_run_recorded(client, results_file):
    write_results(RUN)
    main = main_of(client.get("/accessibility/"))
    for check_id, texts in CHECKS.items():
        recorded = any(check.id == check_id for check in RUN.checks)
        assert (texts["title"]["ja"] in main) == recorded, check_id
    assert "2.5.8" not in main.split('id="results-heading"', 1)[1]


def test_the_english_page_shows_the_run_in_english(client, results_file):
    write_results(RUN)
    main = html.unescape(main_of(client.get("/en/accessibility/")))
    assert 'datetime="2026-11-26T09:05:30+09:00"' in main
    assert "4.12.1" in main and "26.9.27" in main
    assert "1.4.11 Non-text Contrast" in main
    assert CHECKS["control-contrast"]["how"]["en"] in main
    assert "3 findings (controls checked: 1234)" in main
    assert "0 findings (pages checked: 86)" in main


def test_the_committed_results_describe_the_checks_the_site_wide_test_runs():
    """The page shows RESULTS_FILE as committed: it must list exactly the checks
    tests/test_accessibility.py runs, in the words they are described in now, so a check
    added or reworded without `make accessibility` fails here rather than go unreported."""
    committed = latest_results(RESULTS_FILE)
    assert committed is not None, f"{RESULTS_FILE} is missing or unreadable: run make accessibility"
    recorded = {
        check.id: {
            "criteria": list(check.criteria),
            "title": check.title,
            "what": check.what,
            "how": check.how,
            "unit": check.unit,
        }
        for check in committed.checks
    }
    assert recorded == CHECKS, "the committed results are stale: run make accessibility"
    assert all(check.items for check in committed.checks), "a recorded check examined nothing"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"pages": 3}),
        json.dumps({**RUN.as_document(), "checked_at": "2026-11-26T09:05:30"}),
    ],
    ids=["not-json", "incomplete", "naive-time"],
)
def test_an_unreadable_file_reads_as_no_results_not_as_an_error(client, results_file, content):
    results_file.parent.mkdir(parents=True)
    results_file.write_text(content, encoding="utf-8")
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert "自動チェックの結果はまだありません。" in main_of(response)


def test_a_run_survives_writing_and_reading(results_file):
    write_results(RUN)
    assert latest_results() == RUN
    document = json.loads(results_file.read_text(encoding="utf-8"))
    assert document["axe"] == {"version": "4.12.1", "tags": ["wcag2a", "wcag2aa", "wcag21aa"]}
    assert document["nu"] == {"version": "26.9.27"}
    nu = next(check for check in document["checks"] if check["id"] == "nu")
    assert nu["criteria"] == ["4.1.1"] and nu["items"] == 86 and nu["findings"] == 2
    assert nu["title"] == {"ja": "4.1.1 構文解析", "en": "4.1.1 Parsing"}


def test_the_file_is_parsed_once_and_again_only_after_it_changes(results_file, monkeypatch):
    write_results(RUN)
    parsed = []
    original = AuditResults.from_document.__func__

    def counting(cls, document):
        parsed.append(document)
        return original(cls, document)

    monkeypatch.setattr(AuditResults, "from_document", classmethod(counting))
    latest_results()
    latest_results()
    assert len(parsed) <= 1  # None when the test above already loaded this very file.
    later = AuditResults(**{**RUN.__dict__, "pages": 90})
    write_results(later)
    assert latest_results().pages == 90


def test_the_page_follows_the_file_not_the_content_revision(client, results_file):
    response = client.get("/accessibility/")
    assert "ETag" not in response
    assert response["Cache-Control"].startswith("public, max-age=")
    write_results(RUN)
    assert "86 ページ" in main_of(client.get("/accessibility/"))


def test_a_check_without_a_japanese_text_makes_the_file_unreadable(client, results_file):
    document = RUN.as_document()
    document["checks"][0]["what"] = {"en": "English only"}
    results_file.parent.mkdir(parents=True)
    results_file.write_text(json.dumps(document), encoding="utf-8")
    assert "自動チェックの結果はまだありません。" in main_of(client.get("/accessibility/"))
