"""Scale-out test: two stateless app servers behind a real load balancer.

HAProxy (Debian's, run from deploy/haproxy.cfg as README shows it) terminates TLS in
front of two gunicorn servers (config/gunicorn.py, production settings) on one
PostgreSQL database, behind a TCP proxy this test can close, and one Redis; two
outbox workers (`send_notifications --loop`) deliver to a real SMTP server on
loopback. HAProxy probes each server's /health/ready/.

- a content edit in admin on server 1 shows on server 2's pages at once;
- a visitor served by either server in turn keeps session, shortlist and draft;
- the submission limit and the login lockout count across both servers;
- one server killed during 100 submissions: nothing stored twice, nothing that
  reached its done page lost, catalogue GETs all answered, every mail sent once;
- PostgreSQL unreachable: both servers unready, HAProxy answers the site's 503.

Requests "to a server" go straight to that gunicorn with the headers HAProxy adds
(X-Forwarded-Proto, X-Forwarded-For), so that the test chooses which server answers;
requests "through the balancer" go to HAProxy over TLS, each visitor from an
address of its own on loopback (127.0.x.y), as HAProxy's X-Forwarded-For then
tells the servers.
"""

import contextlib
import http.client
import os
import re
import secrets
import ssl
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

from applications.models import Inquiry, Notification, NotificationState
from bureaus.models import Duty
from core import publishing
from tests import servers
from tests.applications.helpers import form_data
from tests.conftest import IN_CI, free_port
from tests.core.support import REDIS_LOCATION, UNAVAILABLE_JA
from tests.faultproxy import FaultProxy
from tests.visitor import Browser, FormFields, dict_of, hidden

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A Redis database of this test's own: it is flushed before every test.
_redis = urlsplit(REDIS_LOCATION)
SCALE_REDIS_URL = os.environ.get(
    "SCALE_REDIS_URL", f"redis://{_redis.hostname}:{_redis.port or 6379}/11"
)
WORKERS_PER_SERVER = 2
HYDROGEN = "/bureaus/environment/hydrogen-society/"
CATALOGUE = ["/bureaus/", "/en/bureaus/", "/bureaus/environment/", HYDROGEN]
PASSWORD = "correct-horse-battery-12"
SUBMISSIONS = 100
KILL_AFTER = 30  # Done pages before server 2 is killed.
FAILED = {502, 503, 504}  # What a balancer answers when a server failed under a request.


FIGURES = []  # Printed at the end of the run (tests/conftest.py).


def figure(line):
    FIGURES.append(line)
    print(f"SCALE {line}")


# --- The stack: PostgreSQL proxy, Redis, two app servers, two workers, SMTP, HAProxy. --


@dataclass
class AppServer:
    name: str
    port: int
    log: Path
    env: dict
    control_socket: Path
    process: subprocess.Popen = None

    def start(self):
        self.process = servers.start_gunicorn(
            env=self.env, log=self.log, control_socket=self.control_socket
        )
        servers.wait_until(
            lambda: probe(self.port, "/health/ready/") == 200,
            process=self.process,
            describe=lambda: servers.log_tail(self.log),
        )

    def running(self):
        return self.process is not None and self.process.poll() is None


def probe(port, path):
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection_.request("GET", path)
        return connection_.getresponse().status
    finally:
        connection_.close()


@dataclass
class Stack:
    host: str
    port: int
    tls: ssl.SSLContext
    socket_path: Path
    servers: dict
    database: FaultProxy
    mailbox: object
    errorfile: bytes
    haproxy: subprocess.Popen = None
    workers: list = field(default_factory=list)

    def states(self):
        """Each app server's state as HAProxy sees it: "UP" or "DOWN"."""
        return servers.balancer_states(self.socket_path)

    def wait_for_states(self, expected, timeout=20):
        servers.wait_until(
            lambda: self.states() == expected,
            process=self.haproxy,
            timeout=timeout,
            describe=lambda: f"HAProxy sees {self.states()}, not {expected}",
        )

    def ensure_running(self):
        """Both servers up and in rotation, the database reachable (a test that
        failed half-way may have left one killed or the proxy closed)."""
        self.database.relay()
        for server in self.servers.values():
            if not server.running():
                server.start()
        self.wait_for_states({"app1": "UP", "app2": "UP"})


def other_sessions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def flush_redis():
    import redis

    redis.Redis.from_url(SCALE_REDIS_URL, socket_connect_timeout=1).flushdb()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("the scale-out test runs against PostgreSQL (CI runs one)")
    if not os.path.exists(servers.HAPROXY):
        pytest.skip(f"{servers.HAPROXY} is missing: apt-get install -y haproxy")
    import logging

    import redis
    from aiosmtpd.controller import Controller

    from tests.applications.mail_server import Mailbox

    with django_db_blocker.unblock():
        before = other_sessions()
    try:
        flush_redis()
    except redis.RedisError:
        if IN_CI:
            raise
        pytest.skip(f"no Redis answers at {SCALE_REDIS_URL} (CI runs one)")
    folder = tmp_path_factory.mktemp("scale")
    params = dict(connection.settings_dict)
    postgres = (params["HOST"] or "127.0.0.1", int(params["PORT"] or 5432))
    port = free_port()
    host = f"127.0.0.1:{port}"
    mailbox = Mailbox()
    # aiosmtpd logs every command at INFO; a failing test's report needs none of it.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    database = FaultProxy(postgres)
    common = servers.behind_balancer(
        DATABASE_URL=servers.database_url(params, host=database.host, port=database.port),
        DATABASE_RETRY_SECONDS="1",
        REDIS_URL=SCALE_REDIS_URL,
        # One secret and one release for every server of the deployment (README).
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        RELEASE_ID="scale-test",
        DJANGO_SITE_URL=f"https://{host}",
        CONSULTATION_MIN_FILL_SECONDS="0",
        WEB_CONCURRENCY=str(WORKERS_PER_SERVER),
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_DELIVERY="smtp",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
    )
    started = Stack(
        host=host,
        port=port,
        tls=None,
        socket_path=None,
        servers={},
        database=database,
        mailbox=mailbox,
        errorfile=b"",
    )
    try:
        smtp.start()
        errorfile = folder / "503.http"
        started.errorfile = servers.write_errorfile(common, errorfile)
        for number in (1, 2):
            name = f"app{number}"
            started.servers[name] = AppServer(
                name=name,
                port=free_port(),
                log=folder / f"{name}.log",
                env=dict(common),
                control_socket=folder / f"{name}.ctl",
            )
            server = started.servers[name]
            server.env["GUNICORN_BIND"] = f"127.0.0.1:{server.port}"
            server.start()
        # The workers reach PostgreSQL directly: the proxy stands for the app
        # servers' link to it.
        worker_env = {**common, "DATABASE_URL": servers.database_url(params)}
        for number in (1, 2):
            started.workers.append(
                servers.start(
                    [
                        servers.PYTHON,
                        "manage.py",
                        "send_notifications",
                        "--loop",
                        "--interval",
                        "0.5",
                        "-v0",
                    ],
                    env=worker_env,
                    log=folder / f"worker{number}.log",
                )  # fmt: skip
            )
        started.haproxy, started.socket_path, started.tls = servers.start_haproxy(
            folder=folder,
            bind=host,
            apps=[f"127.0.0.1:{server.port}" for server in started.servers.values()],
            errorfile=errorfile,
        )
        servers.wait_until(
            lambda: started.states() == {"app1": "UP", "app2": "UP"},
            process=started.haproxy,
            describe=lambda: servers.log_tail(folder / "haproxy.log"),
        )
        yield started
    finally:
        for process in [started.haproxy, *started.workers]:
            if process is not None:
                servers.stop(process)
        for server in started.servers.values():
            if server.process is not None:
                servers.stop(server.process)
        database.stop()
        with contextlib.suppress(Exception):
            smtp.stop()
        # PostgreSQL ends a backend a moment after its client went: wait, so that the
        # test database can be dropped at the end of the run. (Sessions open before,
        # such as the live server's of the browser tests, are not this stack's.)
        with django_db_blocker.unblock():
            servers.wait_until(
                lambda: other_sessions() <= before, timeout=10, describe=other_sessions
            )
        with contextlib.suppress(Exception):
            flush_redis()


@pytest.fixture
def site(stack):
    """The stack with both servers in rotation, an empty Redis and an empty mailbox."""
    stack.ensure_running()
    flush_redis()
    stack.mailbox.received.clear()
    return stack


# --- What visitors and staff do. ---------------------------------------------------------


def submission(browser, number, *, server_of=lambda step: None):
    """The three steps of a pre-consultation request; ``server_of(step)`` says which
    server answers each request (None: the balancer). Returns the done page."""
    form = browser.get("/consultation/", server=server_of(0))
    assert form.status == 200, form.status
    data = form_data(
        company_name=f"計測株式会社 {number}",
        email=f"visitor-{number}@scale.example",
        started=hidden("started", form.text),
    )
    answer = browser.post("/consultation/", data, server=server_of(1))
    assert (answer.status, answer.location) == (302, "/consultation/confirm/"), answer.status
    confirm = browser.get("/consultation/confirm/", server=server_of(2))
    assert confirm.status == 200, confirm.status
    answer = browser.post(
        "/consultation/confirm/", {"draft": hidden("draft", confirm.text)}, server=server_of(3)
    )
    assert (answer.status, answer.location) == (302, "/consultation/done/"), answer.status
    return browser.get("/consultation/done/", server=server_of(4))


def reference_on(page):
    return re.search(r'class="reference" translate="no">([^<]+)<', page).group(1)


def admin_login(browser, server, django_user_model, username="jinji"):
    """HR staff signed in on ``server``: password, then the TOTP code."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = django_user_model.objects.create_superuser(
        username, f"{username}@kouryu.metro.tokyo.example", PASSWORD
    )
    device = TOTPDevice.objects.create(user=user, name="管理画面ログイン", confirmed=True)
    browser.get("/admin/login/", server=server)
    answer = browser.post(
        "/admin/login/",
        {"username": username, "password": PASSWORD, "next": "/admin/"},
        server=server,
    )
    assert answer.status == 302, answer.status
    # Admin sends staff who gave only their password on to the TOTP step.
    assert "/admin/otp/verify/" in staff_page_location(browser, server)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    answer = browser.post(
        "/admin/otp/verify/",
        {"token": f"{code:0{device.digits}d}", "next": "/admin/"},
        server=server,
    )
    assert (answer.status, answer.location) == (302, "/admin/"), answer.text[:2000]


def staff_page_location(browser, server):
    return browser.get("/admin/", server=server).location


# --- The tests. ----------------------------------------------------------------------------


def test_a_content_edit_on_one_server_shows_on_the_other_s_pages_at_once(site, django_user_model):
    visitor = Browser(site)
    duty = Duty.objects.get(slug="hydrogen-society")
    old_title = duty.title_ja
    # Server 2 renders and stores the pages (in Redis); the balancer serves them too.
    for path in (HYDROGEN, "/bureaus/"):
        assert old_title in visitor.get(path, server="app2").text
        assert old_title in visitor.get(path).text
    assert site.states() == {"app1": "UP", "app2": "UP"}

    staff = Browser(site, "198.51.100.20")
    admin_login(staff, "app1", django_user_model)
    change = f"/admin/bureaus/duty/{duty.pk}/change/"
    page = staff.get(change, server="app1")
    assert page.status == 200
    parser = FormFields("duty_form")
    parser.feed(page.text)
    new_title = f"{old_title}（改訂 {secrets.token_hex(3)}）"
    fields = [(n, new_title if n == "title_ja" else v) for n, v in parser.fields]
    assert ("title_ja", new_title) in fields
    fields.append(("_save", "保存"))
    answer = staff.request("POST", change, dict_of(fields), server="app1")
    assert answer.status == 302, answer.text[:3000]

    # A change to a live duty waits as a draft (issue 17): neither server shows it yet.
    # The editor asks for review on server 1, a second person approves on server 2.
    assert old_title + "<" in visitor.get(HYDROGEN, server="app2").text
    publication = f"/admin/bureaus/duty/{duty.pk}/publication/"
    answer = staff.post(publication, {"action": "ask"}, server="app1")
    assert answer.status == 302, answer.text[:3000]
    approver = Browser(site, "198.51.100.21")
    admin_login(approver, "app2", django_user_model, username="shonin")
    assert approver.get(publication, server="app2").status == 200
    fields = {"action": "approve", "publish_starts_at": "", "publish_ends_at": "", "comment": ""}
    answer = approver.post(publication, fields, server="app2")
    assert answer.status == 302, answer.text[:3000]
    assert publishing.open_version(duty) is None

    # Approved: at once, with no wait for any cache to expire.
    for path in (HYDROGEN, "/bureaus/"):
        on_two = visitor.get(path, server="app2")
        assert new_title in on_two.text and old_title + "<" not in on_two.text, path
        assert new_title in visitor.get(path).text, path


def test_a_visitor_served_by_either_server_in_turn_keeps_session_shortlist_and_draft(site):
    visitor = Browser(site)
    turns = ["app1", "app2"]
    assert visitor.get("/bureaus/", server="app1").status == 200
    for index, duty in enumerate(["environment/hydrogen-society", "audit/audits"]):
        answer = visitor.post("/shortlist/add/", {"duty": duty}, server=turns[index % 2])
        assert answer.status == 302, answer.status
    for server in turns:
        shortlist = visitor.get("/shortlist/", server=server).text
        assert "水素" in shortlist and "監査" in shortlist, server

    done = submission(visitor, 1, server_of=lambda step: turns[step % 2])
    assert done.status == 200
    reference = reference_on(done.text)
    assert Inquiry.objects.get(reference=reference).email == "visitor-1@scale.example"
    # The draft was kept between the servers: the confirm page on server 1 showed what
    # server 2 took, and the done page on server 1 knows what server 2 stored.
    again = visitor.get("/consultation/done/", server="app2")
    assert reference_on(again.text) == reference
    assert "水素" in visitor.get("/shortlist/", server="app2").text


def test_the_submission_limit_and_the_login_lockout_count_across_both_servers(
    site, django_user_model, settings
):
    visitor = Browser(site, "198.51.100.30")
    turns = ["app1", "app2"]
    per_hour = settings.CONSULTATION_SUBMISSIONS_PER_HOUR
    for number in range(per_hour):
        assert (
            submission(
                visitor, number, server_of=lambda step, n=number: turns[(n + step) % 2]
            ).status
            == 200
        )
    # The next one, on either server, gets the 429 page at the confirm step.
    for server in turns:
        form = visitor.get("/consultation/", server=server)
        data = form_data(email="one-more@scale.example", started=hidden("started", form.text))
        assert visitor.post("/consultation/", data, server=server).status == 302
        confirm = visitor.get("/consultation/confirm/", server=server)
        answer = visitor.post(
            "/consultation/confirm/", {"draft": hidden("draft", confirm.text)}, server=server
        )
        assert answer.status == 429, (server, answer.status)
    assert Inquiry.objects.filter(email="one-more@scale.example").count() == 0
    # Another visitor (another address) is not held back.
    assert (
        submission(
            Browser(site, "198.51.100.31"), 99, server_of=lambda step: turns[step % 2]
        ).status
        == 200
    )

    django_user_model.objects.create_superuser(
        "jinji", "jinji@kouryu.metro.tokyo.example", PASSWORD
    )
    guesser = Browser(site, "198.51.100.40")
    guesser.get("/admin/login/", server="app1")
    failures = settings.AXES_FAILURE_LIMIT
    statuses = []
    for attempt in range(failures):
        answer = guesser.post(
            "/admin/login/",
            {"username": "jinji", "password": "wrong-guess", "next": "/admin/"},
            server=turns[attempt % 2],
        )
        statuses.append(answer.status)
    # Each server saw about half the failures; together they reached the limit.
    assert statuses[: failures - 1] == [200] * (failures - 1), statuses
    for server in turns:
        answer = guesser.post(
            "/admin/login/",
            {"username": "jinji", "password": PASSWORD, "next": "/admin/"},
            server=server,
        )
        assert answer.status == 429, (server, answer.status)
    # The same password from another address still works.
    colleague = Browser(site, "198.51.100.41")
    colleague.get("/admin/login/", server="app2")
    answer = colleague.post(
        "/admin/login/",
        {"username": "jinji", "password": PASSWORD, "next": "/admin/"},
        server="app2",
    )
    assert answer.status == 302


def test_a_server_killed_during_100_submissions_loses_and_doubles_nothing(site):
    answers = form_data()  # Read here: the visitors' threads stay off the database.
    done_pages = {}  # visitor number -> reference on its done page
    pressed_again = Counter()  # what visitors saw when a step failed and they sent it again
    catalogue = Counter()
    lock = threading.Lock()
    enough_done = threading.Event()
    finished = threading.Event()

    def visitor(number):
        # Each visitor connects from an address of its own (the limit is per address).
        browser = Browser(site, source=f"127.0.{1 + number // 200}.{1 + number % 200}")

        def step(method, path, form=None):
            for _attempt in range(4):
                try:
                    answer = browser.request(method, path, form)
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        pressed_again[type(error).__name__] += 1
                    continue
                if answer.status not in FAILED:
                    return answer
                with lock:
                    pressed_again[f"{method} {answer.status}"] += 1
            raise AssertionError(f"visitor {number}: {method} {path} failed four times")

        form = step("GET", "/consultation/")
        data = {
            **answers,
            "company_name": f"計測株式会社 {number}",
            "email": f"visitor-{number}@scale.example",
            "started": hidden("started", form.text),
        }
        assert step("POST", "/consultation/", data).status == 302
        confirm = step("GET", "/consultation/confirm/")
        answer = step("POST", "/consultation/confirm/", {"draft": hidden("draft", confirm.text)})
        assert (answer.status, answer.location) == (302, "/consultation/done/"), answer.status
        done = step("GET", "/consultation/done/")
        assert done.status == 200
        with lock:
            done_pages[number] = reference_on(done.text)
            if len(done_pages) >= KILL_AFTER:
                enough_done.set()

    def reader():
        browser = Browser(site, source="127.0.3.1")
        index = 0
        while not finished.is_set():
            try:
                status = browser.get(CATALOGUE[index % len(CATALOGUE)]).status
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
            with lock:
                catalogue[status] += 1
            index += 1

    reading = threading.Thread(target=reader)
    reading.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            results = [pool.submit(visitor, number) for number in range(SUBMISSIONS)]
            assert enough_done.wait(120), "no submissions went through"
            killed_at = len(done_pages)
            servers.kill(site.servers["app2"].process)
            errors = [future.exception() for future in results]
    finally:
        finished.set()
        reading.join()
    site.wait_for_states({"app1": "UP", "app2": "DOWN"})
    figure(
        f"killed app2 after {killed_at} done pages; {len(done_pages)} of {SUBMISSIONS} "
        f"reached their done page; sent again after a failure: {dict(pressed_again)}; "
        f"catalogue GETs: {dict(catalogue)}"
    )
    assert [error for error in errors if error] == []
    assert len(done_pages) == SUBMISSIONS
    # Stored exactly once each, every one that reached its done page.
    stored = Counter(
        Inquiry.objects.filter(email__endswith="@scale.example").values_list("email", flat=True)
    )
    assert stored == Counter(f"visitor-{number}@scale.example" for number in range(SUBMISSIONS))
    references = dict(Inquiry.objects.values_list("email", "reference"))
    for number, reference in done_pages.items():
        assert references[f"visitor-{number}@scale.example"] == reference
    # Catalogue GETs kept answering, the balancer retrying those the dead server dropped.
    assert set(catalogue) == {200}, catalogue
    assert catalogue[200] > 20

    # Each mail delivered exactly once by the two workers.
    queued = Notification.objects.filter(inquiry__email__endswith="@scale.example")
    assert queued.count() >= 2 * SUBMISSIONS
    servers.wait_until(
        lambda: not queued.exclude(state=NotificationState.SENT).exists(),
        timeout=60,
        describe=lambda: f"{queued.exclude(state=NotificationState.SENT).count()} mails unsent",
    )
    expected = Counter((n.recipient, n.subject) for n in queued)
    delivered = Counter(
        (rcpt, mail.decoded_subject) for mail in site.mailbox.received for rcpt in mail.rcpt_tos
    )
    assert max(expected.values()) == 1
    assert delivered == expected


def test_with_postgresql_unreachable_both_servers_turn_unready_and_the_balancer_answers_the_site_s_503(
    site,
):
    visitor = Browser(site)
    assert visitor.get("/").status == 200
    site.database.close()
    closed = time.monotonic()
    try:
        site.wait_for_states({"app1": "DOWN", "app2": "DOWN"})
        figure(
            f"database closed: both servers out of rotation after {time.monotonic() - closed:.1f} s"
        )
        for server in site.servers.values():
            assert probe(server.port, "/health/ready/") == 503
            assert probe(server.port, "/health/live/") == 200
        head, _, body = site.errorfile.partition(b"\r\n\r\n")
        for path in ("/", HYDROGEN, "/consultation/", "/static/css/site.css"):
            answer = visitor.get(path)
            assert answer.status == 503, path
            assert answer.text.encode() == body
            assert UNAVAILABLE_JA in answer.text
            assert answer.headers["Retry-After"] == "30"
            assert answer.headers["Cache-Control"] == "no-store"
            assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
        # The page HAProxy serves is the one the servers render themselves.
        direct = probe_page(site.servers["app1"].port, "/")
        assert direct == body
    finally:
        site.database.relay()
    site.wait_for_states({"app1": "UP", "app2": "UP"})
    figure(
        f"database back: both servers in rotation after {time.monotonic() - closed:.1f} s in all"
    )
    assert visitor.get("/").status == 200


def probe_page(port, path):
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection_.request(
            "GET", path, headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
        )
        response = connection_.getresponse()
        assert response.status == 503
        return response.read()
    finally:
        connection_.close()
