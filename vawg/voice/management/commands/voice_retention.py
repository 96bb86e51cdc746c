"""Delete survivor feedback and written survey answers past the retention period.

Run daily from cron. Idempotent: a second run the same day finds nothing to do.
Feedback still open (new or triaged), or marked for the safeguarding route,
is kept until a member of staff closes it: nothing unread is lost. Written
survey answers are blanked; the yes/no answers stay, because the measures of
success are counted from them and they identify nobody.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from vawg.voice.services import retention_apply

DEFAULT_MONTHS = 24


class Command(BaseCommand):
    help = "Delete closed survivor feedback and written survey answers older than --months."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=DEFAULT_MONTHS)
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )

    def handle(self, *args, months: int, today: date | None = None, **options):
        if months < 1:
            raise CommandError("--months must be 1 or more.")
        result = retention_apply(months=months, today=today or date.today())
        self.stdout.write(
            f"Deleted {result.feedback} feedback; blanked {result.answers} written answers "
            f"received before {result.cutoff.isoformat()}.\n"
        )
