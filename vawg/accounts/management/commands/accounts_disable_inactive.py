"""Disable accounts nobody has signed in to for ACCOUNT_INACTIVE_DAYS (run daily from cron).

Idempotent: a disabled account is not disabled again, and one an operator enables
again counts its unused days from then.
"""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from vawg.accounts.services import users_disable_inactive


class Command(BaseCommand):
    help = "Disable accounts unused for ACCOUNT_INACTIVE_DAYS days (idempotent; run daily)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today: date | None = None, **options):
        days = settings.ACCOUNT_INACTIVE_DAYS
        if days <= 0:
            self.stdout.write("Unused accounts: ACCOUNT_INACTIVE_DAYS is 0, so none disabled.")
            return
        disabled = users_disable_inactive(today=today or timezone.localdate(), days=days)
        self.stdout.write(
            f"Unused accounts: {len(disabled)} disabled after {days} days without signing in."
        )
