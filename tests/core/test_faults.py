"""Fault test: gunicorn (config/gunicorn.py) with PostgreSQL behind a TCP proxy that the
test closes, black-holes and freezes, and Redis behind another it closes.

Each figure the issue asks for is measured here, printed in the terminal summary
(FAULTS lines) and held to the issue's bound:

- after the first failed connect, the p99 of page requests while the database is
  black-holed is under 100 ms, and static files keep their speed;
- a connection frozen mid-life (its packets dropped) is released within 10 s;
- service is back within DATABASE_RETRY_SECONDS of the database's return;
- /health/ready/ answers 503 and /health/live/ 200 meanwhile;
- /health/ready/ stays 200 with Redis down and with an old outbox.

The frozen connection needs a network namespace (root and iproute2, as in CI): on
loopback the kernel would acknowledge a frozen proxy's bytes, and no TCP timeout
could tell it from a slow query.
"""

import contextlib
import http.client
import math
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from applications.models import Notification
from tests import servers
from tests.conftest import IN_CI, free_port
from tests.core.support import (
    HYDROGEN,
    REDIS_LOCATION,
    UNAVAILABLE_JA,
    queue_a_consultation,
    staff_session_cookie,
)
from tests.faultproxy import FaultProxy, Netns

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 3  # config/gunicorn.py's default on this 2-core machine.
CONNECT_TIMEOUT = 2  # DATABASE_CONNECT_TIMEOUT's default.
TCP_USER_TIMEOUT = 5  # DATABASE_TCP_USER_TIMEOUT's default.
# The breaker's window: longer than the connect timeout, so that recovery is bounded
# by the window (core.database), and short enough to cross it while measuring.
WINDOW = 3
PAGES = ["/", "/bureaus/", "/en/bureaus/", HYDROGEN, "/consultation/", "/statistics/"]
STATIC = "/static/css/site.css"
FOREGROUND = -10  # The nice value of gunicorn and of the measuring threads.
FIGURES = []  # Printed by tests/core/conftest.py at the end of the run.


@dataclass
class Answer:
    path: str
    status: int
    body: bytes
    seconds: float


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@contextlib.contextmanager
def foreground():
    """Run the block's threads (and those they start) ahead of other processes.

    The figures are about this server, and the machine may be running other test
    suites at the same time; gunicorn starts with the same priority. Without root
    the priority stays as it is.
    """
    before = os.getpriority(os.PRIO_PROCESS, 0)  # This thread's, on Linux.
    try:
        os.setpriority(os.PRIO_PROCESS, 0, FOREGROUND)
    except OSError:
        yield
        return
    try:
        yield
    finally:
        os.setpriority(os.PRIO_PROCESS, 0, before)


def figure(line):
    FIGURES.append(line)
    print(f"FAULTS {line}")


class Site:
    """gunicorn behind its proxies, and what a balancer and visitors send it."""

    def __init__(self, port, database, redis, server, log):
        self.port = port
        self.database = database
        self.redis = redis
        self.server = server
        self.log = log
        self.cookie = None

    def get(self, path, *, https=True, cookie=None, timeout=20):
        """One request on its own connection. ``https``: as the TLS-terminating
        balancer forwards a visitor's request; without it, as the balancer's probe."""
        headers = {"Host": "127.0.0.1"}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if cookie:
            headers["Cookie"] = f"sessionid={cookie}"
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        started = time.monotonic()
        try:
            client.request("GET", path, headers=headers)
            response = client.getresponse()
            body = response.read()
        finally:
            client.close()
        return Answer(path, response.status, body, time.monotonic() - started)

    def page(self, index):
        """The index-th of a round of visitor requests, some with a session cookie
        (read in middleware: the staff checks in front of admin, the idle expiry)."""
        round_ = [*PAGES, "/shortlist/", "/admin/"]
        path = round_[index % len(round_)]
        cookie = self.cookie if path in ("/shortlist/", "/admin/") or index % 3 == 0 else None
        return self.get(path, cookie=cookie)

    def burst(self, count):
        with foreground(), ThreadPoolExecutor(count) as pool:
            return list(pool.map(self.page, range(count)))

    def load(self, seconds, visitors=2):
        """Visitors' pages, static files and the balancer's probes side by side: four
        clients for three workers, so that the figures are the server's, not a queue's."""
        answers = {"pages": [], "static": [], "ready": [], "live": []}
        deadline = time.monotonic() + seconds

        def visitor(offset):
            index = offset
            while time.monotonic() < deadline:
                answers["pages"].append(self.page(index))
                index += visitors

        def static():
            while time.monotonic() < deadline:
                answers["static"].append(self.get(STATIC))

        def balancer():
            while time.monotonic() < deadline:
                answers["ready"].append(self.get("/health/ready/", https=False))
                answers["live"].append(self.get("/health/live/", https=False))
                time.sleep(0.05)

        with foreground():
            threads = [threading.Thread(target=visitor, args=(n,)) for n in range(visitors)]
            threads += [threading.Thread(target=static), threading.Thread(target=balancer)]
            for thread in threads:
                thread.start()
        for thread in threads:
            thread.join()
        return answers

    def recovery(self, returned, streak=30):
        """Seconds from the database's return until pages are served again by every
        worker: the last 503 before ``streak`` 200s in a row."""
        last_failure = returned
        served = 0
        deadline = returned + WINDOW + 10
        while served < streak:
            assert time.monotonic() < deadline, f"no recovery: {self.log_tail()}"
            answer = self.get("/")
            if answer.status == 200:
                served += 1
            else:
                assert answer.status == 503, answer
                served = 0
                last_failure = time.monotonic()
            time.sleep(0.02)
        return last_failure - returned

    def log_tail(self):
        return servers.log_tail(self.log)


def assert_friendly(answers):
    for answer in answers:
        assert answer.status == 503, (answer.path, answer.status)
        assert UNAVAILABLE_JA in answer.body.decode(), answer.path


def summary(answers):
    seconds = [answer.seconds * 1000 for answer in answers]
    return (
        f"n={len(seconds)} p50={percentile(seconds, 0.5):.1f}ms "
        f"p99={percentile(seconds, 0.99):.1f}ms max={max(seconds):.1f}ms"
    )


@pytest.fixture(scope="module")
def netns():
    namespace = Netns.create()
    if namespace is None and IN_CI:
        pytest.fail("CI needs root and iproute2 for the frozen-connection test")
    yield namespace
    if namespace is not None:
        namespace.remove()


@pytest.fixture(scope="module")
def site(django_db_setup, netns, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("the fault test runs against PostgreSQL (CI runs one)")
    params = dict(connection.settings_dict)
    redis_url = urlsplit(REDIS_LOCATION)
    # Their threads (and those they start per connection) carry every request's
    # queries and cache reads: in the foreground too.
    with foreground():
        database = FaultProxy(
            (params["HOST"] or "127.0.0.1", int(params["PORT"] or 5432)), netns=netns
        )
        redis = FaultProxy((redis_url.hostname, redis_url.port or 6379))
    port = free_port()
    log = tmp_path_factory.mktemp("faults") / "gunicorn.log"
    env = servers.behind_balancer(
        DATABASE_URL=servers.database_url(params, host=database.host, port=database.port),
        DATABASE_RETRY_SECONDS=str(WINDOW),
        REDIS_URL=f"redis://127.0.0.1:{redis.port}{redis_url.path or '/0'}",
        # Every page needs the database: none is served from the page cache.
        PAGE_CACHE_SECONDS="0",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(WORKERS),
    )
    server = servers.start_gunicorn(
        env=env, log=log, nice=FOREGROUND if os.geteuid() == 0 else None
    )
    running = Site(port, database, redis, server, log)
    try:
        servers.wait_until(
            lambda: running.get("/health/live/", https=False).status == 200,
            process=server,
            describe=running.log_tail,
        )
        yield running
    finally:
        servers.stop(server)
        database.stop()
        redis.stop()


@pytest.fixture
def served(site, django_user_model):
    """The site serving pages, with a staff member's session for the cookie requests."""
    site.database.relay()
    site.redis.relay()
    site.cookie = staff_session_cookie(django_user_model)
    site.recovery(time.monotonic(), streak=WORKERS * 3)
    assert site.get("/admin/", cookie=site.cookie).status == 302  # To the TOTP step.
    return site


def test_a_black_holed_database_costs_one_connect_timeout_then_answers_at_once(served):
    site = served
    baseline = site.load(2)
    # Admin sends the signed-in staff member on to the TOTP step.
    assert {answer.status for answer in baseline["pages"]} == {200, 302}
    assert all(answer.status == 200 for answer in baseline["static"])
    figure(
        f"database up: pages (rendered, through the proxy) {summary(baseline['pages'])}; "
        f"static {summary(baseline['static'])}"
    )

    site.database.black_hole()
    first = site.burst(3 * WORKERS)
    assert_friendly(first)
    figure(
        f"black hole, first {len(first)} concurrent requests: "
        + ", ".join(f"{answer.seconds:.2f}s" for answer in sorted(first, key=lambda a: a.seconds))
    )
    # Each worker waits the connect timeout once; nobody waits behind it for more.
    assert max(answer.seconds for answer in first) < CONNECT_TIMEOUT + 1

    during = site.load(WINDOW + 1)  # Into each worker's first retry, which hangs 2 s.
    assert_friendly(during["pages"])
    assert all(answer.status == 200 for answer in during["static"])
    assert all(answer.status == 503 for answer in during["ready"])
    assert all(answer.status == 200 for answer in during["live"])
    figure(f"black hole, after the first failed connect: pages {summary(during['pages'])}")
    figure(f"black hole: static {summary(during['static'])}")
    figure(
        f"black hole: /health/ready/ 503 {summary(during['ready'])}; "
        f"/health/live/ 200 {summary(during['live'])}"
    )
    assert percentile([a.seconds for a in during["pages"]], 0.99) < 0.1
    assert percentile([a.seconds for a in during["static"]], 0.99) < 0.1
    # The probe only has to answer within the balancer's check (deploy/haproxy.cfg:
    # inter 1s). One that lands on a worker in its bounded retry waits behind it: 0.27 s
    # was seen on a quiet machine, so 0.1 s here measured luck, not the promise.
    assert percentile([a.seconds for a in during["ready"]], 0.99) < 1.0

    site.database.relay()
    recovered = site.recovery(time.monotonic())
    figure(f"black hole: recovery {recovered:.2f}s after the database returned (window {WINDOW}s)")
    assert recovered <= WINDOW


def test_a_closed_database_port_answers_503_at_once_and_recovers(served):
    site = served
    site.database.close()
    first = site.burst(3 * WORKERS)
    assert_friendly(first)
    during = site.load(1)
    assert_friendly(during["pages"])
    assert all(answer.status == 503 for answer in during["ready"])
    assert all(answer.status == 200 for answer in during["live"])
    figure(
        f"closed port: first burst max {max(a.seconds for a in first) * 1000:.1f}ms; "
        f"pages {summary(during['pages'])}"
    )
    # A refused connect costs no timeout, not even the first.
    assert max(answer.seconds for answer in first + during["pages"]) < 1
    site.database.relay()
    recovered = site.recovery(time.monotonic())
    figure(f"closed port: recovery {recovered:.2f}s after the database returned (window {WINDOW}s)")
    assert recovered <= WINDOW


def test_a_frozen_connection_is_released_within_seconds(served, netns):
    if netns is None:
        pytest.skip("a frozen connection needs a network namespace: run as root with iproute2")
    site = served
    # Every worker holds a connection through the proxy (CONN_MAX_AGE keeps it).
    assert {answer.status for answer in site.burst(4 * WORKERS)} <= {200, 302}
    site.database.freeze()
    frozen = site.burst(3 * WORKERS)
    assert_friendly(frozen)
    seconds = sorted(answer.seconds for answer in frozen)
    figure("frozen connections released after " + ", ".join(f"{s:.2f}s" for s in seconds))
    # tcp_user_timeout cut them (not gunicorn's 30 s): the requests that met one
    # waited about that long, and all were answered within the 10 s.
    assert seconds[-1] < 10
    assert seconds[-1] > TCP_USER_TIMEOUT - 1
    during = site.load(1)
    assert_friendly(during["pages"])
    assert all(answer.status == 503 for answer in during["ready"])
    assert all(answer.status == 200 for answer in during["live"])
    site.database.relay()
    recovered = site.recovery(time.monotonic())
    figure(f"frozen: recovery {recovered:.2f}s after the network returned (window {WINDOW}s)")
    assert recovered <= WINDOW


def test_a_connection_frozen_while_it_waits_for_an_answer_is_cut_by_keepalives(served, netns):
    """The query's bytes were acknowledged before the freeze: only keepalives (whose
    probes then go unanswered) can tell a silent server from a slow query."""
    if netns is None:
        pytest.skip("a frozen connection needs a network namespace: run as root with iproute2")
    params = {**connection.get_connection_params(), "host": netns.address}
    params["port"] = served.database.port
    waiting = psycopg2.connect(**params)
    outcome = {}

    def query():
        started = time.monotonic()
        try:
            with waiting.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(3)")
        except psycopg2.OperationalError as error:
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=query)
    thread.start()
    time.sleep(0.5)
    served.database.freeze()
    thread.join(timeout=15)
    waiting.close()
    figure(f"frozen while waiting for an answer: cut after {outcome.get('seconds', 15):.2f}s")
    assert "error" in outcome
    assert outcome["seconds"] < 10


def test_readiness_ignores_redis_and_the_outbox_which_health_reports(served, settings):
    site = served
    # Plain HTTP from the balancer under the HTTPS settings: answered, not redirected.
    assert site.get("/", https=False).status == 301
    for path in ("/health/live/", "/health/ready/", "/health/"):
        assert site.get(path, https=False).status == 200, path

    site.redis.close()
    ready = [site.get("/health/ready/", https=False) for _ in range(10)]
    health = site.get("/health/", https=False)
    assert all(answer.status == 200 for answer in ready)
    assert health.status == 503 and b'"cache": {"ok": false}' in health.body
    pages = [site.page(n) for n in range(2 * len(PAGES))]
    assert all(answer.status in (200, 302) for answer in pages)
    figure(f"redis down: /health/ready/ 200 ({summary(ready)}); /health/ 503; pages served")
    site.redis.relay()

    inquiry = queue_a_consultation()
    limit = settings.HEALTH_MAX_OUTBOX_AGE_SECONDS
    Notification.objects.filter(inquiry=inquiry).update(
        created_at=timezone.now() - timedelta(seconds=limit + 60)
    )
    ready = [site.get("/health/ready/", https=False) for _ in range(10)]
    health = site.get("/health/", https=False)
    assert all(answer.status == 200 for answer in ready)
    assert health.status == 503 and b'"outbox": {"ok": false' in health.body
    figure(f"outbox {limit + 60}s old: /health/ready/ 200 ({summary(ready)}); /health/ 503")
