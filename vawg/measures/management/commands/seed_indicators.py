"""python manage.py seed_indicators [--partnership SLUG]: indicators from the strategy's
measures of success. Safe to run again: it adds only what is new."""

from django.core.management.base import BaseCommand, CommandError

from vawg.core.models import Partnership
from vawg.measures.services import indicators_seed_from_measures


class Command(BaseCommand):
    help = "Create an indicator for each measure of success in the loaded strategies."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", metavar="SLUG", help="Only this partnership.")

    def handle(self, *args, partnership: str | None = None, **options):
        partnerships = Partnership.objects.order_by("slug")
        if partnership:
            partnerships = partnerships.filter(slug=partnership)
            if not partnerships.exists():
                raise CommandError(f"There is no partnership with the slug {partnership!r}.")
        for found in partnerships:
            result = indicators_seed_from_measures(partnership=found)
            self.stdout.write(
                f"{found.name}: {result.created} created, {result.direction_completed} "
                f"directions taken from the strategy, {result.flagged} with no direction "
                "(flagged for an admin)."
            )
