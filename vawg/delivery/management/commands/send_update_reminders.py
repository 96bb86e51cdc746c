"""python manage.py send_update_reminders [--today YYYY-MM-DD]: for cron, daily; idempotent."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vawg.delivery.reminders import reminders_send


class Command(BaseCommand):
    help = "Email action leads whose updates for the current period are still due."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, today: str | None = None, **options):
        given = today
        try:
            today = _parse(given) if given else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date as YYYY-MM-DD, not {given!r}.") from None
        sent = reminders_send(today=today)
        self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''} for {today}.")


def _parse(text: str) -> date:
    return date.fromisoformat(text)
