"""Request ids and JSON-lines logs that carry them, with no personal data."""

import contextvars
import json
import logging
import re
import uuid

from django.core.signals import request_finished
from django.views.debug import SafeExceptionReporterFilter

request_id_var = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# The applicant's status link is a secret: whoever holds it reads the request's stage.
# Paths are logged (404s, 500s, the access log); the secret part never is.
_SECRET_IN_PATH = re.compile(r"(/consultation/status/)[^/?#\s\"']+")


def redact(text):
    """``text`` with the secret of every status link in it replaced."""
    return _SECRET_IN_PATH.sub(r"\1[redacted]", text)


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
            "message": redact(record.getMessage()),
        }
        if status := getattr(record, "status_code", None):
            entry["status"] = status
        if record.exc_info and record.exc_info[0]:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def redacting_gunicorn_logger():
    """gunicorn's logger class with every access-log field redacted (config/gunicorn.py)."""
    from gunicorn.glogging import Logger

    class RedactingLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            return {
                name: redact(value) if isinstance(value, str) else value
                for name, value in super().atoms(resp, req, environ, request_time).items()
            }

    return RedactingLogger


class SecretSettingsFilter(SafeExceptionReporterFilter):
    """Django's filter for error reports, also hiding every setting or environment
    value that can carry a password in a URL (DATABASE_URL, REDIS_URL, a cache's
    LOCATION) or a server's credentials (MAILERS' options)."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|URL|DSN|LOCATION|MAILERS", flags=re.I
    )
