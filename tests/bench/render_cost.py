"""Benchmark: what an uncached page costs to render, in ms of CPU, as the catalogue grows.

Run by `make bench`. In one process, with production settings on PostgreSQL and the
page cache off, the home page and the catalogue are requested through the WSGI
handler (every middleware, no network): first with the flyer seed (25 duties), then
with 30 bureaus x 10 duties more (325). Each figure is the median of 3 runs of
BENCH_RENDER_REQUESTS requests; CPU is this process's (time.process_time), and the
wall-clock time beside it also holds the waits for PostgreSQL.
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kouryu_bench_render"
)
from tests.bench import serving  # noqa: E402  (reads BENCH_DATABASE_URL)

REQUESTS = int(os.environ.get("BENCH_RENDER_REQUESTS", "100"))
RUNS = 3


def environ(path):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }


def cost(handler, path):
    """(CPU ms, wall ms) per request: the medians of RUNS runs' means."""
    statuses = set()

    def start_response(status, headers):
        statuses.add(status)

    def run(count):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(count):
            response = handler(environ(path), start_response)
            b"".join(response)
            response.close()
        return (
            (time.process_time() - cpu) * 1000 / count,
            (time.perf_counter() - wall) * 1000 / count,
        )

    run(10)  # Connections, compiled templates and translations in place.
    runs = [run(REQUESTS) for _ in range(RUNS)]
    assert statuses == {"200 OK"}, statuses
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main():
    serving.prepare_database(grow=False)
    os.environ.update(serving.environment(PAGE_CACHE_SECONDS="0"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from bureaus.models import Duty

    handler = WSGIHandler()
    rows = []
    for grown in (False, True):
        duties = Duty.objects.live().count()
        for page, path in (("home", "/"), ("catalogue", "/bureaus/")):
            rows.append((page, duties, *cost(handler, path)))
        if not grown:
            exec(serving.GROW_CATALOGUE)  # The same catalogue as tests/bench/serving.py's.
    print(
        f"uncached render, in process (WSGI handler, every middleware, page cache off), "
        f"median of {RUNS} runs x {REQUESTS} requests"
    )
    print(f"{'page':<12}{'duties':>8}{'CPU ms':>10}{'wall ms':>10}")
    for page, duties, cpu, wall in rows:
        print(f"{page:<12}{duties:>8}{cpu:>10.2f}{wall:>10.2f}")


if __name__ == "__main__":
    main()
