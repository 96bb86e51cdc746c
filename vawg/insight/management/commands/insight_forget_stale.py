"""Erase partner extracts uploaded but not imported within a week.

Run daily from cron. Idempotent: a second run the same day finds nothing to do.
A staged file holds personal data; one nobody imports is not kept. The import's
record (who uploaded which file, when) stays, marked as discarded with the reason.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from vawg.insight.services import STALE_AFTER_DAYS, stale_uploads_forget


class Command(BaseCommand):
    help = "Erase the held file of every partner extract not imported within --days of upload."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=STALE_AFTER_DAYS)
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )

    def handle(self, *args, days: int, today: date | None = None, **options):
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        erased = stale_uploads_forget(days=days, today=today or date.today())
        self.stdout.write(f"Erased {erased} partner extract(s) not imported within {days} days.\n")
