import calendar
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from vawg.core.periods import (
    add_months,
    current_period,
    periods_ensure_range,
    periods_ensure_year,
    reporting_year_start,
)
from vawg.core.testing import make_partnership


def test_it_creates_financial_year_quarters_with_deadlines(partnership):
    periods = periods_ensure_year(partnership=partnership, year_start=date(2025, 4, 1))
    assert [(p.label, p.start, p.end) for p in periods] == [
        ("2025/26 Q1", date(2025, 4, 1), date(2025, 6, 30)),
        ("2025/26 Q2", date(2025, 7, 1), date(2025, 9, 30)),
        ("2025/26 Q3", date(2025, 10, 1), date(2025, 12, 31)),
        ("2025/26 Q4", date(2026, 1, 1), date(2026, 3, 31)),
    ]
    assert periods[0].update_deadline == date(2025, 7, 14)


def test_it_is_idempotent(partnership):
    periods_ensure_range(partnership=partnership, first=date(2024, 5, 1), last=date(2026, 2, 1))
    periods_ensure_range(partnership=partnership, first=date(2024, 5, 1), last=date(2026, 2, 1))
    assert partnership.reporting_periods.count() == 8


def test_it_honours_a_calendar_reporting_year(db):
    calendar_year = make_partnership(reporting_year_start_month=1)
    periods = periods_ensure_year(partnership=calendar_year, year_start=date(2026, 1, 1))
    assert periods[0].label == "2026 Q1"
    assert periods[3].end == date(2026, 12, 31)


def test_it_finds_the_year_and_period_containing_a_day(partnership):
    assert reporting_year_start(partnership, date(2026, 3, 31)) == date(2025, 4, 1)
    assert reporting_year_start(partnership, date(2026, 4, 1)) == date(2026, 4, 1)
    periods_ensure_year(partnership=partnership, year_start=date(2026, 4, 1))
    assert current_period(partnership, date(2026, 11, 23)).label == "2026/27 Q3"
    assert current_period(partnership, date(2020, 1, 1)) is None


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(-1200, 1200))
def test_add_months_moves_whole_months_and_stays_in_the_month_it_lands_in(day, months):
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    # The same day of the month, or the month's last day when it has no such day.
    assert moved.day == min(day.day, calendar.monthrange(moved.year, moved.month)[1])
    if day.day <= 28:
        assert add_months(moved, -months) == day


def test_add_months_keeps_to_the_end_of_a_shorter_month():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 1), -12) == date(2025, 3, 1)
