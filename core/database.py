"""A friendly 503 while the database is unreachable; service resumes on its own."""

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a 503 page that needs no database.

    Connections are health-checked before reuse (CONN_HEALTH_CHECKS), so the first
    request after the database returns opens a fresh one: no restart needed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_unavailable_response() if means_unavailable(exception) else None


def means_unavailable(exception):
    """Whether a database exception says the server cannot be reached (not a bad query)."""
    return isinstance(exception, (OperationalError, InterfaceError)) or (
        type(exception) is DatabaseError
    )


def database_unavailable_response():
    """The friendly 503 page, rendered without the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response
