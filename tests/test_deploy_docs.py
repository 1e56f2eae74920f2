"""The deployment README against what runs: the HAProxy example is deploy/haproxy.cfg
itself, and the CDN table states the headers each kind of page really sends."""

import re

import pytest

from tests.conftest import ROOT
from tests.core.support import (
    UNAVAILABLE_EN,
    UNAVAILABLE_JA,
    form_data,
    queue_a_consultation,
    submit_consultation,
)

README = (ROOT / "README.md").read_text()
ETAG = re.compile(r'"\d+-(ja|en)-[0-9a-f]+"')


def test_the_readme_s_haproxy_example_is_the_file_the_scale_out_test_runs():
    blocks = re.findall(r"```haproxy\n(.*?)```", README, re.S)
    assert blocks == [(ROOT / "deploy" / "haproxy.cfg").read_text()]


def cdn_table():
    table = README.split("<!-- cdn-headers -->")[1].split("<!-- /cdn-headers -->")[0]
    rows = [line.strip("|").split("|") for line in table.strip().splitlines()[2:]]
    return [[cell.strip().strip("`") for cell in row] for row in rows]


def directives(value):
    return {part.strip() for part in value.split(",")} if value else set()


def test_the_cdn_table_covers_every_kind_of_public_response():
    examples = [row[1] for row in cdn_table()]
    assert len(examples) == len(set(examples)) >= 15


@pytest.mark.django_db
@pytest.mark.parametrize("row", cdn_table(), ids=lambda row: row[0])
def test_each_kind_of_page_sends_the_headers_the_cdn_table_states(client, settings, row):
    settings.PAGE_MAX_AGE_SECONDS = 60
    _kind, example, cache_control, etag, vary = row
    if "<token>" in example:
        example = example.replace("<token>", queue_a_consultation().status_token)
    response = client.get(example)
    assert response.status_code == 200, example
    stated = set() if cache_control == "none" else directives(cache_control)
    assert directives(response.get("Cache-Control")) == stated, example
    if etag == "none":
        assert "ETag" not in response, example
    else:
        assert ETAG.fullmatch(response["ETag"]), example
        language = "en" if example.startswith("/en/") else "ja"
        assert ETAG.fullmatch(response["ETag"]).group(1) == language, example
    stated = set() if vary == "none" else directives(vary)
    assert directives(response.get("Vary")) == stated, example


@pytest.mark.django_db
def test_japanese_pages_do_not_change_with_accept_language(client):
    japanese = client.get("/bureaus/")
    asked_in_english = client.get("/bureaus/", headers={"accept-language": "en"})
    assert asked_in_english.status_code == 200
    assert asked_in_english["Content-Language"] == "ja"
    assert asked_in_english.content == japanese.content


@pytest.mark.django_db
def test_every_step_holding_the_answers_says_no_store(client, django_capture_on_commit_callbacks):
    """What the README says of the confirm and done steps, which the table cannot
    request without a draft: one applicant's answers are never kept by a cache."""
    client.get("/consultation/")
    assert client.post("/consultation/", form_data(client)).status_code == 302
    edit = client.get("/consultation/?edit=1")
    assert {"no-store", "private"} <= directives(edit["Cache-Control"])
    confirm = client.get("/consultation/confirm/")
    assert confirm.status_code == 200
    submit_consultation(client, django_capture_on_commit_callbacks)
    done = client.get("/consultation/done/")
    assert done.status_code == 200
    for response in (confirm, done):
        assert {"no-store", "private"} <= directives(response["Cache-Control"])
        assert "Cookie" in directives(response["Vary"])


def test_the_balancer_s_503_file_is_the_site_s_page_as_a_complete_response(settings, tmp_path):
    from django.core.management import call_command

    settings.SECURE_HSTS_SECONDS = 31_536_000
    path = tmp_path / "503.http"
    call_command("write_errorfile", str(path), verbosity=0)
    head, _, body = path.read_bytes().partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    assert status == "HTTP/1.1 503 Service Unavailable"
    assert int(headers["Content-Length"]) == len(body)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Retry-After"] == "30"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Connection"] == "close"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    # Nothing of one request: the same file answers every visitor.
    assert "X-Request-ID" not in headers and "Date" not in headers
    assert UNAVAILABLE_JA in body.decode() and UNAVAILABLE_EN in body.decode()
