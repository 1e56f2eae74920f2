"""gunicorn settings for production and `make serve`: gunicorn -c config/gunicorn.py config.wsgi"""

import gc
import multiprocessing
import os

from core.observability import redacting_gunicorn_logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: pages are short and no request talks to the mail server (the
# outbox worker does); one process per core plus one keeps both cores busy.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# PostgreSQL cancels a request's runaway query after two thirds of the worker timeout
# (config/settings.py): the worker answers instead of being killed mid-query.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", str(max(1, timeout * 2 // 3)))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then (the jitter avoids all at once). Not too often: each
# new worker opens its own database connection and fills its own per-process cache;
# every 2,000 requests (before the warm-up below) cost a busy 2-core server a fifth
# of its throughput.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# JSON lines like the application's logs; the path only, never the query string
# (a keyword search is the visitor's own business).
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_ms": %(M)s}'
)
errorlog = "-"
# Every access-log field with the secret of a status link replaced (core.observability).
logger_class = redacting_gunicorn_logger()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """In the master, once the application is loaded and before any worker forks."""
    from core.warmup import warm_up

    warm_up()
    # What is loaded by now lives as long as the process. Frozen, it is left out of
    # the workers' full garbage collections, which otherwise scanned it all: a
    # ~50 ms pause every hundred-odd catalogue renders, the p99 of a busy worker.
    gc.freeze()
