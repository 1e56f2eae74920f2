"""Benchmark: the pre-consultation submit, and the outbox worker, with the mail server
up, refusing, or hanging.

Run by `make bench`. Each scenario submits the same request N times through
Django's test client against a fresh SQLite database (or DATABASE_URL), then runs
one pass of the worker over the mails queued: to an aiosmtpd server (up), to a
closed port (refusing), and to a socket that accepts but never answers (hanging).
The request only queues its mails, so its latency must not follow the mail
server; the worker's pass is bounded by EMAIL_TIMEOUT per operation and
EMAIL_DEADLINE per call. Figures are medians and ratios from one run.
"""

import os
import re
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "30"))
TIMEOUT = 1
DEADLINE = 2


def configure():
    workdir = tempfile.mkdtemp(prefix="kouryu-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.update(
        DJANGO_SECRET_KEY="bench-only-" + "b" * 40,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_HTTPS="false",
        DJANGO_COLLECTED_STATIC="false",
        DJANGO_LOG_LEVEL="ERROR",
        CONSULTATION_MIN_FILL_SECONDS="0",
        CONSULTATION_SUBMISSIONS_PER_HOUR="1000",
        EMAIL_DELIVERY="smtp",
        EMAIL_TIMEOUT=str(TIMEOUT),
        EMAIL_DEADLINE=str(DEADLINE),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def point_mail_at(port):
    from django.conf import settings

    settings.MAILERS["default"]["OPTIONS"].update(host="127.0.0.1", port=port)


def submit_once(data):
    """One applicant's three steps; returns the seconds the final POST took."""
    from django.test import Client

    client = Client()
    assert client.post("/consultation/", data).status_code == 302
    page = client.get("/consultation/confirm/").content.decode()
    token = re.search(r'name="draft" value="([^"]+)"', page).group(1)
    started = time.perf_counter()
    response = client.post("/consultation/confirm/", {"draft": token})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302 and response.url == "/consultation/done/", response
    return elapsed


def run(label, port, data):
    """The submits' median in ms, and one worker pass over what they queued, in s."""
    from applications.outbox import deliver_notifications

    point_mail_at(port)
    timings = [submit_once(data) for _ in range(SUBMISSIONS)]
    median = statistics.median(timings) * 1000
    worst = max(timings) * 1000
    started = time.perf_counter()
    sent = deliver_notifications(limit=3 * SUBMISSIONS)
    worker = time.perf_counter() - started
    print(
        f"{label:<22} submit median {median:7.1f} ms  max {worst:7.1f} ms   "
        f"worker pass {worker:6.2f} s ({sent} sent)"
    )
    return median, worker


def main():
    configure()
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from tests.applications.helpers import form_data

    data = form_data()
    from tests.conftest import free_port

    up_port, refusing_port = free_port(), free_port()
    server = Controller(Sink(), hostname="127.0.0.1", port=up_port)
    server.start()
    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(100)
    try:
        print(
            f"POST /consultation/confirm/, {SUBMISSIONS} submissions each, "
            f"EMAIL_TIMEOUT={TIMEOUT}s, EMAIL_DEADLINE={DEADLINE}s"
        )
        up, _ = run("mail server up", up_port, data)
        refusing, _ = run("mail server refusing", refusing_port, data)
        hung, hung_worker = run("mail server hanging", hanging.getsockname()[1], data)
    finally:
        server.stop()
        hanging.close()
    print(f"submit: refusing / up = {refusing / up:.2f}   hanging / up = {hung / up:.2f}")
    print(
        f"submit: hanging / timeout = {hung / (TIMEOUT * 1000):.3f} "
        "(no longer tracks the timeout: the request never talks SMTP)"
    )
    print(f"worker pass against the hanging server / deadline = {hung_worker / DEADLINE:.2f}")
    from applications.models import Notification

    pending = Notification.objects.filter(state="pending").count()
    print(
        f"notifications left pending for the worker: {pending} (of {Notification.objects.count()})"
    )


if __name__ == "__main__":
    main()
