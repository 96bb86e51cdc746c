"""Email owners about directory listings past their review date (run daily from cron).

Idempotent: each listing is included once per review date however often this runs.
"""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from vawg.directory.services import remind_stale_owners


class Command(BaseCommand):
    help = "Remind owners of directory listings that have passed their review date."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today: date | None = None, **options):
        sent = remind_stale_owners(on=today or timezone.localdate())
        self.stdout.write(f"Reminders sent: {sent}")
