"""python manage.py snapshot_indicators [--today YYYY-MM-DD]: keep the computed value of each
closed period, with its provenance. Idempotent: run it from cron as often as you like."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from vawg.core.models import Partnership
from vawg.measures.services import snapshot_closed_periods


class Command(BaseCommand):
    help = "Snapshot computed indicator values for reporting periods that have closed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )
        parser.add_argument("--partnership", metavar="SLUG", help="Only this partnership.")

    def handle(self, *args, today: date | None = None, partnership: str | None = None, **options):
        chosen = Partnership.objects.filter(slug=partnership).first() if partnership else None
        if partnership and chosen is None:
            raise CommandError(f"There is no partnership with the slug {partnership!r}.")
        made = snapshot_closed_periods(today=today or date.today(), partnership=chosen)
        self.stdout.write(f"{made} computed value{'s' if made != 1 else ''} snapshotted.")
