"""Request ids and JSON-lines logs, with no personal data in them."""

import json
import logging
import re
import sys
import threading

import pytest

from applications.models import Inquiry, NotificationState
from applications.outbox import deliver_notifications
from core.observability import JsonFormatter, RequestIdFilter, request_id_var
from tests.applications.helpers import form_data
from tests.conftest import free_port
from tests.core.support import (
    HYDROGEN,
    log_lines,
    redis_cache,
    submit_consultation,
)

pytestmark = pytest.mark.django_db


def parse(lines):
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        assert {"time", "level", "logger", "request_id", "message"} <= entry.keys()
    return entries


def record(message, *args, exc_info=None):
    return logging.LogRecord("kouryu.test", logging.WARNING, __file__, 1, message, args, exc_info)


def test_the_json_formatter_writes_one_object_per_line_with_the_request_id():
    formatter, request_filter = JsonFormatter(), RequestIdFilter()
    token = request_id_var.set("abc12345-request")
    try:
        entry = record("two\nlines and %s", "an argument")
        assert request_filter.filter(entry)
    finally:
        request_id_var.reset(token)
    line = formatter.format(entry)
    assert "\n" not in line
    parsed = json.loads(line)
    assert set(parsed) == {"time", "level", "logger", "request_id", "message"}
    assert parsed["level"] == "WARNING"
    assert parsed["logger"] == "kouryu.test"
    assert parsed["request_id"] == "abc12345-request"
    assert parsed["message"] == "two\nlines and an argument"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", parsed["time"])


def test_an_exception_is_logged_by_type_on_one_line_without_its_traceback():
    try:
        raise ValueError("hanako.yamada@energy.example")
    except ValueError:
        entry = record("failed", exc_info=sys.exc_info())
    RequestIdFilter().filter(entry)  # Outside any request.
    line = JsonFormatter().format(entry)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["exception"] == "ValueError"
    assert parsed["request_id"] == "-"
    assert parsed["message"] == "failed"
    assert "hanako" not in line
    assert "Traceback" not in line


def test_the_request_id_is_in_the_response_and_in_the_404_log_line(client):
    with log_lines() as lines:
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [warning] = [e for e in parse(lines) if e["logger"] == "django.request"]
    assert warning["message"] == "Not Found: /no-such-page/"
    assert warning["level"] == "WARNING"
    assert warning["status"] == 404
    assert warning["request_id"] == request_id


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/").get("X-Request-ID") for _ in range(3)}
    assert len(ids) == 3


def test_log_lines_during_a_cache_outage_carry_the_request_id(client, redis_down):
    with log_lines() as lines:
        response = client.get(HYDROGEN)
    assert response.status_code == 200
    warnings = [e for e in parse(lines) if e["logger"] == "core.cache"]
    # One line: after the first failed call the cache is left alone for a while.
    assert [e["message"] for e in warnings] == ["cache unavailable during get: ConnectionError"]
    assert {e["request_id"] for e in warnings} == {response["X-Request-ID"]}


@pytest.mark.parametrize(("retry_seconds", "tries"), [(60, 1), (0, 3)])
def test_after_a_failed_call_redis_is_tried_again_only_after_the_pause(
    settings, retry_seconds, tries
):
    settings.CACHE_RETRY_SECONDS = retry_seconds
    with redis_cache(f"redis://127.0.0.1:{free_port()}/7") as backend, log_lines() as lines:
        assert backend.get("a") is None
        assert backend.add("b", 1) is False
        with pytest.raises(ValueError):  # As for a missing counter.
            backend.incr("c")
    warnings = [e for e in parse(lines) if e["logger"] == "core.cache"]
    assert len(warnings) == tries


@pytest.mark.parametrize(
    "incoming", ["abcdef12", "0123456789abcdef0123456789abcdef", "lb-1.req_42", "x" * 64]
)
def test_a_valid_incoming_request_id_is_reused(client, redis_down, incoming):
    with log_lines() as lines:
        response = client.get(HYDROGEN, headers={"x-request-id": incoming})
    assert response.status_code == 200
    assert response["X-Request-ID"] == incoming
    # The cache warnings of the outage are logged during the request.
    assert {e["request_id"] for e in parse(lines) if e["logger"] == "core.cache"} == {incoming}


INVALID_IDS = {
    "too long": "x" * 65,
    "too short": "abc",
    "with spaces": "abc def ghi jkl",
    "with a newline inside": "abcdefgh\nX-Injected: yes",
    "with a trailing newline": "abcdefgh12345\n",
    "with a carriage return": "abcdefgh12345\r",
    "not ascii": "リクエスト番号一二三四五",
    "with a quote": 'abcdefgh"}',
    "empty": "",
}


@pytest.mark.parametrize("incoming", INVALID_IDS.values(), ids=INVALID_IDS.keys())
def test_an_invalid_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/", headers={"x-request-id": incoming})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def use_closed_mail_server(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "core.mailer.DeadlineSMTPBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5, "deadline": 10},
        }
    }


def test_a_submission_with_the_mail_server_down_logs_no_personal_data(
    client, settings, django_capture_on_commit_callbacks
):
    use_closed_mail_server(settings)
    data = form_data()
    with log_lines() as lines:
        submit_consultation(client, django_capture_on_commit_callbacks)
        deliver_notifications()  # The worker's pass, against the closed port.
    inquiry = Inquiry.objects.get()
    assert set(inquiry.notifications.values_list("state", flat=True)) == {NotificationState.PENDING}
    entries = parse(lines)
    warnings = [e for e in entries if e["level"] == "WARNING"]
    assert len(warnings) >= 3
    assert all(inquiry.reference in e["message"] for e in warnings if "not sent" in e["message"])
    personal = [
        data["email"],
        "hanako",
        data["contact_name"],
        "山田",
        data["contact_name_kana"],
        data["company_name"],
        data["phone"],
        "03-1234-5678",
        "1234-5678",
        data["main_business"],
        data["message"],
    ]
    for line in lines:
        for value in personal:
            assert value not in line, (value, line)


def test_the_consultation_form_under_the_cache_down_logs_no_personal_data_either(
    client, redis_down, django_capture_on_commit_callbacks
):
    data = form_data()
    with log_lines() as lines:
        submit_consultation(client, django_capture_on_commit_callbacks)
    assert lines
    for line in lines:
        for value in (data["email"], data["contact_name"], data["company_name"]):
            assert value not in line


def test_a_burst_of_concurrent_log_lines_stays_one_object_per_line():
    logger = logging.getLogger("kouryu.burst")

    def emit(n):
        token = request_id_var.set(f"thread-{n:04d}")
        try:
            for i in range(50):
                logger.warning("line %s\nof thread %s", i, n)
        finally:
            request_id_var.reset(token)

    with log_lines() as lines:
        threads = [threading.Thread(target=emit, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    entries = parse(lines)
    assert len(entries) == 200
    for entry in entries:
        n = int(entry["message"].rsplit(" ", 1)[1])
        assert entry["request_id"] == f"thread-{n:04d}"
