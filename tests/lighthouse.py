"""`make lighthouse`: Lighthouse 12 (mobile preset) on the pages a visitor meets first.

Not part of `make test`. Serves the site as production does: gunicorn with
config/gunicorn.py, DEBUG off, files from `collectstatic` (compressed and
fingerprinted, served by whitenoise), PostgreSQL with the seed data. Runs
Lighthouse RUNS times on the home page, the catalogue, a duty page and the form
against Debian's Chromium, and prints the median score of each category per page
with the stylesheets' transfer size Lighthouse recorded, then the CSS a first visit
downloads: each stylesheet's bytes on the wire as whitenoise serves it to a browser
that accepts gzip and Brotli (Brotli only where the Brotli package made .br files).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

# The benchmark's server helpers (tests/bench/serving.py), on a port and a database of
# our own: they read them from the environment when imported.
os.environ.setdefault("BENCH_PORT", os.environ.get("LIGHTHOUSE_PORT", "8767"))
os.environ.setdefault(
    "BENCH_DATABASE_URL",
    os.environ.get(
        "LIGHTHOUSE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kouryu_lighthouse"
    ),
)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.bench.serving import BASE, DATABASE, ROOT, Server, environment, manage  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))
PAGES = {
    "home": "/",
    "catalogue": "/bureaus/",
    "duty": "/bureaus/environment/hydrogen-society/",
    "form": "/consultation/",
}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def prepare():
    """A database with the seed alone, and the static files collected."""
    name = DATABASE.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    manage("migrate", "--no-input", "-v0")
    manage("collectstatic", "--no-input", "-v0")


def lighthouse(url, report):
    """One run's scores (0-100) by category; a run Chromium did not trace is tried again."""
    for _attempt in range(3):
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--output=json",
                f"--output-path={report}",
                "--quiet",
                "--chrome-flags=--headless --no-sandbox --disable-gpu",
                f"--only-categories={','.join(CATEGORIES)}",
            ],
            cwd=ROOT,
            env=environment(CHROME_PATH=CHROMIUM),
            check=False,
        )
        try:
            result = json.loads(Path(report).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if result.get("runtimeError"):  # NO_NAVSTART and the like: run again.
            continue
        scores = {name: result["categories"][name]["score"] for name in CATEGORIES}
        if None not in scores.values():
            return {name: round(score * 100) for name, score in scores.items()}, result
    raise RuntimeError(f"Lighthouse gave no scores for {url} in 3 attempts")


class Stylesheets(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.links = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.links.append((attrs["href"], attrs.get("media", "all")))


def wire_bytes(path, encoding):
    request = urllib.request.Request(BASE + path, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return len(body), response.headers.get("Content-Encoding", "identity")


def css_on_the_wire():
    """Lines describing the home page's stylesheets as whitenoise serves them to a browser."""
    home = urllib.request.urlopen(BASE + "/", timeout=10).read().decode()
    lines, every, blocking = [], 0, 0
    for href, media in Stylesheets(home).links:
        size, encoding = wire_bytes(href, "gzip, deflate, br")
        plain, _identity = wire_bytes(href, "identity")
        every += size
        blocking += size if media == "all" else 0
        lines.append(
            f"  {href} (media {media}): {encoding} {size / 1024:.1f} KB of {plain / 1024:.1f} KB"
        )
    lines.append(
        f"  total {every / 1024:.1f} KB, of which render-blocking {blocking / 1024:.1f} KB"
    )
    return lines


def main():
    if not LIGHTHOUSE.exists():
        sys.exit("node_modules/.bin/lighthouse is missing: npm ci --ignore-scripts")
    prepare()
    server = Server()
    medians = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for page, path in PAGES.items():
                runs, stylesheets = [], []
                for number in range(RUNS):
                    report = Path(folder) / f"{page}-{number}.json"
                    scores, result = lighthouse(BASE + path, report)
                    runs.append(scores)
                    stylesheets.append(
                        sum(
                            item["transferSize"]
                            for item in result["audits"]["network-requests"]["details"]["items"]
                            if item.get("resourceType") == "Stylesheet"
                        )
                    )
                    print(f"{page} run {number + 1}: {scores}", flush=True)
                medians[page] = {
                    name: statistics.median(run[name] for run in runs) for name in CATEGORIES
                }
                medians[page]["css"] = statistics.median(stylesheets)
        css = css_on_the_wire()
    finally:
        server.stop()

    print(f"\nLighthouse 12 ({RUNS} runs per page, mobile preset, {CHROMIUM}): medians")
    print(f"{'page':<10}" + "".join(f"{name:>16}" for name in CATEGORIES) + "   CSS transferred")
    for page, scores in medians.items():
        print(
            f"{page:<10}"
            + "".join(f"{scores[name]:>16g}" for name in CATEGORIES)
            + f"   {scores['css'] / 1024:.1f} KB"
        )
    print("\nFirst-load CSS on the wire (the home page's stylesheets, as whitenoise serves them):")
    print("\n".join(css))


if __name__ == "__main__":
    main()
