"""Demo step: reporting periods for every partnership, from two years back to a year ahead."""

from datetime import date, timedelta

from vawg.core.models import Partnership
from vawg.core.periods import periods_ensure_range


def load(*, today: date, rng, stdout) -> None:
    for partnership in Partnership.objects.all():
        count = periods_ensure_range(
            partnership=partnership,
            first=today - timedelta(days=2 * 365),
            last=today + timedelta(days=365),
        )
        stdout.write(f"  {partnership.name}: {count} reporting periods\n")
