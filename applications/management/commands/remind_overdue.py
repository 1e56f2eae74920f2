"""Remind bureaus of requests past their reply-by date and escalate to HR (run daily)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from applications.reminders import remind_overdue_routes


class Command(BaseCommand):
    help = (
        "回答期限を過ぎた事前相談の申込みを局ごとに 1 通のメールで局に知らせ、"
        "知らせてから INQUIRY_ESCALATE_AFTER_DAYS 日を超えて終わっていないものを"
        "総務局人事部人事課に知らせます。毎日 1 回実行してください。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            help="Judge as of this day (YYYY-MM-DD) instead of today.",
        )

    def handle(self, *, date=None, **options):
        today = date or timezone.localdate()
        result = remind_overdue_routes(today=today)
        reminded = sum(len(routes) for _recipient, _bureau, routes in result.reminded)
        escalated = sum(len(routes) for _recipient, routes in result.escalated)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {reminded} overdue request(s) reminded in "
            f"{len(result.reminded)} mail(s); {escalated} escalated to the central window."
        )
        for recipient, bureau, routes in result.reminded:
            self.stdout.write(f"  sent to {recipient}: {bureau.name_ja}, {len(routes)}")
        for recipient, error in result.failed:
            self.stderr.write(f"  NOT sent to {recipient}: {error}")
        if result.failed:
            raise CommandError(f"{len(result.failed)} mail(s) could not be sent.")
