"""Re-encrypt every MARAC value under the current keys (see docs/marac.md, key rotation)."""

from django.core.management.base import BaseCommand

from vawg.marac.maintenance import rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt MARAC identity, notes and files, and re-hash people, under current keys."

    def handle(self, *args, **options):
        for model, count in rotate_keys().items():
            self.stdout.write(f"{model}: {count} rows")
