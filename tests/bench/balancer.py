"""Benchmark: stored pages through HAProxy while random keyword searches take half the capacity.

Run by `make bench`. HAProxy (deploy/haproxy.cfg, TLS) in front of two gunicorn
servers (2 workers each) on PostgreSQL with the seed plus 30 bureaus x 10 duties,
and one Redis (stored pages), all on this machine's cores:

1. the capacity for keyword searches: wrk through HAProxy, each request a random
   keyword (searches are never stored, so each is rendered);
2. searches sent at half that rate by an open-loop client (each at its scheduled
   time, timed from then), and beside them stored public pages at a steady
   BENCH_STORED_RATE per second: the p99 of the stored pages' latency.

Three runs of step 2; the median p99 is the figure (target: at most 50 ms).
"""

import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kouryu_bench_balancer"
)
from tests import servers  # noqa: E402
from tests.bench import serving  # noqa: E402  (reads BENCH_DATABASE_URL)

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
SECONDS = int(os.environ.get("BENCH_FLOOD_SECONDS", "15"))
STORED_RATE = float(os.environ.get("BENCH_STORED_RATE", "20"))
RUNS = 3
STORED = [
    "/", "/en/", "/bureaus/", "/en/bureaus/", "/bureaus/environment/",
    "/bureaus/environment/hydrogen-society/", "/how-to-apply/", "/faq/",
]  # fmt: skip
# Words from the catalogue and words it does not hold, each with a random tail so that
# no two searches are alike.
WORDS = ["水素", "環境", "ICT", "DX", "防災", "福祉", "監査", "計測", "bench", "duty", "政策",
         "企画", "広報", "データ", "エネルギー", "交通", "都市", "財務", "人事", "教育"]  # fmt: skip
WRK_SCRIPT = """
local words = {%s}
math.randomseed(os.time())
request = function()
  local word = words[math.random(#words)]
  return wrk.format("GET", "/bureaus/?q=" .. word .. "%%20" .. math.random(1, 1000000))
end
"""


def search_path():
    return f"/bureaus/?q={quote(random.choice(WORDS))}%20{random.randint(1, 1_000_000)}"


def capacity(port):
    """Searches per second through HAProxy with 16 connections kept busy (wrk)."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(WRK_SCRIPT % ", ".join(f'"{quote(word)}"' for word in WORDS))
    output = subprocess.run(
        ["wrk", "-t2", "-c16", "-d8s", "-s", str(script), f"https://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    script.unlink()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert not errors, errors.group(0)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


async def paced(port, context, paths, rate, seconds, begin):
    """(latency ms, path) of GETs sent at ``rate`` from ``begin``, each on its own
    TLS connection, timed from its scheduled moment (no coordinated omission)."""

    async def one(due, path):
        await asyncio.sleep(max(0, due - time.perf_counter()))
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        response = await reader.read()
        latency = (time.perf_counter() - due) * 1000
        writer.close()
        status = int(response.split(b" ", 2)[1])
        assert status == 200, f"{path}: {status}"
        return latency

    count = int(rate * seconds)
    chosen = [paths(index) for index in range(count)]
    return await asyncio.gather(*(one(begin + i / rate, chosen[i]) for i in range(count)))


def flood(port, context, search_rate):
    """One run: searches at ``search_rate`` and stored pages at STORED_RATE together."""

    async def both():
        begin = time.perf_counter() + 0.5
        return await asyncio.gather(
            paced(port, context, lambda i: search_path(), search_rate, SECONDS, begin),
            paced(port, context, lambda i: STORED[i % len(STORED)], STORED_RATE, SECONDS, begin),
        )

    searches, stored = asyncio.run(both())
    return searches, stored


def p99(values):
    return statistics.quantiles(values, n=100)[98]


def main():
    serving.prepare_database()
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    folder = Path(tempfile.mkdtemp(prefix="kouryu-bench-balancer-"))
    common = serving.environment(
        DJANGO_HTTPS="true",
        DJANGO_BEHIND_PROXY="true",
        REDIS_URL=REDIS,
        RELEASE_ID="bench",
        WEB_CONCURRENCY="2",
        PAGE_CACHE_SECONDS="600",
    )
    processes = []
    try:
        errorfile = folder / "503.http"
        servers.write_errorfile(common, errorfile)
        apps = []
        for number in (1, 2):
            app_port = free_port()
            env = {**common, "GUNICORN_BIND": f"127.0.0.1:{app_port}"}
            log = folder / f"app{number}.log"
            processes.append(
                servers.start_gunicorn(env=env, log=log, control_socket=folder / f"app{number}.ctl")
            )
            apps.append(f"127.0.0.1:{app_port}")
        port = free_port()
        haproxy, control, context = servers.start_haproxy(
            folder=folder, bind=f"127.0.0.1:{port}", apps=apps, errorfile=errorfile
        )
        processes.append(haproxy)
        servers.wait_until(
            lambda: servers.balancer_states(control) == {"app1": "UP", "app2": "UP"},
            process=haproxy,
            describe=lambda: servers.log_tail(folder / "haproxy.log"),
        )
        # Every stored page in place on both servers' shared Redis.
        asyncio.run(
            paced(port, context, lambda i: STORED[i % len(STORED)], 20, 2, time.perf_counter())
        )
        saturation = capacity(port)
        rate = saturation / 2
        runs = [flood(port, context, rate) for _ in range(RUNS)]
    finally:
        for process in reversed(processes):
            servers.stop(process)
    print(
        f"HAProxy (TLS) -> 2 gunicorn x 2 workers, {os.cpu_count()} cores, seed + 30x10 catalogue, "
        f"Redis for stored pages"
    )
    print(f"random keyword searches, capacity (wrk -t2 -c16 -d8s): {saturation:.0f} req/s")
    print(
        f"searches at half of it ({rate:.0f} req/s, open loop) with stored pages at "
        f"{STORED_RATE:.0f} req/s, {SECONDS} s per run:"
    )
    stored_p99 = []
    for number, (searches, stored) in enumerate(runs, start=1):
        stored_p99.append(p99(stored))
        print(
            f"  run {number}: stored pages n={len(stored)} p50={statistics.median(stored):.1f} ms "
            f"p99={p99(stored):.1f} ms; searches n={len(searches)} p50={statistics.median(searches):.1f} ms "
            f"p99={p99(searches):.1f} ms"
        )
    print(
        f"p99 of stored pages through HAProxy under the search flood, median of {RUNS} runs: "
        f"{statistics.median(stored_p99):.1f} ms (target <= 50)"
    )


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
