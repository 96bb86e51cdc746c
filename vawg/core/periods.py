"""Reporting periods: financial-year quarters by default, each with an update deadline."""

import calendar
from datetime import date, timedelta

from django.db import transaction

from vawg.core.models import Partnership, ReportingPeriod


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, kept within the month it lands in
    (31 January + 1 month is 28 or 29 February). The platform's one month arithmetic."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reporting_year_start(partnership: Partnership, day: date) -> date:
    """The first day of the reporting year containing `day`."""
    start_month = partnership.reporting_year_start_month
    year = day.year if day.month >= start_month else day.year - 1
    return date(year, start_month, 1)


def year_label(start: date) -> str:
    """'2025/26' for a year starting in April 2025; '2025' for a calendar year."""
    if start.month == 1:
        return str(start.year)
    return f"{start.year}/{str(start.year + 1)[-2:]}"


@transaction.atomic
def periods_ensure_year(*, partnership: Partnership, year_start: date) -> list[ReportingPeriod]:
    """Create (idempotently) the four quarters of the reporting year starting `year_start`."""
    periods = []
    label = year_label(year_start)
    for quarter in range(4):
        start = add_months(year_start, 3 * quarter)
        end = add_months(year_start, 3 * (quarter + 1)) - timedelta(days=1)
        period, _ = ReportingPeriod.objects.get_or_create(
            partnership=partnership,
            start=start,
            defaults={
                "label": f"{label} Q{quarter + 1}",
                "end": end,
                "update_deadline": end + timedelta(days=partnership.update_deadline_days),
            },
        )
        periods.append(period)
    return periods


def periods_ensure_range(*, partnership: Partnership, first: date, last: date) -> int:
    """Ensure quarters exist for every reporting year from `first` to `last`; returns how many."""
    count = 0
    year_start = reporting_year_start(partnership, first)
    while year_start <= last:
        count += len(periods_ensure_year(partnership=partnership, year_start=year_start))
        year_start = add_months(year_start, 12)
    return count


def current_period(partnership: Partnership, day: date) -> ReportingPeriod | None:
    return partnership.reporting_periods.containing(day).first()
