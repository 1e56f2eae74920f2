"""Send the pre-consultation mails that are due: one pass, or --loop as a worker."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection

from applications.outbox import deliver_notifications

logger = logging.getLogger(__name__)

# Longest wait between attempts while the database is down: the worker comes back
# within this of the database, without hammering it meanwhile.
MAX_BACKOFF_SECONDS = 60.0


class Command(BaseCommand):
    help = "送信待ちの通知メールを送ります（--loop で常駐します）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="常駐して、送信待ちのメールを待ちます。"
        )
        parser.add_argument("--interval", type=float, default=5.0, help="確認の間隔（秒）。")
        parser.add_argument("--batch", type=int, default=50, help="1 回に送る通数の上限。")
        parser.add_argument(
            "--passes", type=int, default=None, help="この回数だけ確認して終わります（試験用）。"
        )

    def handle(self, *, loop, interval, batch, passes, **options):
        if not loop:
            sent = deliver_notifications(limit=batch)
            if options["verbosity"] >= 1:
                self.stdout.write(f"sent {sent}")
            return
        run_worker(
            interval=interval,
            batch=batch,
            passes=passes,
            report=self.stdout.write if options["verbosity"] >= 1 else None,
        )


def run_worker(*, interval, batch, passes=None, report=None, sleep=time.sleep):
    """Deliver due mails until stopped (or for ``passes`` passes).

    A database that is down or restarting must not end the worker: the mails wait in
    the outbox, so the worker drops its connection, waits (doubling up to
    MAX_BACKOFF_SECONDS) and tries again. Only the error's class is logged, never a
    message that could quote a row.
    """
    backoff = interval
    done = 0
    while passes is None or done < passes:
        done += 1
        try:
            sent = deliver_notifications(limit=batch)
        except DatabaseError as error:
            logger.warning(
                "Outbox worker: database unavailable (%s), retrying in %.0f s",
                type(error).__name__,
                backoff,
            )
            connection.close()
            sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            continue
        backoff = interval
        if sent and report:
            report(f"sent {sent}")
        if sent < batch:
            sleep(interval)
