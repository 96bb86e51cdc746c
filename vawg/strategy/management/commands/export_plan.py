"""python manage.py export_plan --partnership SLUG --format json|csv: the plan, to stdout."""

import json

from django.core.management.base import BaseCommand, CommandError

from vawg.audit import services as audit
from vawg.core.models import Partnership
from vawg.strategy.exports import plan_as_dict, plan_csv
from vawg.strategy.models import Strategy


class Command(BaseCommand):
    help = "Write a partnership's whole strategy plan, quirks included, as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True, metavar="SLUG")
        parser.add_argument("--format", required=True, choices=["json", "csv"], dest="fmt")
        parser.add_argument(
            "--strategy", metavar="SLUG", help="Which strategy (default: the most recent one)."
        )

    def handle(self, *args, partnership: str, fmt: str, strategy: str | None, **options):
        found = Partnership.objects.filter(slug=partnership).first()
        if found is None:
            raise CommandError(f"There is no partnership with the slug {partnership!r}.")
        strategies = Strategy.objects.filter(partnership=found).order_by("-start_year", "slug")
        if strategy:
            chosen = strategies.filter(slug=strategy).first()
            if chosen is None:
                slugs = ", ".join(strategies.values_list("slug", flat=True)) or "none"
                raise CommandError(
                    f"{found.name} has no strategy with the slug {strategy!r} (it has: {slugs})."
                )
        else:
            chosen = strategies.first()
            if chosen is None:
                raise CommandError(f"{found.name} has no strategy loaded yet.")

        if fmt == "json":
            output = json.dumps(plan_as_dict(chosen), ensure_ascii=False, indent=2) + "\n"
        else:
            output = plan_csv(chosen)
        audit.record(
            action=audit.Action.EXPORT,
            partnership=found,
            obj=chosen,
            summary=f"Exported the plan as {fmt.upper()} from the command line",
            detail={"format": fmt},
        )
        # ending="" keeps the CSV's own line endings as they are.
        self.stdout.write(output, ending="")
