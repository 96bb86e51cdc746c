"""Demo step: load both published strategies from their curated data files."""

from datetime import date

from django.conf import settings

from vawg.strategy.loader import load_strategy_file


def load(*, today: date, rng, stdout) -> None:
    for path in settings.SEED_STRATEGY_FILES:
        result = load_strategy_file(path)
        stdout.write(f"  {result}\n")
