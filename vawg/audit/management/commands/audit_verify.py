"""Check that the audit trail's hash chain holds; optionally against heads written earlier.

Run daily from cron, after audit_retention:

    python manage.py audit_verify --against HEADS --write-head HEADS

Exits 0 printing the number of events and the head (the last row's id and hash),
or 1 naming the first bad row. With --write-head it then appends today's head to
the file, once a day: a second run the same day writes nothing more. Keep that
file away from the database (another machine, write-once storage): a head it
holds cannot be changed by anyone who can change the database, so a trail
emptied or rewritten after that head shows.
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vawg.audit.selectors import chain_verify, written_heads


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit 1 naming the first bad row."

    def add_arguments(self, parser):
        parser.add_argument(
            "--against",
            type=Path,
            metavar="FILE",
            help="A heads file: fail if a head it holds is missing from the chain or differs.",
        )
        parser.add_argument(
            "--write-head",
            type=Path,
            metavar="PATH",
            help="Append today's head to this file (once a day) when the chain holds.",
        )
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )

    def handle(self, *args, against=None, write_head=None, today=None, **options):
        today = today or date.today()
        heads = []
        if against is not None:
            try:
                heads = written_heads(against.read_text(encoding="ascii").splitlines())
            except (OSError, UnicodeDecodeError, ValueError) as error:
                raise CommandError(f"Cannot read the heads in {against}: {error}") from error
        report = chain_verify(against=heads)
        if not report.holds:
            raise CommandError(
                f"The audit trail has been tampered with. First bad row: id {report.bad_id}: "
                f"{report.problem}."
            )
        checked = f"; {report.heads_checked} written heads agree" if against else ""
        self.stdout.write(
            f"The audit trail holds: {report.rows} events; head: row {report.head_id} "
            f"{report.head_hash}{checked}."
        )
        if write_head is not None:
            self._write_head(write_head, report, today)

    def _write_head(self, path: Path, report, today: date) -> None:
        head = report.head(today)
        if head is None:
            self.stdout.write("The audit trail is empty: no head to write.")
            return
        try:
            existing = written_heads(path.read_text(encoding="ascii").splitlines())
        except FileNotFoundError:
            existing = []
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"Cannot read the heads in {path}: {error}") from error
        if any(h.on == today for h in existing):
            self.stdout.write(f"A head for {today.isoformat()} is already in {path}.")
            return
        with path.open("a", encoding="ascii") as heads_file:
            heads_file.write(head.line())
        self.stdout.write(f"Wrote the head for {today.isoformat()} to {path}.")
