"""The database unreachable: a friendly 503 at once, and service back on its own.

Three parts:

- ``breaker``: per process, after a connect to a database failed, further connects
  to it fail at once (``DatabaseUnreachable``), while a background thread tries
  again every DATABASE_RETRY_SECONDS until it answers. A request never waits for a
  connect timeout again after the first one, and nothing needs a restart. The
  PostgreSQL backend (core/backends/postgresql) consults it.
- ``DatabaseUnavailableMiddleware``: a view that meets the database unreachable
  answers the friendly 503.
- ``server_error`` (handler500): so does any middleware that meets it (the session
  read of a request with a cookie, the staff checks in front of admin), since Django
  turns an exception raised in a middleware into the 500 handler's response before
  any other middleware sees it.
"""

import io
import logging
import sys
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)


class DatabaseUnreachable(OperationalError):
    """A connect refused without trying: one failed, and no retry has succeeded since."""


@dataclass
class _Outage:
    since: float


class ConnectBreaker:
    """After a failed connect, fail further connects to that database at once.

    Only a failed connect opens it (an OperationalError from the driver's connect:
    refused, timed out, no route, the server refusing sessions), never a query that
    fails on an open connection. Each process has its own (module state, guarded for
    threads); ``server`` names a database: host, port and name.

    While it is open, every connect raises DatabaseUnreachable at once. A thread of
    its own tries to connect a window after the failure, and again a window after
    each attempt began, and closes it at the first success: with a window at least
    as long as the connect timeout, the process serves again within a window of the
    database's return, and no request ever waits for an attempt.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._outages = {}

    def before_connect(self, server):
        """Raise DatabaseUnreachable while ``server`` is known to be unreachable."""
        with self._lock:
            outage = self._outages.get(server)
        if outage is not None:
            down_for = time.monotonic() - outage.since
            raise DatabaseUnreachable(
                f"database unreachable for {down_for:.1f} s; not connecting until it answers"
            )

    def connect_failed(self, server, error, probe):
        """A connect to ``server`` failed: refuse the next ones until ``probe`` (a
        function that connects and disconnects, raising on failure) succeeds."""
        window = settings.DATABASE_RETRY_SECONDS
        if not window:
            return
        with self._lock:
            if server in self._outages:
                return  # Another thread's connect; its retries are under way.
            now = time.monotonic()
            outage = self._outages[server] = _Outage(since=now)
        threading.Thread(
            target=self._retry,
            args=(server, outage, probe, now + window),
            name="database-retry",
            daemon=True,
        ).start()
        logger.error(
            "database unreachable (%s): answering 503 at once, trying again every %s s",
            type(error).__name__,
            window,
        )

    def connect_succeeded(self, server):
        with self._lock:
            outage = self._outages.pop(server, None)
        if outage is not None:
            logger.info("database reachable again after %.1f s", time.monotonic() - outage.since)

    def is_open(self, server):
        with self._lock:
            return server in self._outages

    def reset(self):
        """Forget every outage (tests); their retry threads end."""
        with self._lock:
            self._outages.clear()

    def _retry(self, server, outage, probe, due):
        while True:
            time.sleep(max(0.0, due - time.monotonic()))
            with self._lock:
                if self._outages.get(server) is not outage:
                    return  # Closed meanwhile (or forgotten).
            started = time.monotonic()
            try:
                probe()
            except Exception:
                due = started + max(settings.DATABASE_RETRY_SECONDS, 0.1)
            else:
                self.connect_succeeded(server)
                return


breaker = ConnectBreaker()


def server_key(conn_params):
    """What the breaker tells databases apart by: host, port and database name."""
    return (conn_params.get("host"), conn_params.get("port"), conn_params.get("dbname"))


class DatabaseUnavailableMiddleware:
    """Turn a view's lost database into the friendly 503 page (needs no database).

    Connections are health-checked before reuse (CONN_HEALTH_CHECKS), so the first
    request after the database returns opens a fresh one: no restart needed.
    Exceptions raised by middleware are answered by ``server_error``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_unavailable_response() if means_unavailable(exception) else None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the friendly 503 when the error is an unreachable database, wherever
    it was raised; Django's 500 page for anything else.

    Django calls it while handling the exception, so ``sys.exception()`` is the
    exception that a middleware or view raised.
    """
    if means_unavailable(sys.exception()):
        return database_unavailable_response()
    return defaults.server_error(request, template_name)


# SQLSTATE classes a server answers when it cannot serve anybody now: a connection
# exception (08), insufficient resources (53: too many connections, disk full) and
# operator intervention (57P: shutting down, starting up).
_UNAVAILABLE_STATES = ("08", "53", "57P")


def means_unavailable(exception):
    """Whether a database exception says the server cannot be reached or cannot serve,
    rather than that one query failed.

    An OperationalError with no SQLSTATE comes from the driver itself (refused, timed
    out, connection lost); one with a SQLSTATE outside the classes above is about the
    query: a statement cancelled by statement_timeout (57014), a serialization
    failure or a lock timeout. Those are errors to fix, and get the 500 page.
    """
    if isinstance(exception, InterfaceError):
        return True
    if isinstance(exception, OperationalError):
        state = getattr(exception.__cause__, "pgcode", None)
        return state is None or state.startswith(_UNAVAILABLE_STATES)
    return type(exception) is DatabaseError


def database_unavailable_response():
    """The friendly 503 page, rendered without the database.

    It carries its own X-Frame-Options: made by handler500 for a middleware's
    exception, it does not pass XFrameOptionsMiddleware on its way out.
    """
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response


# What HAProxy keeps of an errorfile must fit in one buffer (tune.bufsize, 16 KB by
# default, less tune.maxrewrite's 1 KB); a larger file is refused when it starts.
ERRORFILE_MAX_BYTES = 15 * 1024


def unavailable_errorfile():
    """The friendly 503 as a complete HTTP/1.1 response, for a load balancer to answer
    when no app server is ready (HAProxy's ``errorfile 503``).

    The same page as ``database_unavailable_response``, with the headers the site's
    middleware gives every page served over HTTPS (HSTS, CSP, nosniff, referrer
    policy) but none of one request (no request id, no date); then a
    Content-Length, and ``Connection: close`` as HAProxy's own error pages have.
    """
    from django.core.handlers.wsgi import WSGIRequest
    from django.middleware.csp import ContentSecurityPolicyMiddleware
    from django.middleware.security import SecurityMiddleware

    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "443",
            "HTTP_X_FORWARDED_PROTO": "https",
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(),
        }
    )
    respond = SecurityMiddleware(
        ContentSecurityPolicyMiddleware(lambda request: database_unavailable_response())
    )
    response = respond(request)
    head = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
    head += [f"{name}: {value}" for name, value in response.items()]
    head += [f"Content-Length: {len(response.content)}", "Connection: close"]
    errorfile = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.content
    if len(errorfile) > ERRORFILE_MAX_BYTES:
        raise ValueError(
            f"the 503 page is {len(errorfile)} bytes: HAProxy takes {ERRORFILE_MAX_BYTES}"
        )
    return errorfile
