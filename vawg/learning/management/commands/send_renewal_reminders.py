"""Email each partnership's admins about register entries coming up for renewal (run from cron).

Idempotent: a participant is reminded once per renewal date, however often this runs.
"""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from vawg.learning.services import renewal_reminders_send


class Command(BaseCommand):
    help = "Send renewal reminders for register entries (idempotent; run daily from cron)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today: date | None = None, **options):
        sent = renewal_reminders_send(on=today or timezone.localdate())
        self.stdout.write(
            f"Renewal reminders: {sent.emails} email(s) about {sent.participants} participant(s)."
        )
