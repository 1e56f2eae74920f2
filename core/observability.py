"""Request ids and JSON-lines logs that carry them, with no personal data."""

import contextvars
import json
import logging
import re
import uuid

from django.core.signals import request_finished

request_id_var = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """Give each request an id (a trusted proxy's X-Request-ID, or a new one), put it in
    every log line of the request and in the response's X-Request-ID header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Cleared on request_finished, not here: Django logs error responses
        # (404, 503) after the middleware has returned.
        request_id_var.set(request.id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


def _clear_request_id(**kwargs):
    request_id_var.set("-")


request_finished.connect(_clear_request_id, dispatch_uid="clear-request-id")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message.

    Only the message and the exception type are written: the request object
    Django attaches to some records (with its form data) is left out.
    """

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if status := getattr(record, "status_code", None):
            entry["status"] = status
        if record.exc_info and record.exc_info[0]:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)
