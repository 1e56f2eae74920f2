"""Mail each bureau the published duties it should confirm again, and print a summary."""

from django.conf import settings
from django.core.management.base import CommandError

from applications.management.dated import DatedCommand
from applications.reminders import send_review_reminders


class Command(DatedCommand):
    help = (
        "確認から REVIEW_INTERVAL_MONTHS か月以上たった公開中の業務内容例を、"
        "局ごとに 1 通のメールで局の連絡先に知らせます（連絡先のない局は総務局人事部人事課へ）。"
    )

    def handle(self, **options):
        today = self.day(options)
        result = send_review_reminders(today=today)
        months = settings.REVIEW_INTERVAL_MONTHS
        self.stdout.write(
            f"{today:%Y-%m-%d}: {result.duty_count} published duties unconfirmed for "
            f"{months} months or more, in {len(result.sent) + len(result.unaddressed)} bureaus."
        )
        for bureau, duties in result.sent:
            self.stdout.write(
                f"  queued for {bureau.contact_email}: {bureau.name_ja}, {len(duties)}"
            )
        for bureau, duties in result.unaddressed:
            where = result.central_recipient or "nobody (no central window address)"
            self.stdout.write(f"  no address: {bureau.name_ja}, {len(duties)}; reported to {where}")
        if result.unaddressed and not result.central_recipient:
            raise CommandError("The central inquiry window has no address: nobody was told.")
