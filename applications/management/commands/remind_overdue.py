"""Remind bureaus of requests past their reply-by date and escalate to HR (run daily)."""

from django.core.management.base import CommandError

from applications.management.dated import DatedCommand
from applications.reminders import remind_overdue_routes


class Command(DatedCommand):
    help = (
        "回答期限を過ぎた事前相談の申込みを局ごとに 1 通のメールで局に知らせ、"
        "知らせてから INQUIRY_ESCALATE_AFTER_DAYS 開庁日を超えて終わっていないものを"
        "総務局人事部人事課に知らせます。毎日 1 回実行してください。"
    )

    def handle(self, **options):
        today = self.day(options)
        result = remind_overdue_routes(today=today)
        reminded = sum(len(routes) for _recipient, _bureau, routes in result.reminded)
        escalated = sum(len(routes) for _recipient, routes in result.escalated)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {reminded} overdue request(s) reminded in "
            f"{len(result.reminded)} mail(s); {escalated} escalated to the central window."
        )
        for recipient, bureau, routes in result.reminded:
            self.stdout.write(f"  queued for {recipient}: {bureau.name_ja}, {len(routes)}")
        for recipient, error in result.failed:
            self.stderr.write(f"  NOT queued for {recipient}: {error}")
        if result.failed:
            raise CommandError(f"{len(result.failed)} reminder(s) have nobody to go to.")
