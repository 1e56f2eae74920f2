"""Anonymise requests closed longer ago than the retention period (run daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from applications.privacy import anonymise_closed_inquiries


class Command(BaseCommand):
    help = (
        "全局で終了してから INQUIRY_RETENTION_DAYS 日を過ぎた事前相談の申込みの"
        "個人情報を匿名化します（件数の統計は残ります）。"
    )

    def handle(self, *args, **options):
        references = anonymise_closed_inquiries()
        self.stdout.write(
            f"{len(references)} 件を匿名化しました（保存期間 {settings.INQUIRY_RETENTION_DAYS} 日）。"
        )
        for reference in references:
            self.stdout.write(f"  {reference}")
