"""Write the friendly 503 page as the load balancer's error file (README, "Scale-out")."""

from pathlib import Path

from django.core.management.base import BaseCommand

from core.database import unavailable_errorfile


class Command(BaseCommand):
    help = (
        "ロードバランサー（HAProxy の errorfile 503）用に、サイトの 503 ページを "
        "HTTP 応答として書き出します。本番と同じ設定（DJANGO_HTTPS など）で実行してください。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", type=Path, help="The file to write, e.g. /etc/haproxy/kouryu-503.http"
        )

    def handle(self, *, path, **options):
        path.write_bytes(unavailable_errorfile())
        if options["verbosity"] >= 1:
            self.stdout.write(f"wrote {path}")
