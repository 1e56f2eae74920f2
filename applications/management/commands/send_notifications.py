"""Send the pre-consultation mails that are due: one pass, or --loop as a worker."""

import time

from django.core.management.base import BaseCommand

from applications.outbox import deliver_notifications


class Command(BaseCommand):
    help = "送信待ちの通知メールを送ります（--loop で常駐します）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, polling for due mails."
        )
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between polls.")
        parser.add_argument("--batch", type=int, default=50, help="Mails claimed per pass.")

    def handle(self, *, loop, interval, batch, **options):
        while True:
            sent = deliver_notifications(limit=batch)
            if options["verbosity"] >= 1 and (sent or not loop):
                self.stdout.write(f"sent {sent}")
            if not loop:
                return
            if sent < batch:
                time.sleep(interval)
