"""Back up the database and the uploaded files (MEDIA_ROOT) into one archive.

    python manage.py backup [--output DIR]

Safe while the site runs. The archive holds no keys: keep SECRET_KEY,
FIELD_ENCRYPTION_KEYS and PSEUDONYM_KEYS safe separately (docs/operations.md, "Backups").

The archive itself is core's (vawg.core.backup); the command lives in audit because a
backup is written on the audit trail, and core imports no app above it.
"""

from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vawg.audit.models import AuditEvent
from vawg.audit.services import record
from vawg.core.backup import BackupError, take_backup


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into one timestamped .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            metavar="DIR",
            default=Path(settings.BASE_DIR) / "var" / "backups",
            help="The folder to write the archive in (default: var/backups).",
        )

    def handle(self, *args, output: Path, **options):
        now = timezone.now().astimezone(UTC)
        # A backup is an export of everything: the trail says when one was taken.
        record(
            action=AuditEvent.Action.EXPORT,
            object_type="backup",
            summary="Backed up the database and uploaded files",
            detail={"taken_at": now.isoformat()},
        )
        try:
            backup = take_backup(output, media_root=Path(settings.MEDIA_ROOT), now=now)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backup.manifest
        rows = sum(manifest["row_counts"].values())
        media = len(manifest["files"]) - 1
        size = backup.path.stat().st_size
        for name in backup.skipped:
            self.stderr.write(f"Not backed up (not a regular file): MEDIA_ROOT/{name}")
        self.stdout.write(
            f"{manifest['vendor']} database: {len(manifest['row_counts'])} tables, {rows} rows; "
            f"{media} uploaded files."
        )
        self.stdout.write(
            "The archive holds no keys: without FIELD_ENCRYPTION_KEYS and PSEUDONYM_KEYS "
            "its encrypted data cannot be read."
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {backup.path} ({size} bytes)."))
