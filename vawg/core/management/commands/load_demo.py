"""Load the synthetic demo: each app's demo step in order (settings.DEMO_STEPS).

Deterministic (fixed random seed, dates relative to today), idempotent, and
refused under production settings.
"""

import random
from datetime import date
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEMO_SEED = 20221


class Command(BaseCommand):
    help = "Load the synthetic demo data set (never in production)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--step", action="append", help="Run only this step (a module in DEMO_STEPS)."
        )

    def handle(self, *args, today: date | None = None, step: list[str] | None = None, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo data set is never loaded under production settings.")
        today = today or date.today()
        steps = settings.DEMO_STEPS
        if step:
            unknown = sorted(set(step) - set(steps))
            if unknown:
                raise CommandError(f"Unknown demo step(s): {', '.join(unknown)}.")
            steps = [s for s in steps if s in step]
        for module_name in steps:
            self.stdout.write(f"Demo step {module_name}")
            # A fresh generator per step, so each step's data does not depend on
            # which steps ran before it.
            rng = random.Random(f"{DEMO_SEED}:{module_name}")  # noqa: S311 - seeded so the synthetic demo is the same every time
            import_module(module_name).load(today=today, rng=rng, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
