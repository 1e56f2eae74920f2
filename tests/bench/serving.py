"""Benchmark: what the middleware stack, rendering and the page cache cost, under wrk.

Run by `make bench`. Starts gunicorn (config/gunicorn.py) on PostgreSQL with the
flyer seed plus a generated catalogue of 30 bureaus x 10 duties and measures,
in one run on this machine:

  A  each page's bytes (home, catalogue) as a static file served by whitenoise
  B  the same bytes from a minimal Django view, through every middleware
  C  the home and catalogue pages with the page cache off
  D  the same pages with the page cache warm

and prints req/s, p50 and p99 for each, the ratios B/A, C/B and D/B, the p99 of
C at half its saturation rate (an open-loop paced client), and each public
page's weight (HTML + CSS + JS, gzip-compressed).
"""

import asyncio
import gzip
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
DURATION = os.environ.get("BENCH_SECONDS", "8")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
PACED_SECONDS = int(os.environ.get("BENCH_PACED_SECONDS", "15"))
DATABASE = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kouryu_bench")


def environment(**extra):
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_HTTPS="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL=DATABASE,
        DJANGO_LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        GUNICORN_ACCESS_LOG="/dev/null",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


SECRET = secrets.token_urlsafe(50)


def manage(*args, **extra):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=environment(**extra), check=True)


def prepare_database(grow=True):
    """A fresh database with the flyer seed, plus 30 bureaus x 10 duties when ``grow``
    (325 duties in all), and the collected static files."""
    name = DATABASE.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    manage("migrate", "--no-input", "-v0")
    if grow:
        manage("shell", "-c", GROW_CATALOGUE)
    manage("collectstatic", "--no-input", "-v0")


GROW_CATALOGUE = (
    "from bureaus.models import Bureau, Duty, Theme\n"
    "theme = Theme.objects.create(slug='bench', name_ja='計測', name_en='Bench')\n"
    "for b in range(30):\n"
    "    bureau = Bureau.objects.create(slug=f'bench-{b}', name_ja=f'計測局{b}', name_en=f'Bench Bureau {b}',"
    " contact_section_ja='総務部総務課', phone='03-5388-0000', order=1000 + b)\n"
    "    for d in range(10):\n"
    "        duty = Duty.objects.create(bureau=bureau, slug=f'duty-{d}', title_ja=f'計測用の業務内容例 {b}-{d}',"
    " title_en=f'Bench duty {b}-{d}', order=d)\n"
    "        duty.themes.add(theme)\n"
)


class Server:
    def __init__(self, **extra):
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=environment(**extra),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(BASE + "/health/ready/", timeout=1)
                return
            except urllib.error.HTTPError as error:
                self.stop()
                raise RuntimeError(
                    f"/health/ready/ answered {error.code}: {error.read()[:300]!r}"
                ) from None
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(path):
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", BASE + path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert not errors, f"{path}: {errors.group(0)}"

    def latency(percent):
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {"rate": rate, "p50": latency(50), "p99": latency(99)}


async def paced_latencies(path, rate, seconds):
    """Latencies in ms of GET requests sent at a fixed rate, whatever the answers take.

    An open-loop client: each request is due at its scheduled time and timed from
    then, so a server that falls behind is charged for the wait too (no
    coordinated omission). One connection per request, as gunicorn's sync workers
    close each after answering. asyncio keeps the client's own cost to a few per
    cent of a core, so it does not crowd the server out.
    """
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()

    async def one(due):
        await asyncio.sleep(max(0, due - time.perf_counter()))
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        writer.write(request)
        response = await reader.read()
        latency = (time.perf_counter() - due) * 1000
        writer.close()
        status = int(response.split(b" ", 2)[1])
        assert status == 200, f"{path}: {status}"
        return latency

    begin = time.perf_counter() + 0.5
    return await asyncio.gather(
        *(one(begin + index / rate) for index in range(int(rate * seconds)))
    )


def paced_p99(path, rate, seconds=PACED_SECONDS):
    """p99 latency in ms at a fixed rate (see paced_latencies)."""
    return statistics.quantiles(asyncio.run(paced_latencies(path, rate, seconds)), n=100)[98]


def page_weights():
    pages = ["/", "/bureaus/", "/bureaus/environment/", "/bureaus/environment/hydrogen-society/",
             "/how-to-apply/", "/consultation/", "/privacy/", "/en/", "/en/bureaus/"]  # fmt: skip
    rows = []
    for path in pages:
        html = urllib.request.urlopen(BASE + path).read()
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
        # Absolute links to this site itself (canonical, hreflang) are not third-party.
        third_party = [
            url
            for url in re.findall(
                rb'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', html
            )
            if not url.startswith(BASE.encode())
        ]
        weight = len(gzip.compress(html))
        for asset in assets:
            weight += len(gzip.compress(urllib.request.urlopen(BASE + asset.decode()).read()))
        rows.append((path, weight / 1024, len(third_party)))
    return rows


PAGES = {"home": "/", "catalogue": "/bureaus/"}


def main():
    prepare_database()
    references = Path(tempfile.mkdtemp(prefix="kouryu-bench-"))
    static_copies = []
    warm = Server(PAGE_CACHE_SECONDS="600")
    try:
        for page, path in PAGES.items():
            body = urllib.request.urlopen(BASE + path).read()
            (references / f"{page}.html").write_bytes(body)
            static_copies.append(ROOT / "staticfiles" / f"bench-{page}.html")
            static_copies[-1].write_bytes(body)
    finally:
        warm.stop()

    common = {
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "BENCH_REFERENCE_DIR": str(references),
    }
    results, half, paced = {}, {}, {}
    try:
        server = Server(PAGE_CACHE_SECONDS="0", **common)
        try:
            for page, path in PAGES.items():
                results[f"A {page}, static file"] = wrk(f"/static/bench-{page}.html")
                results[f"B {page}, minimal view"] = wrk(f"/bench/reference/{page}/")
                results[f"C {page}, uncached"] = wrk(path)
            for page, path in PAGES.items():
                half[page] = results[f"C {page}, uncached"]["rate"] / 2
                paced[page] = paced_p99(path, half[page])
        finally:
            server.stop()
        server = Server(PAGE_CACHE_SECONDS="600", **common)
        try:
            for page, path in PAGES.items():
                urllib.request.urlopen(BASE + path).read()
                results[f"D {page}, cache warm"] = wrk(path)
            weights = page_weights()
        finally:
            server.stop()
    finally:
        for copy in static_copies:
            copy.unlink(missing_ok=True)

    print(
        f"wrk -t2 -c{CONNECTIONS} -d{DURATION}s, gunicorn {os.cpu_count()} cores, seed + 30x10 catalogue"
    )
    print(f"{'case':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, row in sorted(results.items()):
        print(f"{name:<28}{row['rate']:>10.0f}{row['p50']:>10.2f}{row['p99']:>10.2f}")
    # Each page against a view and a static file serving that page's own bytes:
    # the catalogue is ten times the size of the home page.
    for page in PAGES:
        a, b, c, d = (
            results[f"{case} {page}, {label}"]["rate"]
            for case, label in (
                ("A", "static file"),
                ("B", "minimal view"),
                ("C", "uncached"),
                ("D", "cache warm"),
            )
        )
        print(
            f"{page}: B/A = {b / a:.2f} (the price of the middleware stack)   "
            f"C/B = {c / b:.2f}   D/B = {d / b:.2f} (target >= 0.8)"
        )
        print(
            f"{page}: p99 of C at half its saturation ({half[page]:.0f} req/s for "
            f"{PACED_SECONDS} s, open loop) = {paced[page]:.1f} ms (target <= 50)"
        )
    print("page weight (HTML + CSS + JS, gzip), third-party origins:")
    for path, kilobytes, third_party in weights:
        print(f"  {path:<42}{kilobytes:>7.1f} KB   {third_party}")


if __name__ == "__main__":
    main()
