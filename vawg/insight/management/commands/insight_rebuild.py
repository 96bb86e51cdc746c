"""Rebuild every repeat flag, cube and people index from the incidents held.

    manage.py insight_rebuild

Imports keep all of these in step as they go; this is the repair, and the step to run
after moving a partnership to another region (its regional roll-ups move with it) or
after a change to the standard's vocabularies. It holds the import lock, so imports
wait until it is done, and reads the whole store into memory (docs/operations.md).
"""

from django.core.management.base import BaseCommand

from vawg.insight import services


class Command(BaseCommand):
    help = "Rebuild the insight cubes, repeat flags and people indexes from the incidents held."

    def handle(self, *args, **options):
        mended = services.store_rebuild()
        self.stdout.write(f"Rebuilt the insight cubes; {mended} repeat flag(s) mended.\n")
