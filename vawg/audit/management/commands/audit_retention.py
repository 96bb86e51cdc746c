"""Delete audit events past the audit trail's retention period, re-anchoring the chain.

Run daily from cron, before audit_verify, as the database's owner role (the
application's role cannot delete from the trail: see docs/operations.md).
Idempotent: a second run the same day finds nothing more to delete and records
nothing.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from vawg.audit.models import RETENTION_MINIMUM_MONTHS
from vawg.audit.services import retention_purge
from vawg.core.periods import add_months

DEFAULT_MONTHS = 72


class Command(BaseCommand):
    help = "Delete audit events older than --months (default 72), and record that it did."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=DEFAULT_MONTHS)
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )

    def handle(self, *args, months: int, today: date | None = None, **options):
        if months < RETENTION_MINIMUM_MONTHS:
            raise CommandError(f"--months must be {RETENTION_MINIMUM_MONTHS} or more.")
        before = add_months(today or date.today(), -months)
        try:
            result = retention_purge(before=before)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if result.anchor is None:
            self.stdout.write(f"No audit events recorded before {before.isoformat()}.")
            return
        self.stdout.write(
            f"Deleted {result.deleted} audit events recorded before {before.isoformat()}; "
            f"the chain now starts after row {result.anchor.detail['last_deleted_id']} "
            f"(retention event {result.anchor.pk})."
        )
