"""The accessibility policy page and the recorded automated results it shows."""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal import accessibility
from portal.accessibility import AuditResults, latest_results, write_results

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
RUN = AuditResults(
    checked_at=datetime(2026, 11, 26, 9, 5, 30, tzinfo=TOKYO),
    pages=86,
    languages=("ja", "en"),
    browser="Chromium 156.0.8078.108",
    axe_version="4.12.1",
    axe_tags=("wcag2a", "wcag2aa", "wcag21aa"),
    axe_violations=0,
    nu_version="26.9.27",
    nu_errors=2,
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
    assert "JIS X 8341-3:2016 の適合レベル AA に準拠することを目標とします。" in main
    assert "このサイトのすべての公開ページ（日本語と英語）を対象とします。" in main
    assert "axe-core" in main and "WCAG 2.1 の A と AA" in main
    assert "Nu HTML Checker" in main
    assert "キーボードだけ" in main and "Chromium" in main


def test_without_a_recorded_run_the_page_says_so(client, results_file):
    assert not results_file.exists()
    main = main_of(client.get("/accessibility/"))
    assert "自動チェックの結果はまだありません。" in main
    assert "<dl" not in main


def test_the_page_shows_the_recorded_run(client, results_file):
    write_results(RUN)
    main = main_of(client.get("/accessibility/"))
    assert '<time datetime="2026-11-26T09:05:30+09:00">2026年11月26日9:05</time>' in main
    assert "86 ページ（日本語と英語）" in main
    assert "0 件（axe-core 4.12.1）" in main
    assert "2 件（Nu HTML Checker 26.9.27）" in main
    assert "Chromium 156.0.8078.108" in main
    assert "自動チェックの結果はまだありません。" not in main


def test_the_english_page_shows_the_run_too(client, results_file):
    write_results(RUN)
    main = main_of(client.get("/en/accessibility/"))
    assert 'datetime="2026-11-26T09:05:30+09:00"' in main
    assert "4.12.1" in main and "26.9.27" in main


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
    assert document["axe"] == {
        "version": "4.12.1",
        "tags": ["wcag2a", "wcag2aa", "wcag21aa"],
        "violations": 0,
    }
    assert document["nu"] == {"version": "26.9.27", "errors": 2}


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
