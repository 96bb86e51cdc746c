"""Restore the database and the uploaded files (MEDIA_ROOT) from a backup archive.

    python manage.py restore ARCHIVE --yes

The whole archive is checked against its manifest first: a damaged one is refused
and nothing is changed. Then the database and MEDIA_ROOT are replaced, the row counts
compared with the manifest's and the audit trail's hash chain walked; any difference
exits non-zero. Stop the site and the task worker first.

The archive itself is core's (vawg.core.backup); the command lives in audit because it
walks the audit trail's chain, and core imports no app above it.
"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from vawg.audit.selectors import chain_verify
from vawg.core import backup
from vawg.core.backup import BackupError


class Command(BaseCommand):
    help = "Restore the database and MEDIA_ROOT from a backup archive (checked first)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="A .tar.gz written by manage.py backup.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace the database and MEDIA_ROOT (without it the archive is only checked).",
        )

    def handle(self, *args, archive: Path, yes: bool = False, **options):
        media_root = Path(settings.MEDIA_ROOT)
        with tempfile.TemporaryDirectory(prefix="vawg-restore-") as work:
            staging = Path(work)
            try:
                manifest = backup.unpack(archive, staging)
                backup.check_restorable(manifest)
            except BackupError as error:
                raise CommandError(f"{error} Nothing was changed.") from error
            counts = manifest["row_counts"]
            self.stdout.write(
                f"The archive is whole: taken {manifest['created']}; {manifest['vendor']} "
                f"database, {len(counts)} tables, {sum(counts.values())} rows; "
                f"{len(manifest['files']) - 1} uploaded files."
            )
            if not yes:
                raise CommandError(
                    "Nothing was changed. Restoring replaces the whole database "
                    f"({connection.settings_dict['NAME']}) and everything in MEDIA_ROOT "
                    f"({media_root}) with the archive's: run again with --yes to go ahead "
                    "(with make: YES=1)."
                )
            try:
                backup.restore_database(manifest, staging)
            except BackupError as error:
                raise CommandError(
                    f"{error} The database was not restored; MEDIA_ROOT was not changed."
                ) from error
            backup.replace_media(media_root, staging)
        self.stdout.write(f"Restored the database and {len(manifest['files']) - 1} files.")
        problems = self._compare_counts(manifest)
        problems += self._check_audit_trail()
        pending = backup.pending_migrations()
        if pending:
            self.stdout.write(
                f"The backup predates {len(pending)} migrations of this release: "
                "run manage.py migrate."
            )
        if problems:
            raise CommandError(
                "The restored data does not match the backup: " + "; ".join(problems) + "."
            )
        self.stdout.write(self.style.SUCCESS("Restored: every table matches the backup."))

    def _compare_counts(self, manifest) -> list[str]:
        inventory = backup.current_inventory()
        self.stdout.write(f"{'table':<48} {'backup':>10} {'restored':>10}")
        for table, expected in manifest["row_counts"].items():
            actual = inventory.row_counts.get(table)
            mark = "" if actual == expected else "  DIFFERS"
            shown = "missing" if actual is None else actual
            self.stdout.write(f"{table:<48} {expected:>10} {shown:>10}{mark}")
        extra = sorted(inventory.row_counts.keys() - manifest["row_counts"].keys())
        if extra:
            self.stdout.write(
                "Tables the backup does not have, left as they were: " + ", ".join(extra) + "."
            )
        return backup.count_differences(manifest, inventory)

    def _check_audit_trail(self) -> list[str]:
        report = chain_verify()
        if not report.holds:
            return [f"the audit trail's chain breaks at row {report.bad_id}: {report.problem}"]
        self.stdout.write(
            f"The audit trail holds: {report.rows} events; head: row {report.head_id} "
            f"{report.head_hash}."
        )
        return []
