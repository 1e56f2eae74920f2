"""What the daily and monthly back-office commands share: the day they judge by."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone


class DatedCommand(BaseCommand):
    """A command that judges as of today, or as of ``--date`` (a catch-up run, a test)."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            help="Judge as of this day (YYYY-MM-DD) instead of today.",
        )

    @staticmethod
    def day(options):
        return options.get("date") or timezone.localdate()
