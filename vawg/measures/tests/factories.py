"""Small builders for the measures tests."""

from datetime import date
from decimal import Decimal

from vawg.core.models import Partnership, ReportingPeriod
from vawg.core.periods import periods_ensure_range
from vawg.measures.models import Indicator


def make_periods(partnership: Partnership, first: date, last: date) -> dict[str, ReportingPeriod]:
    """Financial-year quarters from `first` to `last`, by label ("2024/25 Q1")."""
    periods_ensure_range(partnership=partnership, first=first, last=last)
    return {p.label: p for p in partnership.reporting_periods.all()}


def make_indicator(partnership: Partnership, **extra) -> Indicator:
    extra.setdefault("name", "Referrals to specialist support")
    extra.setdefault("definition", "Referrals received in the quarter.")
    extra.setdefault("direction", "increase")
    extra.setdefault("owner", partnership.organisations.first())
    for name in ("baseline_value", "tolerance"):
        if name in extra and not isinstance(extra[name], Decimal):
            extra[name] = Decimal(str(extra[name]))
    return Indicator.objects.create(partnership=partnership, **extra)
