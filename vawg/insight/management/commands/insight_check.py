"""Check the kept cubes, pair counts, repeat flags and people indexes against a rebuild.

    manage.py insight_check [PARTNERSHIP ...]

Works out in memory what `insight_rebuild` would write, writes nothing, and lists what
differs: which partnership (or region), which cube or array, how many rows, cells or
flags, and a few of them. Exits 0 when everything agrees and 1 otherwise, so it can run
from cron or a monitoring check; `insight_rebuild` mends what it finds. It reads the
whole store into memory, as the rebuild does (docs/operations.md).
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from vawg.core.models import Partnership
from vawg.insight.check import check


class Command(BaseCommand):
    help = "Compare the kept insight cubes, pair counts and repeat flags with a rebuild."

    def add_arguments(self, parser):
        parser.add_argument(
            "partnerships", nargs="*", help="Partnership slugs to check (all when none)."
        )

    def handle(self, *args, partnerships: list[str], **options):
        ids = None
        if partnerships:
            found = dict(
                Partnership.objects.filter(slug__in=partnerships).values_list("slug", "pk")
            )
            missing = [slug for slug in partnerships if slug not in found]
            if missing:
                raise CommandError(f"No partnership “{missing[0]}”.")
            ids = list(found.values())
        differences = check(ids)
        for difference in differences:
            self.stdout.write(f"{difference}\n")
        if differences:
            self.stdout.write(
                f"{len(differences)} difference(s): run `manage.py insight_rebuild` to mend them.\n"
            )
            sys.exit(1)
        self.stdout.write("The insight cubes, pair counts and repeat flags agree with a rebuild.\n")
