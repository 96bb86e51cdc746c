"""Re-encrypt survivor feedback and written answers under the current key.

After adding a new first key to FIELD_ENCRYPTION_KEYS (docs/operations.md), run
this, then remove the old key. Idempotent; safe to run while the site is up.
"""

from django.core.management.base import BaseCommand

from vawg.voice.services import reencrypt_all


class Command(BaseCommand):
    help = "Re-encrypt survivor voice free text under the current field-encryption key."

    def handle(self, *args, **options):
        count = reencrypt_all()
        self.stdout.write(f"Re-encrypted {count} values.\n")
