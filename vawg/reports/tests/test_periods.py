"""A report's period in the partnership's own words, against its reporting year."""

from datetime import date

import pytest

from vawg.core.testing import make_partnership
from vawg.reports.periods import (
    QUARTER,
    YEAR,
    PeriodError,
    last_completed_quarter,
    last_completed_year,
    parse_period,
    period_for,
)
from vawg.reports.spec import Period

pytestmark = pytest.mark.django_db


def test_it_reads_a_quarter_of_a_year_starting_in_april(partnership):
    assert parse_period(partnership, "2025/26 Q3") == Period(
        "2025/26 Q3", date(2025, 10, 1), date(2025, 12, 31)
    )
    assert parse_period(partnership, "2025/26 q4").end == date(2026, 3, 31)


def test_it_reads_a_year(partnership):
    period = parse_period(partnership, " 2025/26 ")
    assert period == Period("2025/26", date(2025, 4, 1), date(2026, 3, 31))
    assert not period.is_quarter


def test_a_calendar_year_partnership_writes_its_years_plainly():
    calendar = make_partnership("calendar-borough", reporting_year_start_month=1)
    assert parse_period(calendar, "2025 Q1") == Period(
        "2025 Q1", date(2025, 1, 1), date(2025, 3, 31)
    )
    with pytest.raises(PeriodError):
        parse_period(calendar, "2025/26")


@pytest.mark.parametrize("text", ["", "2025/27", "2025/26 Q5", "Q3", "last year", "25/26"])
def test_it_refuses_what_names_no_period(partnership, text):
    with pytest.raises(PeriodError) as error:
        parse_period(partnership, text)
    assert "2025/26 Q3" in str(error.value)


def test_the_defaults_are_the_last_completed_quarter_and_year(partnership):
    # 7 December 2026 is in 2026/27 Q3: the last completed quarter is Q2, the year 2025/26.
    today = date(2026, 12, 7)
    assert last_completed_quarter(partnership, today).label == "2026/27 Q2"
    assert last_completed_year(partnership, today).label == "2025/26"
    # In a year's first quarter, the last completed quarter is the year before's Q4.
    assert last_completed_quarter(partnership, date(2026, 5, 1)).label == "2025/26 Q4"
    assert period_for(partnership, "", QUARTER, today).label == "2026/27 Q2"
    assert period_for(partnership, "", YEAR, today).label == "2025/26"


def test_a_kind_gets_only_its_own_kind_of_period(partnership):
    today = date(2026, 12, 7)
    with pytest.raises(PeriodError, match="whole year"):
        period_for(partnership, "2025/26 Q3", YEAR, today)
    with pytest.raises(PeriodError, match="quarter"):
        period_for(partnership, "2025/26", QUARTER, today)
