"""Apply each partnership's MARAC retention periods. Idempotent: run daily from cron."""

from datetime import date

from django.core.management.base import BaseCommand

from vawg.marac.maintenance import retention_apply


class Command(BaseCommand):
    help = "Delete or reduce to anonymous statistics the MARAC records past retention."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (for tests).")

    def handle(self, *args, today: date | None = None, **options):
        result = retention_apply(today=today or date.today())
        for name, count in vars(result).items():
            self.stdout.write(f"{name.replace('_', ' ')}: {count}")
