"""The production entry point: gunicorn with config/gunicorn.py, and its warm-up."""

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import engines

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture(scope="module")
def gunicorn_site(tmp_path_factory):
    """gunicorn serving the migrated, seeded site from its own SQLite file.

    Workers are recycled every 20 requests, so the requests below also reach
    workers forked after start-up.
    """
    port = free_port()
    logs = tmp_path_factory.mktemp("logs")
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_COLLECTED_STATIC": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('serve') / 'site.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_MAX_REQUESTS": "20",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": str(logs / "access.log"),
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    errors = (logs / "error.log").open("wb")
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=errors,
        stderr=errors,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/health/ready/", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                os.killpg(server.pid, signal.SIGKILL)
                pytest.fail(f"gunicorn did not start: {(logs / 'error.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield SimpleNamespace(url=base, logs=logs)
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    errors.close()


def test_gunicorn_serves_every_page_kind_through_worker_recycling(gunicorn_site):
    pages = {
        "/": "交流受入",
        "/bureaus/": "水素",
        "/en/bureaus/": "Bureau of Environment",
        "/bureaus/environment/": "環境局",
        "/consultation/": "事前相談",
        "/health/": '"database"',
        "/health/ready/": '"ready"',
        "/health/live/": '"alive"',
    }
    for _round in range(8):  # 64 requests: each worker is replaced at least once.
        for path, text in pages.items():
            with urllib.request.urlopen(gunicorn_site.url + path, timeout=10) as response:
                assert response.status == 200, path
                assert text in response.read().decode(), path
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(gunicorn_site.url + "/no-such-page/", timeout=10)
    assert missing.value.code == 404


def test_no_log_line_of_gunicorn_or_the_site_carries_a_status_link_s_secret(gunicorn_site):
    token = secrets.token_urlsafe(32)
    for prefix in ("", "/en"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(
                f"{gunicorn_site.url}{prefix}/consultation/status/{token}/", timeout=10
            )
        assert missing.value.code == 404
    time.sleep(0.5)  # The access log is written after the response.
    access = (gunicorn_site.logs / "access.log").read_text()
    errors = (gunicorn_site.logs / "error.log").read_text()
    assert access.count("/consultation/status/[redacted]/") == 2
    assert "Not Found: /consultation/status/[redacted]/" in errors
    assert token not in access + errors


def test_the_warm_up_compiles_every_project_template_and_reads_no_database():
    from core.warmup import warm_up

    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    # No django_db mark: pytest-django makes any database access here an error, as
    # a connection opened in the gunicorn master must not be shared by its workers.
    warm_up()
    templates = ROOT / "templates"
    names = {path.relative_to(templates).as_posix() for path in templates.rglob("*.html")}
    assert names and names <= set(loader.get_template_cache)


def test_gunicorn_warms_up_and_freezes_the_master_before_forking(monkeypatch):
    import gc

    import config.gunicorn
    import core.warmup

    calls = []
    monkeypatch.setattr(core.warmup, "warm_up", lambda: calls.append("warm_up"))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    assert config.gunicorn.preload_app is True
    config.gunicorn.when_ready(server=None)
    assert calls == ["warm_up", "freeze"]
