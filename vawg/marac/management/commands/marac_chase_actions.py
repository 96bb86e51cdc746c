"""Chase overdue MARAC case actions (at most weekly per action). Idempotent: run daily."""

from datetime import date

from django.core.management.base import BaseCommand

from vawg.marac.services import actions_chase


class Command(BaseCommand):
    help = "Email each agency's MARAC representatives a count of their overdue case actions."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (for tests).")

    def handle(self, *args, today: date | None = None, **options):
        count = actions_chase(today=today or date.today())
        self.stdout.write(f"Chased {count} overdue action(s).")
