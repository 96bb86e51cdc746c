"""Re-encrypt every encrypted field, in every app, under the current (first) key.

After putting a new key first in FIELD_ENCRYPTION_KEYS (docs/operations.md), run this, then
remove the old key. Fields are found by class (core.fields), so none can be forgotten.
Idempotent; safe to run while the site is up. It lives here, not in core, because it is
audited and core imports no other app.
"""

from django.core.management.base import BaseCommand

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.fields import reencrypt_all


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the first key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        counts = reencrypt_all()
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows")
        record(
            action=AuditAction.UPDATE,
            object_type="core.encrypted_fields",
            summary="Re-encrypted every encrypted field under the current key",
            detail=counts,
        )
        self.stdout.write(f"Re-encrypted {sum(counts.values())} rows.")
