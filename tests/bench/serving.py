"""Benchmark: what the middleware stack, rendering and the page cache cost, under wrk.

Run by `make bench`. Starts gunicorn (config/gunicorn.py) on PostgreSQL with the
flyer seed plus a generated catalogue of 30 bureaus x 10 duties and measures,
in one run on this machine:

  A  the home page's bytes as a static file served by whitenoise
  B  the same bytes from a minimal Django view, through every middleware
  C  the home and catalogue pages with the page cache off
  D  the same pages with the page cache warm

and prints req/s, p50 and p99 for each, the ratios B/A, C/B and D/B, the p99 of
C at half its saturation rate (an open-loop paced client), and each public
page's weight (HTML + CSS + JS, gzip-compressed).
"""

import gzip
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
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


def prepare_database():
    name = DATABASE.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    manage("migrate", "--no-input", "-v0")
    manage(
        "shell",
        "-c",
        "from bureaus.models import Bureau, Duty, Theme\n"
        "theme = Theme.objects.create(slug='bench', name_ja='計測', name_en='Bench')\n"
        "for b in range(30):\n"
        "    bureau = Bureau.objects.create(slug=f'bench-{b}', name_ja=f'計測局{b}', name_en=f'Bench Bureau {b}',"
        " contact_section_ja='総務部総務課', phone='03-5388-0000', order=1000 + b)\n"
        "    for d in range(10):\n"
        "        duty = Duty.objects.create(bureau=bureau, slug=f'duty-{d}', title_ja=f'計測用の業務内容例 {b}-{d}',"
        " title_en=f'Bench duty {b}-{d}', order=d)\n"
        "        duty.themes.add(theme)\n",
    )
    manage("collectstatic", "--no-input", "-v0")


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
                urllib.request.urlopen(BASE + "/health/", timeout=1)
                return
            except urllib.error.HTTPError as error:
                self.stop()
                raise RuntimeError(
                    f"/health/ answered {error.code}: {error.read()[:300]!r}"
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


def paced_p99(path, rate, seconds=8):
    """p99 latency in ms of requests sent at a fixed rate, whatever the answers take."""
    latencies, lock, threads = [], threading.Lock(), []

    def one():
        started = time.perf_counter()
        urllib.request.urlopen(BASE + path, timeout=10).read()
        with lock:
            latencies.append((time.perf_counter() - started) * 1000)

    begin = time.perf_counter()
    for index in range(int(rate * seconds)):
        delay = begin + index / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return statistics.quantiles(latencies, n=100)[98]


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


def main():
    prepare_database()
    workdir = Path(tempfile.mkdtemp(prefix="kouryu-bench-"))
    reference = workdir / "home.html"
    warm = Server(PAGE_CACHE_SECONDS="600", DJANGO_ROOT_URLCONF="config.urls")
    try:
        reference.write_bytes(urllib.request.urlopen(BASE + "/").read())
    finally:
        warm.stop()
    static_copy = ROOT / "staticfiles" / "bench-home.html"
    static_copy.write_bytes(reference.read_bytes())

    common = {"DJANGO_ROOT_URLCONF": "tests.bench.urls", "BENCH_REFERENCE_FILE": str(reference)}
    results = {}
    server = Server(PAGE_CACHE_SECONDS="0", **common)
    try:
        results["A static file"] = wrk("/static/bench-home.html")
        results["B minimal view"] = wrk("/bench/reference/")
        results["C home, uncached"] = wrk("/")
        results["C catalogue, uncached"] = wrk("/bureaus/")
        half = {
            name: results[name]["rate"] / 2
            for name in ("C home, uncached", "C catalogue, uncached")
        }
        paced = {
            "home": paced_p99("/", half["C home, uncached"]),
            "catalogue": paced_p99("/bureaus/", half["C catalogue, uncached"]),
        }
    finally:
        server.stop()
    server = Server(PAGE_CACHE_SECONDS="600", **common)
    try:
        for path in ("/", "/bureaus/"):
            urllib.request.urlopen(BASE + path).read()
        results["D home, cache warm"] = wrk("/")
        results["D catalogue, cache warm"] = wrk("/bureaus/")
        weights = page_weights()
    finally:
        server.stop()
        static_copy.unlink(missing_ok=True)

    print(
        f"wrk -t2 -c{CONNECTIONS} -d{DURATION}s, gunicorn {os.cpu_count()} cores, seed + 30x10 catalogue"
    )
    print(f"{'case':<26}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, row in results.items():
        print(f"{name:<26}{row['rate']:>10.0f}{row['p50']:>10.2f}{row['p99']:>10.2f}")
    b = results["B minimal view"]["rate"]
    print(f"B/A = {b / results['A static file']['rate']:.2f}  (the price of the middleware stack)")
    for page in ("home", "catalogue"):
        c = results[f"C {page}, uncached"]["rate"]
        d = results[f"D {page}, cache warm"]["rate"]
        print(f"{page}: C/B = {c / b:.2f} (target >= 0.4)   D/B = {d / b:.2f} (target >= 0.8)")
        print(
            f"{page}: p99 of C at half its saturation ({half[f'C {page}, uncached']:.0f} req/s) = {paced[page]:.1f} ms (target <= 50)"
        )
    print("page weight (HTML + CSS + JS, gzip), third-party origins:")
    for path, kilobytes, third_party in weights:
        print(f"  {path:<42}{kilobytes:>7.1f} KB   {third_party}")


if __name__ == "__main__":
    main()
